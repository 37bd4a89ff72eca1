"""`hoststatus <domain>`: one destination as delivery sees it: its recipients in the
queue and what became of the others, its connection attempts over the last 30 days,
whether the latest one connected and the latest error (queue.db; engine/queue/hosts.py),
the last connection's TLS (tlsstats.db), and whether suspenddel holds it.
Operational: it reads what the engine publishes and changes nothing (§2.1)."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from typing import Any

from engine.queue.admin import DomainLoad
from engine.queue.hosts import HostState
from engine.tlsstats.events import OUTBOUND
from engine.tlsstats.store import Reader
from esacli import texts
from esacli.commands.context import Context
from esacli.commands.menu import Command
from esacli.commands.ops.queue import database
from esacli.commands.ops.queue.questions import ask_domain
from esacli.render import date
from state import operations
from state.users import Act
from state.validate_outbound import is_host, normalise_domain

DAYS = 30
LABEL = 30  # width of the labels column


def _tls(event: tuple[Any, ...] | None) -> str:
    if event is None:
        return texts.control.HOSTSTATUS_ABSENT
    at, peer, _ip, _offered, outcome, _type, verify, verified, _name, version, cipher, _ = event
    what = " ".join(part for part in (outcome, version, cipher) if part)
    trust = "verified" if verified else f"not verified ({verify})" if verify else "not verified"
    return f"{what}, {trust}, {peer}, {date(at)}"


def _last_tls(data_dir: Any, domain: str, now: float) -> tuple[Any, ...] | None:
    """The last connection's TLS (tlsstats.db keeps only connections that were greeted)."""
    last = Reader(data_dir).events(OUTBOUND, domain, now - DAYS * 86400, now + 1, limit=1)
    return last[0] if last else None


def _up(up: bool | None) -> str:
    if up is None:
        return texts.control.HOSTSTATUS_UNKNOWN
    return texts.control.HOSTSTATUS_UP if up else texts.control.HOSTSTATUS_DOWN


def report(domain: str, load: DomainLoad, host: HostState, last: tuple[Any, ...] | None,
           suspended: bool, now: float) -> str:
    values = {
        "as_of": date(now), "up": _up(host.up),
        "delivery": (texts.control.HOSTSTATUS_SUSPENDED if suspended
                     else texts.control.HOSTSTATUS_RUNNING),
        "active": f"{load.active:,}", "delivered": f"{load.delivered:,}",
        "hard_bounced": f"{load.hard_bounced:,}", "soft_bounced": f"{load.soft_bounced:,}",
        "connections": f"{host.attempts:,}", "tls": _tls(last),
        "error": host.error or texts.control.HOSTSTATUS_ABSENT,
    }
    lines = [texts.control.HOSTSTATUS_HEAD.format(domain=domain), ""]
    lines += [f"{label:<{LABEL}}{values[key]}" for label, key in texts.control.HOSTSTATUS_ROWS]
    return "\n".join(lines)


async def hoststatus(ctx: Context, args: Sequence[str]) -> None:
    if len(args) > 1:
        ctx.refuse(texts.control.HOSTSTATUS_USAGE)
        return
    if args:
        domain = normalise_domain(args[0])
        if not is_host(domain):
            ctx.refuse(texts.queue.QUEUE_BAD_DOMAIN.format(domain=args[0]))
            return
    else:
        asked = await ask_domain(ctx, texts.control.HOSTSTATUS_DOMAIN)
        if asked is None:
            return
        domain = asked
    admin, now = database.admin(ctx), ctx.clock()
    load = await database.call(ctx, admin.domain_load, domain)
    host = await database.call(ctx, admin.host, domain, now - DAYS * 86400)
    if load is None or host is None:
        return
    last = await asyncio.to_thread(_last_tls, ctx.session.store.data_dir, domain, now)
    held = operations.delivery_suspended(ctx.session.store.load(), domain)
    ctx.console.say(report(domain, load, host, last, held, now))


COMMAND = Command("hoststatus", texts.shell.DESCRIPTIONS["hoststatus"], hoststatus,
                  usage=texts.control.HOSTSTATUS_USAGE, takes_args=True, kind=Act.LOOK)
