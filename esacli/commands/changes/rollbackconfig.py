"""`rollbackconfig` (§2.4): restore one of the last 10 committed configurations.

History is append-only (commit model §3): a rollback committed now is a NEW
version (source "rollback") whose content is the chosen one's; a rollback not
committed now becomes this session's pending candidate, like any edit. SETUP
only says that rollback is always on: every commit is kept, so there is nothing
to enable or disable.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence

from engine.inbound.binding import probe
from esacli import render, texts
from esacli.commands.context import Context
from esacli.commands.menu import Command, Menu
from esacli.errors import config_errors
from state.errors import CommitRefused
from state.store import VersionInfo

# An operation returns whether the menu comes back (SETUP) or the command ends (ROLLBACK).
Operation = Callable[[Context], Awaitable[bool]]


async def run(ctx: Context, args: Sequence[str]) -> None:
    while (item := await MENU.choose(ctx.console)) is not None:
        if not await item.handler(ctx):
            return


async def setup(ctx: Context) -> bool:
    ctx.console.say(texts.changes.ROLLBACK_SETUP)
    return True


async def rollback(ctx: Context) -> bool:
    await _rollback(ctx)
    return False


def _lines(history: Sequence[VersionInfo]) -> list[str]:
    """One line per version, the short columns padded so the comments line up."""
    width = {f: max(len(str(getattr(v, f))) for v in history) for f in ("number", "user", "source")}
    return [
        texts.changes.ROLLBACK_LINE.format(
            number=str(v.number).ljust(width["number"]), date=render.date(v.time),
            user=v.user.ljust(width["user"]), source=v.source.ljust(width["source"]),
            comment=v.comment,
        ).rstrip()
        for v in history
    ]


async def _rollback(ctx: Context) -> None:
    history = ctx.session.store.history(texts.changes.ROLLBACK_LIMIT)
    ctx.console.say(texts.changes.ROLLBACK_LIST_TITLE)
    index = await ctx.console.choose(texts.changes.ROLLBACK_WHICH, _lines(history))
    if index is None:
        return
    number = history[index].number
    if not await ctx.console.confirm(texts.changes.ROLLBACK_CONFIRM, False):
        return
    if not await ctx.console.confirm(texts.changes.ROLLBACK_COMMIT_NOW, False):
        ctx.stage(ctx.session.store.load(number))
        ctx.console.say(texts.changes.ROLLBACK_STAGED.format(number=number))
        return
    default = texts.changes.ROLLBACK_COMMENT.format(number=number)
    comment = await ctx.console.ask(texts.changes.COMMIT_COMMENT, default)
    try:
        result = ctx.session.rollback(number, comment, probe=probe)
    except CommitRefused as refused:
        ctx.console.say(config_errors(refused.errors))
        return
    lines = [texts.changes.COMMITTED.format(date=render.date(result.info.time))]
    if result.confirmed is not None:
        lines.append(texts.changes.COMMIT_CONFIRMED.format(version=result.confirmed.version))
    ctx.console.say("\n".join(lines))


MENU: Menu[Operation] = Menu.of(texts.changes.ROLLBACK_MENU, {"ROLLBACK": rollback, "SETUP": setup})

COMMAND = Command("rollbackconfig", texts.shell.DESCRIPTIONS["rollbackconfig"], run)
