"""`tail [log_name]` (§8.7): show the end of a log and follow it until Ctrl-C.

An operational command: it reads what the engine publishes (the files under the
data dir's `logs/`), needs no commit and changes nothing.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from esacli import texts
from esacli.commands.context import Context
from esacli.commands.menu import Command

LOGS = ("mail_logs", "system_logs")
FIRST_LINES = 10
_TAIL_WINDOW = 64 * 1024  # enough for the first screen; never read a whole big log


class Follower:
    """Hands out the complete lines appended to a file since the last call."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.offset: int | None = None  # None: first call, show the last lines

    def poll(self) -> str:
        try:
            with self.path.open("rb") as handle:
                size = handle.seek(0, 2)
                start = self._start(size)
                handle.seek(start)
                data = handle.read(size - start)
        except FileNotFoundError:
            return ""
        first = self.offset is None
        complete = data[: data.rfind(b"\n") + 1]
        self.offset = start + len(complete)
        lines = complete.decode("utf-8", "replace").splitlines(keepends=True)
        return "".join(lines[-FIRST_LINES:] if first else lines)

    def _start(self, size: int) -> int:
        if self.offset is None:
            return max(0, size - _TAIL_WINDOW)
        return 0 if size < self.offset else self.offset  # a shorter file was rotated


async def run(ctx: Context, args: Sequence[str]) -> None:
    if len(args) > 1:
        ctx.refuse(texts.ops.TAIL_USAGE)
        return
    name = args[0] if args else await _pick(ctx)
    if name is None:
        return
    if name not in LOGS:
        ctx.refuse(texts.ops.TAIL_UNABLE.format(name=name))
        return
    follower = Follower(ctx.session.store.data_dir / "logs" / name)
    ctx.console.say(texts.ops.TAIL_STOP)
    await ctx.console.follow(follower.poll)


async def _pick(ctx: Context) -> str | None:
    listing = [texts.ops.TAIL_LOG_LINE.format(name=n, kind=texts.ops.TAIL_LOG_TYPES[n])
               for n in LOGS]
    ctx.console.say(texts.ops.TAIL_CONFIGURED)
    index = await ctx.console.choose(texts.ops.TAIL_WHICH, listing, None, list(LOGS))
    return None if index is None else LOGS[index]


COMMAND = Command("tail", texts.shell.DESCRIPTIONS["tail"], run, usage=texts.ops.TAIL_USAGE,
                  takes_args=True)
