"""listenerconfig -> EDIT -> RCPTACCESS (§5): the RAT menu, and the NEW one-line form
(`listenerconfig edit <listener> rcptaccess new <address> <accept|reject>`)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from esacli import texts
from esacli.commands import config_files
from esacli.commands.context import Context
from esacli.commands.listenerconfig.rcptaccess.questions import ACTIONS, ask_address, ask_entry
from esacli.commands.menu import Menu, Turn, loop
from esacli.errors import BatchRefused
from state import formats, forms, model
from state.edit import listeners
from state.edit import rat as edit
from state.errors import EditRefused
from state.model import Listener, RatAction, RatEntry

Operation = Callable[[Context, Listener], Awaitable[None]]


async def run(ctx: Context, name: str) -> None:
    def turn() -> Turn[Operation] | None:
        li = model.by_name(ctx.config.listeners, name)
        if li is None:
            return None
        return texts.rat.RAT_COUNT.format(count=len(li.rat)), MENU, (ctx, li)
    await loop(ctx.console, turn)


def run_batch(ctx: Context, li: Listener, words: list[str]) -> None:
    form, rest = MENU.batch(words, texts.listener.BATCH_USAGE_ERROR)
    form(ctx, li, rest)


def _stage(ctx: Context, li: Listener, rat: tuple[RatEntry, ...]) -> None:
    ctx.stage(listeners.edit_listener(ctx.config, li.name, rat=rat))


async def new(ctx: Context, li: Listener) -> None:
    address = await ask_address(ctx.console, li)
    entry = await ask_entry(ctx.console, address, texts.rat.RAT_ACTION)
    _stage(ctx, li, edit.insert_rat(li.rat, entry))


def new_batch(ctx: Context, li: Listener, rest: list[str]) -> None:
    if len(rest) != 2 or rest[1].upper() not in RatAction.__members__:
        raise BatchRefused(texts.listener.BATCH_USAGE_ERROR)
    address = forms.normalise_rat_address(rest[0])
    refusal = edit.address_refusal(li.rat, address)
    if refusal is not None:
        raise BatchRefused(refusal)
    entry = RatEntry(address=address, action=RatAction(rest[1].upper()))
    _stage(ctx, li, edit.insert_rat(li.rat, entry))


async def _pick(ctx: Context, li: Listener, question: str) -> int | None:
    while True:
        answer = await ctx.console.ask(question)
        if not answer:
            return None
        index = edit.find_rat(li.rat, answer)
        if index is not None:
            return index
        ctx.console.say(texts.rat.RAT_NOT_FOUND.format(address=answer))


async def edit_entry(ctx: Context, li: Listener) -> None:
    index = await _pick(ctx, li, texts.rat.RAT_EDIT_WHICH)
    if index is None:
        return
    current = li.rat[index]
    question = texts.rat.RAT_ACCESS_FOR.format(address=current.address)
    entry = await ask_entry(ctx.console, current.address, question, current)
    _stage(ctx, li, edit.set_entry(li.rat, index, entry))


async def delete(ctx: Context, li: Listener) -> None:
    index = await _pick(ctx, li, texts.rat.RAT_DELETE_WHICH)
    if index is None:
        return
    try:
        _stage(ctx, li, edit.remove_entry(li.rat, index))
    except EditRefused as refused:
        ctx.console.say(refused.message)


async def print_table(ctx: Context, li: Listener) -> None:
    ctx.console.say(f"{texts.rat.RAT_TITLE}\n\n{formats.rat_text(li.rat)}")


async def import_table(ctx: Context, li: Listener) -> None:
    rat = await config_files.import_table(ctx, texts.hat.HAT_IMPORT_FILE, formats.parse_rat)
    if rat is not None:
        _stage(ctx, li, rat)


async def export_table(ctx: Context, li: Listener) -> None:
    await config_files.export_table(ctx, texts.hat.HAT_EXPORT_FILE, formats.rat_text(li.rat) + "\n")


async def clear(ctx: Context, li: Listener) -> None:
    labels = list(texts.rat.RAT_ACTIONS)
    index = await ctx.console.choose(texts.rat.RAT_CLEAR_DEFAULT, labels, 2)
    _stage(ctx, li, edit.cleared(ACTIONS[1 if index is None else index]))
    ctx.console.say(texts.rat.RAT_CLEARED)


MENU: Menu[Operation] = Menu.of(texts.rat.RAT_MENU, {
    "NEW": new, "EDIT": edit_entry, "DELETE": delete, "PRINT": print_table,
    "IMPORT": import_table, "EXPORT": export_table, "CLEAR": clear,
}, batch={"NEW": new_batch})
