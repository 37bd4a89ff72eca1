"""`findevent` (reference §8.7, §1.4): every mail_logs line of the messages whose
envelope sender, recipient or subject matches (or of one MID), across the rolled-over
files: the lines naming the MID and those of the connections that carried it (ICID,
DCID), in log order (engine/mailevents.py). No commit, nothing changes.

Batch: `findevent [-i] -f from | -s subject | -t to | -m MID log_name`: every match.
"""

from __future__ import annotations

import getopt
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass

from engine import mailevents
from esacli import texts
from esacli.commands.context import Context
from esacli.commands.menu import Command
from esacli.commands.ops.logs.patterns import Pattern, ask_pattern, compiled, searched
from esacli.commands.ops.logs.reading import lines, log_path
from state import numbers
from state.users import Act

LOG = "mail_logs"  # the one log that tracks messages
FIELDS = {"-f": "from", "-s": "subject", "-t": "to"}
SEARCHES = ("from", "mid", "subject", "to")  # the dialog's options, in its order


@dataclass(frozen=True)
class Query:
    what: str  # from, to, subject, mid
    pattern: Pattern | None = None
    mid: int | None = None


def _search(source: Callable[[], Iterator[str]], query: Query) -> dict[int, list[str]]:
    """Streamed passes over the log (a rolled-over log can be large): the MIDs, the
    connections that carried them, then their lines."""
    if query.mid is not None:
        mids = [query.mid]
    else:
        assert query.pattern is not None
        mids = mailevents.matching(source(), query.what, query.pattern)
    if not mids:
        return {}
    seen = mailevents.connections(source())
    found = mailevents.events(source(), mids, seen)
    return {mid: found[mid] for mid in mids if found[mid]}


async def search(ctx: Context, query: Query) -> dict[int, list[str]] | None:
    """The messages found; None if the expression was too slow (said)."""
    path = log_path(ctx, LOG)
    return await searched(ctx, query.pattern, lambda: _search(lambda: lines(path), query))


def _text(found: dict[int, list[str]]) -> str:
    return "\n\n".join("\n".join(entries) for entries in found.values())


async def run(ctx: Context, args: Sequence[str]) -> None:
    if args:
        query = _batch(ctx, args)
        if query is not None:
            found = await search(ctx, query)
            if found:
                ctx.console.say(_text(found))
            elif found is not None:
                ctx.refuse(texts.logs.FINDEVENT_NONE)
        return
    await _dialog(ctx)


async def _dialog(ctx: Context) -> None:
    how = await ctx.console.choose(texts.logs.FINDEVENT_HOW, texts.logs.FINDEVENT_OPTIONS, 1)
    what = SEARCHES[how or 0]
    query = await _ask_mid(ctx) if what == "mid" else await _ask_regex(ctx, what)
    if query is None:
        return
    found = await search(ctx, query)
    if found is None:
        return
    if not found:
        ctx.console.say(texts.logs.FINDEVENT_NONE)
        return
    mids = list(found)
    if len(mids) > 1:
        entries = [_entry(mid, found[mid]) for mid in mids]
        index = await ctx.console.choose(texts.logs.FINDEVENT_FOUND, entries, 1)
        mids = [mids[index or 0]]
    ctx.console.say(_text({mids[0]: found[mids[0]]}))


def _entry(mid: int, entries: list[str]) -> str:
    own = [line for line in entries if f" MID {mid} " in line] or entries
    date = own[0][:24]  # the ctime-style stamp every line starts with (§9)
    sender = next((line.split(" From: ", 1)[1] for line in entries if " From: " in line), "")
    return texts.logs.FINDEVENT_ENTRY.format(mid=mid, date=date, sender=sender).rstrip()


async def _ask_mid(ctx: Context) -> Query | None:
    while True:
        answer = await ctx.console.ask(texts.logs.FINDEVENT_MID)
        if not answer:
            return None
        mid = numbers.parse_int(answer)
        if mid is not None:
            return Query("mid", mid=mid)
        ctx.console.say(texts.logs.FINDEVENT_BAD_MID)


async def _ask_regex(ctx: Context, what: str) -> Query | None:
    text = await ask_pattern(ctx, texts.logs.FINDEVENT_REGEX)
    if not text:
        return None
    pattern = compiled(text, True)
    assert not isinstance(pattern, str)
    return Query(what, pattern)


def _batch(ctx: Context, args: Sequence[str]) -> Query | None:
    try:
        options, rest = getopt.getopt(list(args), "if:s:t:m:")
    except getopt.GetoptError:
        ctx.refuse(texts.logs.FINDEVENT_USAGE)
        return None
    given = dict(options)
    searches = [key for key in (*FIELDS, "-m") if key in given]
    if len(searches) != 1 or len(rest) != 1:
        ctx.refuse(texts.logs.FINDEVENT_USAGE)
        return None
    if rest[0] != LOG:
        ctx.refuse(texts.logs.NO_SUCH_LOG.format(name=rest[0]))
        return None
    key = searches[0]
    if key == "-m":
        mid = numbers.parse_int(given["-m"])
        if mid is None:
            ctx.refuse(texts.logs.FINDEVENT_BAD_MID)
            return None
        return Query("mid", mid=mid)
    pattern = compiled(given[key], "-i" in given)
    if isinstance(pattern, str):
        ctx.refuse(pattern)
        return None
    return Query(FIELDS[key], pattern)


COMMAND = Command("findevent", texts.shell.DESCRIPTIONS["findevent"], run,
                  usage=texts.logs.FINDEVENT_USAGE, takes_args=True, kind=Act.LOOK)
