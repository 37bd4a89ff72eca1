"""listenerconfig -> EDIT -> RCPTACCESS (§5): the Recipient Access Table of a public listener."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from esacli import texts
from esacli.commands import _cfgfiles, hat_params
from esacli.commands import _edit as _editing
from esacli.commands import hat_edit as edit
from esacli.commands.base import Context
from esacli.console import Console
from state import formats, forms, model, ranges
from state.model import Listener, RatAction, RatEntry

Op = Callable[[Context, Listener], Awaitable[None]]
_ACTIONS = [RatAction.ACCEPT, RatAction.REJECT]


async def run(ctx: Context, name: str) -> None:
    while True:
        li = model.by_name(ctx.config.listeners, name)
        if li is None:
            return
        ctx.console.say(texts.RAT_COUNT.format(count=len(li.rat)))
        op = await ctx.console.menu(texts.RAT_MENU)
        if op is None:
            return
        await _OPS[op](ctx, li)


def _stage(ctx: Context, li: Listener, rat: tuple[RatEntry, ...]) -> None:
    ctx.stage(_editing.edit_listener(ctx.config, li.name, rat=rat))


async def ask_address(console: Console, li: Listener) -> str:
    while True:
        answer = await console.ask(texts.RAT_ADDRESS)
        if not answer:
            console.say(texts.ENTER_A_VALUE)
        elif not forms.rat_address_ok(answer):
            console.say(texts.RAT_INVALID)
        elif edit.find_rat(li.rat, forms.normalise_rat_address(answer)) is not None:
            console.say(texts.RAT_EXISTS.format(address=answer))
        else:
            return forms.normalise_rat_address(answer)


async def ask_entry(console: Console, address: str, question: str,
                    current: RatEntry | None = None) -> RatEntry:
    """Action, custom response, receiving-control bypass: the §5 follow-up questions."""
    labels = list(texts.RAT_ACTIONS)
    default = _ACTIONS.index(current.action) + 1 if current else 1
    index = await console.choose(question, labels, default)
    action = _ACTIONS[default - 1 if index is None else index]
    code: int | None = None
    text: str | None = None
    has_custom = current is not None and current.response_code is not None
    if await console.confirm(texts.RAT_CUSTOM, has_custom):
        standard, codes = ((250, ranges.ACCEPT_CODE) if action is RatAction.ACCEPT
                           else (550, ranges.REFUSE_CODE))
        old_code = current.response_code if current and has_custom else None
        code = await hat_params.ask_code(console, standard, old_code, codes)
        text = await hat_params.ask_text(console, current.response_text if current else None)
    bypass = False
    if action is RatAction.ACCEPT:
        bypass = await console.confirm(
            texts.RAT_BYPASS, bool(current and current.bypass_receiving_control))
    return RatEntry(address=address, action=action, response_code=code, response_text=text,
                    bypass_receiving_control=bypass)


async def _new(ctx: Context, li: Listener) -> None:
    address = await ask_address(ctx.console, li)
    entry = await ask_entry(ctx.console, address, texts.RAT_ACTION)
    _stage(ctx, li, edit.insert_rat(li.rat, entry))


async def _pick(ctx: Context, li: Listener, question: str) -> int | None:
    while True:
        answer = await ctx.console.ask(question)
        if not answer:
            return None
        index = edit.find_rat(li.rat, answer)
        if index is not None:
            return index
        ctx.console.say(texts.RAT_NOT_FOUND.format(address=answer))


async def _edit(ctx: Context, li: Listener) -> None:
    index = await _pick(ctx, li, texts.RAT_EDIT_WHICH)
    if index is None:
        return
    current = li.rat[index]
    question = texts.RAT_ACCESS_FOR.format(address=current.address)
    entry = await ask_entry(ctx.console, current.address, question, current)
    _stage(ctx, li, li.rat[:index] + (entry,) + li.rat[index + 1:])


async def _delete(ctx: Context, li: Listener) -> None:
    index = await _pick(ctx, li, texts.RAT_DELETE_WHICH)
    if index is None:
        return
    if li.rat[index].address == "ALL":
        ctx.console.say(texts.RAT_ALL_FIXED)
        return
    _stage(ctx, li, li.rat[:index] + li.rat[index + 1:])


async def _print(ctx: Context, li: Listener) -> None:
    ctx.console.say(f"{texts.RAT_TITLE}\n\n{formats.rat_text(li.rat)}")


async def _import(ctx: Context, li: Listener) -> None:
    rat = await _cfgfiles.import_table(ctx, texts.HAT_IMPORT_FILE, formats.parse_rat)
    if rat is not None:
        _stage(ctx, li, rat)


async def _export(ctx: Context, li: Listener) -> None:
    await _cfgfiles.export_table(ctx, texts.HAT_EXPORT_FILE, formats.rat_text(li.rat) + "\n")


async def _clear(ctx: Context, li: Listener) -> None:
    labels = list(texts.RAT_ACTIONS)
    index = await ctx.console.choose(texts.RAT_CLEAR_DEFAULT, labels, 2)
    action = _ACTIONS[1 if index is None else index]
    _stage(ctx, li, (RatEntry(address="ALL", action=action),))
    ctx.console.say(texts.RAT_CLEARED)


_OPS: dict[str, Op] = {
    "NEW": _new, "EDIT": _edit, "DELETE": _delete, "PRINT": _print, "IMPORT": _import,
    "EXPORT": _export, "CLEAR": _clear,
}
