"""`tlsreport [in|out|both] [hour|day|week|month|<start> <end>] [<domain>] [detail]`: the
TLS connections report, incoming and outgoing, per domain.

Operational: it reads `<data_dir>/tlsstats.db` (written by the engine, engine/tlsstats/)
in a thread, never talks to the engine, and changes nothing. Without words it asks the
direction, the time range and the domain in the appliance's question style. What each
column counts is defined once (engine/tlsstats/texts.py); `help tlsreport` and `detail`
print the definitions.
"""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass

from engine.tlsstats import report
from engine.tlsstats.store import Reader
from esacli import texts
from esacli.commands.context import Context
from esacli.commands.menu import Command
from esacli.commands.ops.tlsreport import render
from esacli.errors import format_error
from state import report_range
from state.errors import ValueRefused
from state.users import Act
from state.validate_outbound import report_domain

DIRECTIONS = tuple(texts.reports.REPORT_DIRECTIONS)  # in, out, both
PERIODS = tuple(texts.reports.REPORT_PERIODS)  # hour, day, week, month, custom
DETAIL = "detail"


@dataclass(frozen=True)
class Request:
    directions: tuple[str, ...]
    span: report.TimeRange
    domain: str | None
    detail: bool = False


def _span(words: list[str], now: float) -> report.TimeRange:
    """The range the words start with (they are consumed); the last day when none."""
    if words and words[0].lower() in report_range.PERIODS:
        return report.last(words.pop(0).lower(), now)
    if len(words) >= 2 and words[0][:1].isdigit():
        start, end = report_range.parse_custom(words[0], words[1])
        del words[:2]
        return report.custom(start, end)
    if words and words[0][:1].isdigit():
        report_range.parse_date(words[0])  # a lone date: say why it is not a range
    return report.last("day", now)


def parse(args: Sequence[str], now: float) -> Request | str:
    """A request from the command's words, or the message that refuses them."""
    words = list(args)
    detail = bool(words) and words[-1].lower() == DETAIL
    if detail:
        words.pop()
    direction = words.pop(0).lower() if words and words[0].lower() in DIRECTIONS else "both"
    try:
        span = _span(words, now)
    except ValueRefused as refused:
        return format_error(refused)
    domain = None
    if words:
        token = words.pop(0)
        domain = report_domain(token)
        if domain is None:
            return texts.reports.REPORT_BAD_DOMAIN.format(domain=token)
    if words:
        return texts.reports.REPORT_USAGE
    chosen = report.DIRECTIONS if direction == "both" else (direction,)
    return Request(chosen, span, domain, detail)


async def ask(ctx: Context) -> Request | None:
    """The dialog: direction, range (custom: start and end, re-asked until valid), domain."""
    console = ctx.console
    labels = texts.reports.REPORT_DIRECTIONS
    which = await console.choose(texts.reports.REPORT_DIRECTION, list(labels.values()), 3)
    period = await console.choose(texts.reports.REPORT_PERIOD,
                                  list(texts.reports.REPORT_PERIODS.values()), 2)
    if which is None or period is None:
        return None
    span = await _ask_span(ctx, PERIODS[period])
    while True:
        answer = await console.ask(texts.reports.REPORT_DOMAIN)
        domain = report_domain(answer) if answer else None
        if not answer or domain is not None:
            break
        console.say(texts.reports.REPORT_BAD_DOMAIN.format(domain=answer))
    direction = DIRECTIONS[which]
    return Request(report.DIRECTIONS if direction == "both" else (direction,), span, domain)


async def _ask_span(ctx: Context, period: str) -> report.TimeRange:
    if period != "custom":
        return report.last(period, ctx.clock())
    while True:
        start = await ctx.console.ask(texts.reports.REPORT_START)
        end = await ctx.console.ask(texts.reports.REPORT_END)
        try:
            return report.custom(*report_range.parse_custom(start, end))
        except ValueRefused as refused:
            ctx.console.say(format_error(refused))


async def run(ctx: Context, args: Sequence[str]) -> None:
    if args:
        request = parse(args, ctx.clock())
        if isinstance(request, str):
            ctx.refuse(request)
            return
    else:
        asked = await ask(ctx)
        if asked is None:
            return
        request = asked
    await show(ctx, request)


async def show(ctx: Context, request: Request) -> None:
    reader = Reader(ctx.session.store.data_dir)
    try:
        reports = [await asyncio.to_thread(report.tls_report, reader, d, request.span,
                                           request.domain) for d in request.directions]
    except (sqlite3.Error, OSError) as exc:
        ctx.refuse(texts.reports.REPORT_UNREADABLE.format(reason=exc))
        return
    width = ctx.console.width
    for rep in reports:
        ctx.console.say(render.plain(rep, request.domain) if width is None
                        else render.table(rep, width, request.domain))
    if request.detail:
        ctx.console.say(render.definitions())


COMMAND = Command("tlsreport", texts.shell.DESCRIPTIONS["tlsreport"], run,
                  usage="\n\n".join([texts.reports.REPORT_USAGE, render.definitions()]),
                  takes_args=True, kind=Act.LOOK)
