"""`clear` (§2.3): drop this session's pending changes."""

from __future__ import annotations

from collections.abc import Sequence

from esacli import render, texts
from esacli.commands.context import Context
from esacli.commands.menu import Command


async def clear(ctx: Context, args: Sequence[str]) -> None:
    if not ctx.session.pending:
        ctx.console.say(texts.changes.NO_CHANGES)
        return
    if await ctx.console.confirm(texts.changes.CLEAR_CONFIRM, True, blank=False):
        ctx.session.clear()
        ctx.console.write(texts.changes.CLEARED.format(date=render.date(ctx.clock())) + "\n")


COMMAND = Command("clear", texts.shell.DESCRIPTIONS["clear"], clear, aliases=("clearchanges",))
