"""`tlsreadiness <domain> [in | out | both] [nolive]`: is a partner ready for a stricter
TLS setting?

From the TLS statistics (engine/tlsstats/readiness.py), per MX host outbound and per
client inbound over the last 7 days: STARTTLS offered, versions, ciphers, certificate
names, failures in RFC 8460 terms, and the dry run "at Required - Verify, N of the last
M deliveries would have failed, because ...". Outbound, unless `nolive`, every MX is
also probed now (engine/outbound/peerprobe.py: nothing is sent) for its chain, names and
days to expiry, and DANE / MTA-STS are looked up as delivery would (engine/trace.py, with
the MTA-STS policies delivery has cached: `trace`'s `destinations`).
Like tlsverify it acts on the committed configuration and needs no commit.
"""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import Sequence

from engine.outbound.mtasts_cache import Cached
from engine.outbound.peerprobe import probe_domain
from engine.outbound.resolver import Kind
from engine.tlsstats import readiness, report
from engine.tlsstats.store import Reader
from esacli import texts
from esacli.commands.context import Context
from esacli.commands.dnspolicy.cache import policy_store
from esacli.commands.menu import Command
from esacli.commands.ops.tlsreadiness import render
from esacli.commands.ops.trace.command import destinations
from state.users import Act
from state.validate_outbound import report_domain

R = texts.reports
NOLIVE = "nolive"
DIRECTIONS = {"in": ("in",), "out": ("out",), "both": ("out", "in")}


async def run(ctx: Context, args: Sequence[str]) -> None:
    words = [a.lower() for a in args]
    live = NOLIVE not in words
    words = [w for w in words if w != NOLIVE]
    if not words:
        if args:
            ctx.refuse(R.READY_USAGE)
            return
        answer = await ctx.console.ask(R.READY_DOMAIN)
        if not answer:
            return
        words = [answer]
    if len(words) > 2 or (len(words) == 2 and words[1] not in DIRECTIONS):
        ctx.refuse(R.READY_USAGE)
        return
    domain = report_domain(words[0])
    if domain is None:
        ctx.refuse(R.REPORT_BAD_DOMAIN.format(domain=words[0]))
        return
    for direction in DIRECTIONS[words[1] if len(words) == 2 else "both"]:
        await show(ctx, domain, direction, live)


async def show(ctx: Context, domain: str, direction: str, live: bool) -> None:
    now = ctx.clock()
    reader = Reader(ctx.session.store.data_dir)
    try:
        found = await asyncio.to_thread(readiness.readiness, reader, direction, domain,
                                        report.last("week", now))
    except (sqlite3.Error, OSError) as exc:
        ctx.refuse(R.REPORT_UNREADABLE.format(reason=exc))
        return
    ctx.console.say(render.recorded(found))
    if live and direction == "out" and not domain.startswith("["):
        await _live(ctx, domain, now)


async def _live(ctx: Context, domain: str, now: float) -> None:
    config = ctx.session.store.load()
    resolution, probes = await probe_domain(config, ctx.session.secrets, domain)
    blocks = [R.READY_LIVE]
    if resolution.kind is not Kind.TARGETS:
        why = resolution.reason or resolution.kind.value
        blocks.append(R.READY_LIVE_NO_TARGET.format(reason=why))
    blocks += [render.probe(p, now) for p in probes]
    (trace,) = await destinations(ctx, config, [domain])
    blocks.append(render.dns_policy(trace, await asyncio.to_thread(_cached, ctx, domain), now))
    ctx.console.say("\n\n".join(blocks))


def _cached(ctx: Context, domain: str) -> Cached | None:
    with policy_store(ctx.session.store.data_dir) as store:
        return store.get(domain)


COMMAND = Command("tlsreadiness", texts.shell.DESCRIPTIONS["tlsreadiness"], run,
                  usage=R.READY_USAGE, takes_args=True, kind=Act.LOOK)
