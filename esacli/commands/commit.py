"""`commit` (§2.2): merge if needed, validate, write one version."""

from __future__ import annotations

from collections.abc import Sequence

from esacli import render, texts
from esacli.commands.base import Context
from state.errors import CommitRefused


async def commit(ctx: Context, args: Sequence[str]) -> None:
    if not ctx.session.pending:
        ctx.console.say(texts.NO_DATA_TO_COMMIT)
        return
    comment = await ctx.console.ask(texts.COMMIT_COMMENT)
    try:
        result = ctx.session.commit(comment)
    except CommitRefused as refused:
        if refused.conflicts:
            ctx.console.say(render.conflicts(refused.conflicts))
        else:
            ctx.console.say(render.config_errors(refused.errors))
        return
    if result is None:  # the candidate turned out equal to the head
        ctx.console.say(texts.NO_DATA_TO_COMMIT)
        return
    if result.merged:
        ctx.console.say("\n".join([texts.COMMIT_MERGED, *result.merged]))
    ctx.console.say(texts.COMMITTED.format(date=render.date(result.info.time)))
