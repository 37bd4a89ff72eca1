"""listenerconfig -> EDIT -> HOSTACCESS (§4): the default policy's block and the HAT menu.

NEW / DELETE / MOVE are in `groups`, EDIT in `group_menu`, the parameter dialog in
`params`, the one-line forms in `batch`; the HAT text format is state.formats.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from esacli import texts
from esacli.commands import config_files
from esacli.commands.context import Context
from esacli.commands.listenerconfig.hostaccess import batch, group_menu, groups, params
from esacli.commands.listenerconfig.render import policy_block
from esacli.commands.menu import Menu, Turn, loop
from state import formats, model
from state.edit import hat as edit
from state.edit import listeners
from state.model import Listener

Operation = Callable[[Context, Listener], Awaitable[None]]


async def run(ctx: Context, name: str) -> None:
    """The HOSTACCESS loop for listener `name`; returns on an empty answer."""
    def turn() -> Turn[Operation] | None:
        li = model.by_name(ctx.config.listeners, name)
        return None if li is None else (policy_block(li.hat), MENU, (ctx, li))
    await loop(ctx.console, turn)


def run_batch(ctx: Context, li: Listener, words: list[str]) -> None:
    """`... hostaccess <operation> ...`: the operation's one-line form; stages its HAT."""
    form, rest = MENU.batch(words, texts.listener.BATCH_USAGE_ERROR)
    hat = form(ctx, li, rest)
    if hat is not None:
        ctx.stage(listeners.edit_listener(ctx.config, li.name, hat=hat))


async def default(ctx: Context, li: Listener) -> None:
    chosen = await params.dialog(ctx.console, li.hat.default, li)
    ctx.stage(listeners.put_listener(ctx.config, li.name,
                                     listeners.with_default_params(li, chosen)))


async def print_table(ctx: Context, li: Listener) -> None:
    ctx.console.say(formats.hat_text(li.hat))


async def import_table(ctx: Context, li: Listener) -> None:
    hat = await config_files.import_table(
        ctx, texts.hat.HAT_IMPORT_FILE, lambda text: formats.parse_hat(text, li.hat.default)
    )
    if hat is not None:
        groups.stage(ctx, li, hat)


async def export_table(ctx: Context, li: Listener) -> None:
    await config_files.export_table(ctx, texts.hat.HAT_EXPORT_FILE, formats.hat_text(li.hat) + "\n")


async def reset(ctx: Context, li: Listener) -> None:
    if await ctx.console.confirm(texts.hat.RESET_CONFIRM, False):
        groups.stage(ctx, li, edit.factory_hat(li))


MENU: Menu[Operation] = Menu.of(texts.hat.HAT_MENU, {
    "NEW": groups.new, "EDIT": group_menu.edit_entry, "DELETE": groups.delete,
    "MOVE": groups.move, "DEFAULT": default, "PRINT": print_table, "IMPORT": import_table,
    "EXPORT": export_table, "RESET": reset,
}, batch={
    "NEW": batch.new, "EDIT": batch.edit_entry, "DELETE": batch.delete, "MOVE": batch.move,
    "DEFAULT": batch.default, "PRINT": batch.print_table, "IMPORT": batch.import_table,
    "EXPORT": batch.export_table,
})
