"""`rollbackconfig` (§2.4): restore one of the last 10 committed configurations.

History is append-only (commit model §3): a rollback committed now is a NEW
version (source "rollback") whose content is the chosen one's; a rollback not
committed now becomes this session's pending candidate, like any edit. SETUP
only says that rollback is always on: every commit is kept, so there is nothing
to enable or disable.
"""

from __future__ import annotations

from collections.abc import Sequence

from engine.inbound.binding import probe
from esacli import render, texts
from esacli.commands.context import Context
from esacli.commands.menu import DONE, Command, Menu, Operation, run_menu
from esacli.errors import config_errors
from state import operations
from state.errors import CommitRefused, StateError
from state.store import VersionInfo
from state.users import Act


async def run(ctx: Context, args: Sequence[str]) -> None:
    await run_menu(ctx, MENU)


async def setup(ctx: Context) -> None:
    ctx.console.say(texts.changes.ROLLBACK_SETUP)


async def rollback(ctx: Context) -> object:
    """Whatever the answers, the command ends after a rollback (or its refusal)."""
    await _rollback(ctx)
    return DONE


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
    try:
        history = await ctx.call(ctx.session.rollback_points, texts.changes.ROLLBACK_LIMIT)
    except StateError as exc:  # a cluster member that cannot reach the cluster database
        ctx.refuse(str(exc))
        return
    ctx.console.say(texts.changes.ROLLBACK_LIST_TITLE)
    index = await ctx.console.choose(texts.changes.ROLLBACK_WHICH, _lines(history))
    if index is None:
        return
    number = history[index].number
    if not await ctx.console.confirm(texts.changes.ROLLBACK_CONFIRM, False):
        return
    if not await ctx.console.confirm(texts.changes.ROLLBACK_COMMIT_NOW, False):
        loaded = await ctx.call(ctx.session.load, number)
        ctx.stage(operations.keep_operational(ctx.config, loaded))  # (as rollback does)
        ctx.console.say(texts.changes.ROLLBACK_STAGED.format(number=number))
        return
    default = texts.changes.ROLLBACK_COMMENT.format(number=number)
    comment = await ctx.console.ask(texts.changes.COMMIT_COMMENT, default)
    try:
        result = await ctx.call(ctx.session.rollback, number, comment, probe=probe)
    except CommitRefused as refused:
        ctx.refuse(config_errors(refused.errors))
        return
    except StateError as exc:
        ctx.refuse(str(exc))
        return
    lines = [texts.changes.COMMITTED.format(date=render.date(result.info.time))]
    if result.confirmed is not None:
        lines.append(texts.changes.COMMIT_CONFIRMED.format(version=result.confirmed.version))
    ctx.console.say("\n".join(lines))


MENU: Menu[Operation] = Menu.of(texts.changes.ROLLBACK_MENU, {"ROLLBACK": rollback, "SETUP": setup})

COMMAND = Command("rollbackconfig", texts.shell.DESCRIPTIONS["rollbackconfig"], run, menu=MENU,
                  kind=Act.COMMIT)
