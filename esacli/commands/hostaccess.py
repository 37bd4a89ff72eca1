"""listenerconfig -> EDIT -> HOSTACCESS (§4): the policy header and the HAT menu.

NEW / EDIT / DELETE / MOVE live in hat_groups and hat_group_menu; the parameter
dialog in hat_params; the text format in state.formats.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from esacli import render, texts
from esacli.commands import _cfgfiles, _edit, hat_group_menu, hat_groups, hat_params
from esacli.commands.base import Context
from esacli.console import Console
from state import formats, model
from state.defaults import new_listener
from state.model import Listener, PolicyParams

Op = Callable[[Context, Listener], Awaitable[None]]


async def run(ctx: Context, name: str) -> None:
    """The HOSTACCESS loop for listener `name`; returns on an empty answer."""
    while True:
        listener = model.by_name(ctx.config.listeners, name)
        if listener is None:
            return
        ctx.console.say(render.policy_block(listener.hat))
        op = await ctx.console.menu(texts.HAT_MENU)
        if op is None:
            return
        await _OPS[op](ctx, listener)


async def policy_dialog(console: Console, params: PolicyParams, listener: Listener) -> PolicyParams:
    """The default policy's §4.4 questions (also asked by listenerconfig NEW)."""
    return await hat_params.dialog(console, params, listener)


async def _default(ctx: Context, li: Listener) -> None:
    params = await policy_dialog(ctx.console, li.hat.default, li)
    ctx.stage(_edit.put_listener(ctx.config, li.name, _edit.with_default_params(li, params)))


async def _print(ctx: Context, li: Listener) -> None:
    ctx.console.say(render.hat_text(li.hat))


async def _import(ctx: Context, li: Listener) -> None:
    hat = await _cfgfiles.import_table(
        ctx, texts.HAT_IMPORT_FILE, lambda text: formats.parse_hat(text, li.hat.default)
    )
    if hat is not None:
        hat_groups.stage(ctx, li, hat)


async def _export(ctx: Context, li: Listener) -> None:
    await _cfgfiles.export_table(ctx, texts.HAT_EXPORT_FILE, formats.hat_text(li.hat) + "\n")


async def _reset(ctx: Context, li: Listener) -> None:
    if not await ctx.console.confirm(texts.RESET_CONFIRM, False):
        return
    # The factory table of this listener type, RELAYLIST / WHITELIST left empty.
    fresh = new_listener(li.name, li.type, li.interface, li.port, ())
    hat_groups.stage(ctx, li, fresh.hat)


_OPS: dict[str, Op] = {
    "NEW": hat_groups.new,
    "EDIT": hat_group_menu.edit_entry,
    "DELETE": hat_groups.delete,
    "MOVE": hat_groups.move,
    "DEFAULT": _default,
    "PRINT": _print,
    "IMPORT": _import,
    "EXPORT": _export,
    "RESET": _reset,
}
