"""`rate [seconds]`: message throughput while it runs, one line per interval (messages
and recipients received, recipients completed, each with its change since the line
before), until Ctrl-C returns to the prompt. It reads status.json, which the engine
writes every few seconds (engine/status.py); it changes nothing (§2.1)."""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass

from engine.status import status_path
from esacli import status_doc, texts
from esacli.commands.context import Context
from esacli.commands.menu import Command
from esacli.commands.value_questions import ask_int
from esacli.errors import StatusUnreadable
from state.ranges import RATE_SECONDS as INTERVALS
from state.users import Act

DEFAULT_INTERVAL = 10
TIME = 9  # "HH:MM:SS "


@dataclass
class Figures:
    connections: int
    messages: int
    recipients: int
    completed: int
    active: int


def header() -> str:
    tops = " " * TIME + "".join(f"{top:>{width}}" for top, _, width in texts.control.RATE_COLUMNS)
    names = f"{texts.control.RATE_TIME:<{TIME}}" + "".join(
        f"{name:>{width}}" for _, name, width in texts.control.RATE_COLUMNS)
    return f"{tops}\n{names}"


def row(now: float, figures: Figures, before: Figures | None) -> str:
    last = before or figures
    cells = (figures.connections, figures.messages, figures.messages - last.messages,
             figures.recipients, figures.recipients - last.recipients, figures.completed,
             figures.completed - last.completed, figures.active)
    widths = [width for _, _, width in texts.control.RATE_COLUMNS]
    stamp = time.strftime("%H:%M:%S", time.localtime(now))
    return f"{stamp:<{TIME}}" + "".join(
        f"{cell:>{width}}" for cell, width in zip(cells, widths, strict=True))


def _figures(ctx: Context) -> Figures | None:
    try:
        doc = status_doc.read(status_path(ctx.session.store.data_dir))
    except StatusUnreadable:
        return None
    if doc is None or not status_doc.alive(doc, ctx.clock()):
        return None
    c, g = doc.counters, doc.gauges
    return Figures(g.inbound_connections, c.messages_received, c.recipients_received,
                   c.completed_recipients, g.active_recipients)


class Rows:
    """What `console.follow` shows each interval: one row, or why there is none."""

    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx
        self.before: Figures | None = None

    def poll(self) -> str:
        figures = _figures(self.ctx)
        if figures is None:
            return texts.control.RATE_UNAVAILABLE + "\n"
        line = row(self.ctx.clock(), figures, self.before)
        self.before = figures
        return line + "\n"


async def show(ctx: Context, interval: int) -> None:
    if _figures(ctx) is None:
        ctx.refuse(texts.ops.STATUS_NOT_RUNNING)
        return
    ctx.console.say(f"{texts.control.RATE_STOP}\n\n{header()}")
    await ctx.console.follow(Rows(ctx).poll, float(interval))


async def rate(ctx: Context, args: Sequence[str]) -> None:
    if len(args) > 1:
        ctx.refuse(texts.control.RATE_USAGE)
        return
    if args:
        interval = INTERVALS.parse(args[0])
        if interval is None:
            ctx.refuse(INTERVALS.message)
            return
    else:
        interval = await ask_int(ctx.console, texts.control.RATE_INTERVAL, DEFAULT_INTERVAL,
                                 INTERVALS)
    await show(ctx, interval)


COMMAND = Command("rate", texts.shell.DESCRIPTIONS["rate"], rate, usage=texts.control.RATE_USAGE,
                  takes_args=True, kind=Act.LOOK)
