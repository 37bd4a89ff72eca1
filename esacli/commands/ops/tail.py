"""`tail [log_name]` (§8.7): show the end of a log and follow it until Ctrl-C.

An operational command: it reads what the engine publishes (the files under the
data dir's `logs/`), needs no commit and changes nothing.
"""

from __future__ import annotations

import contextlib
from collections.abc import Sequence

from esacli import texts
from esacli.commands.context import Context
from esacli.commands.menu import Command
from esacli.commands.ops.logs.reading import LOGS, Follower, log_path, pick
from state.users import Act


async def run(ctx: Context, args: Sequence[str]) -> None:
    if len(args) > 1:
        ctx.refuse(texts.ops.TAIL_USAGE)
        return
    name = args[0] if args else await pick(ctx, texts.ops.TAIL_WHICH)
    if name is None:
        return
    if name not in LOGS:
        ctx.refuse(texts.ops.TAIL_UNABLE.format(name=name))
        return
    follower = Follower(log_path(ctx, name))
    ctx.console.say(texts.ops.TAIL_STOP)
    with contextlib.closing(follower):
        await ctx.console.follow(follower.poll)


COMMAND = Command("tail", texts.shell.DESCRIPTIONS["tail"], run, usage=texts.ops.TAIL_USAGE,
                  takes_args=True, kind=Act.LOOK)
