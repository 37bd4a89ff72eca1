"""`grep` (reference §8.7): the lines of a log that match a regular expression, across
its rolled-over files, with context (-C n), as a count (-c), case-insensitively (-i),
and then following the log (-t) until Ctrl-C. No commit, nothing changes.

Batch: `grep -e regexp [-c] [-C n] [-i] [-t] log_name`.
"""

from __future__ import annotations

import contextlib
import getopt
from collections import deque
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from esacli import texts
from esacli.commands.context import Context
from esacli.commands.menu import Command
from esacli.commands.ops.logs.patterns import (
    Pattern,
    SearchStopped,
    ask_pattern,
    compiled,
    searched,
)
from esacli.commands.ops.logs.reading import LOGS, Follower, lines, log_path, pick
from state import ranges
from state.users import Act


@dataclass(frozen=True)
class Search:
    log: str
    pattern: Pattern
    count: bool = False
    context: int = 0
    follow: bool = False


def found(source: Iterable[str], search: Search) -> list[str]:
    """The matching lines, each with `context` lines around it; groups apart by `--`."""
    before: deque[str] = deque(maxlen=search.context)
    out: list[str] = []
    after, last = 0, -2
    for n, line in enumerate(source):
        if search.pattern.search(line):
            if search.context and out and n - len(before) > last + 1:
                out.append(texts.logs.CONTEXT_SEPARATOR)
            out.extend(before)
            out.append(line)
            before.clear()
            after, last = search.context, n
        elif after:
            out.append(line)
            after, last = after - 1, n
        else:
            before.append(line)
    return out


async def show(ctx: Context, search: Search) -> None:
    path = log_path(ctx, search.log)
    if search.count:
        total = await searched(ctx, search.pattern, lambda: sum(
            1 for line in lines(path) if search.pattern.search(line)))
        if total is None:
            return
        ctx.console.say(texts.logs.GREP_COUNT.format(count=total))
    else:
        result = await searched(ctx, search.pattern, lambda: found(lines(path), search))
        if result is None:
            return
        ctx.console.say("\n".join(result) if result else texts.logs.GREP_NONE)
    if search.follow:
        await _follow(ctx, search)


async def _follow(ctx: Context, search: Search) -> None:
    follower = Follower(log_path(ctx, search.log))
    follower.poll()  # from the end: what was there has been shown

    def matching() -> str:
        return "".join(line for line in follower.poll().splitlines(keepends=True)
                       if search.pattern.search(line.rstrip("\n")))
    ctx.console.say(texts.ops.TAIL_STOP)
    with contextlib.closing(follower):
        try:
            await ctx.console.follow(matching)
        except SearchStopped as stopped:  # a new line too slow for the expression
            ctx.console.say(str(stopped))


async def run(ctx: Context, args: Sequence[str]) -> None:
    search = _batch(ctx, args) if args else await _dialog(ctx)
    if search is not None:
        await show(ctx, search)


async def _dialog(ctx: Context) -> Search | None:
    log = await pick(ctx, texts.logs.GREP_WHICH)
    if log is None:
        return None
    text = await ask_pattern(ctx, texts.logs.GREP_REGEX)
    if not text:
        return None
    insensitive = await ctx.console.confirm(texts.logs.GREP_CASE, True)
    follow = await ctx.console.confirm(texts.logs.GREP_TAIL, False)
    pattern = compiled(text, insensitive)
    assert not isinstance(pattern, str)  # ask_pattern compiled it already
    return Search(log, pattern, follow=follow)


def _batch(ctx: Context, args: Sequence[str]) -> Search | None:
    try:
        options, rest = getopt.getopt(list(args), "e:cC:it")
    except getopt.GetoptError:
        ctx.refuse(texts.logs.GREP_USAGE)
        return None
    given = dict(options)
    if "-e" not in given or len(rest) != 1:
        ctx.refuse(texts.logs.GREP_USAGE)
        return None
    allowed = ranges.GREP_CONTEXT
    context = allowed.parse(given.get("-C", "0"))
    if context is None:
        ctx.refuse(texts.logs.GREP_BAD_CONTEXT.format(value=given["-C"], reason=allowed.message))
        return None
    if rest[0] not in LOGS:
        ctx.refuse(texts.logs.GREP_UNABLE.format(name=rest[0]))
        return None
    pattern = compiled(given["-e"], "-i" in given)
    if isinstance(pattern, str):
        ctx.refuse(pattern)
        return None
    return Search(rest[0], pattern, "-c" in given, context, "-t" in given)


COMMAND = Command("grep", texts.shell.DESCRIPTIONS["grep"], run, usage=texts.logs.GREP_USAGE,
                  takes_args=True, kind=Act.LOOK)
