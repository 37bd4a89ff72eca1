"""`who` (the sessions open now) and `last` (recent logins): esacli/logins.py keeps both."""

from __future__ import annotations

import time
from collections.abc import Sequence

from esacli import render, texts
from esacli.commands.context import Context
from esacli.commands.menu import Command
from esacli.logins import Login
from state.users import Act


def duration(seconds: float) -> str:
    """`45s`, `12m`, `3h 05m`, `2d 04h`."""
    total = max(0, int(seconds))
    days, rest = divmod(total, 86400)
    hours, rest = divmod(rest, 3600)
    minutes, secs = divmod(rest, 60)
    if days:
        return f"{days}d {hours:02d}h"
    if hours:
        return f"{hours}h {minutes:02d}m"
    return f"{minutes}m" if minutes else f"{secs}s"


def _short(timestamp: float) -> str:
    return time.strftime("%a %b %d %H:%M", time.localtime(timestamp))


def who_table(logins: Sequence[Login], now: float) -> str:
    rows = [(x.user, time.strftime("%I:%M%p", time.localtime(x.start)), duration(now - x.active),
             x.host, x.what) for x in logins]
    return render.columns([texts.users.WHO_COLUMNS, *rows])


def last_table(logins: Sequence[Login], now: float) -> str:
    rows = [(x.user, x.host, _short(x.start),
             texts.users.LAST_STILL if x.end is None else _short(x.end),
             duration((now if x.end is None else x.end) - x.start)) for x in logins]
    return render.columns([texts.users.LAST_COLUMNS, *rows])


async def who(ctx: Context, args: Sequence[str]) -> None:
    current = [] if ctx.logins is None else ctx.logins.current()
    ctx.console.say(who_table(current, ctx.clock()))


async def last(ctx: Context, args: Sequence[str]) -> None:
    history = [] if ctx.logins is None else ctx.logins.history()
    if not history:
        ctx.console.say(texts.users.LAST_NONE)
        return
    ctx.console.say(last_table(history, ctx.clock()))


WHO = Command("who", texts.shell.DESCRIPTIONS["who"], who, kind=Act.LOOK)
LAST = Command("last", texts.shell.DESCRIPTIONS["last"], last, kind=Act.LOOK)
