"""The glue between one delivery attempt and the DNS-published policies: gathers the facts
`precedence.effective` needs for a target, picks the client context the requirement
needs, and reads a finished STARTTLS into a `verdict.Session`.

Per domain: its MTA-STS policy (`sts_for`, once per delivery run, within `STS_BUDGET`
seconds, else what the cache holds; only when the destination control honours MTA-STS
and the route is DNS, not smtproutes). Per target: its TLSA records, looked up only behind
a secure MX answer and secure address records, at the port the target is known by
(`facts_for`, through `dane.tlsa_for`). After STARTTLS: the chain the
peer sent, checked against the TLSA records with the DANE-TA names, and whether the EHLO
after TLS offered REQUIRETLS (`session_of`). What one attempt counts for in the day's TLS
report goes to the recorder (`DnsPolicies.record`, `policy_of`).
"""

from __future__ import annotations

import asyncio
import datetime as dt
import ssl
from dataclasses import dataclass, field

from engine.messageflags import PLAIN_MESSAGE, Flags
from engine.outbound import dane, mtasts
from engine.outbound.dane import TlsaLookup, TlsaState
from engine.outbound.dnssec import SecureLookups
from engine.outbound.mtasts_cache import StsAnswer, StsCache
from engine.outbound.policy import TlsResult
from engine.outbound.precedence import Check, Facts, Requirement
from engine.outbound.resolver import Resolution, Target
from engine.outbound.scheduler import Clock, SystemClock
from engine.outbound.smtpconn import Connection
from engine.outbound.tlsctx import ClientContexts, peer_names
from engine.outbound.tlsrpt import SessionResult
from engine.outbound.tlsrpt_store import ReportStore
from engine.outbound.verdict import Session
from state.model import DaneMode, DestinationEntry, TlsFailure, TLSMode

# The MTA-STS lookup of one delivery run (TXT, and a fetch when the policy changed) takes
# at most this long; past it the run goes on with what the cache holds (RFC 8461 §5.1).
STS_BUDGET = 20.0


@dataclass
class DnsPolicies:
    """What the DNS-published policies need across deliveries: the MTA-STS cache (None:
    MTA-STS is never applied) and the TLS-RPT recorder (None: nothing is recorded)."""

    sts: StsCache | None = None
    reports: ReportStore | None = None
    clock: Clock = field(default_factory=SystemClock)

    async def record(self, found: SessionResult | None) -> None:
        if found is not None and self.reports is not None:
            await asyncio.to_thread(self.reports.record, found, self.clock.now())


@dataclass(frozen=True)
class Plan:
    """What every connection of one delivery run shares: where the domain's mail goes, its
    MTA-STS answer, and what the messages ask (a run carries one kind of message)."""

    resolution: Resolution
    sts: StsAnswer | None = None
    flags: Flags = PLAIN_MESSAGE


async def sts_for(entry: DestinationEntry, resolution: Resolution, domain: str,
                  cache: StsCache | None, budget: float = STS_BUDGET) -> StsAnswer | None:
    """The domain's MTA-STS answer, or None where MTA-STS does not apply."""
    if cache is None or not entry.mta_sts or resolution.via_route:
        return None
    try:
        return await asyncio.wait_for(cache.policy_for(domain), budget)
    except TimeoutError:
        return await cache.cached(domain)


def policy_of(req: Requirement, tlsa: TlsaLookup, sts: StsAnswer | None
              ) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """(policy-string, mx-host) of a TLS report entry for a delivery under `req`."""
    if req.policy_type == "tlsa":
        return tuple(r.text() for r in tlsa.records), ()
    if req.policy_type == "sts" and sts is not None and sts.policy is not None:
        return tuple(sts.policy.lines), sts.policy.mx
    return (), ()


async def facts_for(
    entry: DestinationEntry, domain: str, resolution: Resolution, target: Target,
    sts: StsAnswer | None, lookups: SecureLookups, flags: Flags = PLAIN_MESSAGE,
) -> tuple[Facts, TlsaLookup]:
    """The facts for one target (`entry` is a `destinations.Destination`'s, filled)."""
    mode = entry.dane or DaneMode.NO
    if mode is DaneMode.NO:
        tlsa = TlsaLookup(TlsaState.INSECURE, target.host)
    else:
        behind = target.secure and (resolution.mx_secure or resolution.via_route)
        tlsa = await dane.tlsa_for(lookups, target, behind)
    sts_mode, matches = mtasts.facts(sts.policy if sts else None, target.host)
    facts = Facts(
        domain=domain, mx_host=target.host, level=entry.tls or TLSMode.NO, dane=mode,
        tlsa=tlsa.state, tlsa_reason=tlsa.reason, sts=sts_mode, sts_mx_matches=matches,
        failure=entry.tls_failure or TlsFailure.DEFER, requiretls=flags.requiretls,
        tls_required_no=flags.tls_required_no, tls_report=flags.tls_report,
    )
    return facts, tlsa


def context_for(req: Requirement, contexts: ClientContexts) -> tuple[ssl.SSLContext, bool]:
    """(context, verifying): the verifying one when the chain is checked, or logged where
    DANE does not decide (a verifying handshake would end a DANE-EE session whose
    certificate no CA signed before the TLSA records could judge it)."""
    logged = req.log_verify and Check.DANE not in req.checks
    verifying = Check.PKIX in req.checks or logged
    return contexts.for_verify(verifying), verifying


def session_of(conn: Connection, result: TlsResult, req: Requirement, tlsa: TlsaLookup,
               now: dt.datetime) -> Session:
    """What the finished STARTTLS on `conn` showed, for `verdict.judge`."""
    san, cn = peer_names(conn.peercert)
    checked = None
    ssl_object = conn.smtp.info("ssl_object") if conn.alive else None
    if Check.DANE in req.checks and ssl_object is not None:
        chain = dane.peer_chain(ssl_object)
        checked = dane.verify(chain, tlsa.usable, req.dane_names, now)
        if not san:  # the plain context parses nothing: read the names from the chain
            san, cn = dane.leaf_names(chain)
    offered = conn.encrypted and conn.smtp.supports("REQUIRETLS")
    return Session.of(result, san, cn, checked, offered)
