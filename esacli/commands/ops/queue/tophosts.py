"""`tophosts`: the destination domains with the most queued work, ranked (§2.1: no commit)."""

from __future__ import annotations

from collections.abc import Sequence

from esacli import texts
from esacli.commands.context import Context
from esacli.commands.menu import Command
from esacli.commands.ops.queue import database
from esacli.commands.ops.queue.render import tophosts as tophosts_table


async def tophosts(ctx: Context, args: Sequence[str]) -> None:
    labels = [label for label, _ in texts.queue.TOPHOSTS_OPTIONS]
    how = await ctx.console.choose(texts.queue.TOPHOSTS_SORT, labels, 1)
    key = texts.queue.TOPHOSTS_OPTIONS[how or 0][1]
    loads = await database.call(ctx, database.admin(ctx).top_domains, key)
    if loads is not None:
        ctx.console.say(tophosts_table(loads, ctx.clock()))


COMMAND = Command("tophosts", texts.queue.TOPHOSTS_DESCRIPTION, tophosts)
