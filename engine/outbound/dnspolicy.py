"""The glue between one delivery attempt and the DNS-published policies: gathers the facts
`precedence.effective` needs for a target, picks the client context the requirement
needs, and reads a finished STARTTLS into a `verdict.Session`.

Per domain: its MTA-STS policy (`sts_for`, once per delivery run; only when the
destination control honours MTA-STS and the route is DNS, not smtproutes). Per target:
its TLSA records, looked up only behind a secure MX answer and secure address records
(`facts_for`). After STARTTLS: the chain the peer sent, checked against the TLSA records
with the DANE-TA names, and whether the EHLO after TLS offered REQUIRETLS (`session_of`).
"""

from __future__ import annotations

import datetime as dt
import ssl
from dataclasses import dataclass

from engine.outbound import dane, mtasts
from engine.outbound.dane import TlsaLookup, TlsaState
from engine.outbound.dnssec import SecureLookups
from engine.outbound.mtasts_cache import StsAnswer, StsCache
from engine.outbound.policy import TlsResult
from engine.outbound.precedence import Check, Facts, Requirement
from engine.outbound.resolver import Resolution, Target
from engine.outbound.smtpconn import Connection
from engine.outbound.tlsctx import ClientContexts, peer_names
from engine.outbound.verdict import Session
from state.model import DaneMode, DestinationEntry, TlsFailure, TLSMode


@dataclass(frozen=True)
class Flags:
    """What the message itself asks (RFC 8689; RFC 8460 §5.3)."""

    requiretls: bool = False
    tls_required_no: bool = False
    tls_report: bool = False


PLAIN_MESSAGE = Flags()


async def sts_for(entry: DestinationEntry, resolution: Resolution, domain: str,
                  cache: StsCache | None) -> StsAnswer | None:
    """The domain's MTA-STS answer, or None where MTA-STS does not apply."""
    if cache is None or not entry.mta_sts or resolution.via_route:
        return None
    return await cache.policy_for(domain)


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
        tlsa = await dane.lookup_tlsa(lookups, target.host, behind)
    sts_mode, matches = mtasts.facts(sts.policy if sts else None, target.host)
    facts = Facts(
        domain=domain, mx_host=target.host, level=entry.tls or TLSMode.NO, dane=mode,
        tlsa=tlsa.state, tlsa_reason=tlsa.reason, sts=sts_mode, sts_mx_matches=matches,
        failure=entry.tls_failure or TlsFailure.DEFER, requiretls=flags.requiretls,
        tls_required_no=flags.tls_required_no, tls_report=flags.tls_report,
    )
    return facts, tlsa


def context_for(req: Requirement, contexts: ClientContexts) -> tuple[ssl.SSLContext, bool]:
    """(context, verifying): the verifying one when the chain is checked or logged."""
    verifying = Check.PKIX in req.checks or req.log_verify
    return contexts.for_verify(verifying), verifying


def session_of(conn: Connection, result: TlsResult, req: Requirement, tlsa: TlsaLookup,
               now: dt.datetime) -> Session:
    """What the finished STARTTLS on `conn` showed, for `verdict.judge`."""
    san, cn = peer_names(conn.peercert)
    checked = None
    ssl_object = conn.smtp.get_transport_info("ssl_object") if conn.alive else None
    if Check.DANE in req.checks and ssl_object is not None:
        chain = dane.peer_chain(ssl_object)
        checked = dane.verify(chain, tlsa.usable, req.dane_names, now)
        if not san:  # the plain context parses nothing: read the names from the chain
            san, cn = dane.leaf_names(chain)
    offered = conn.encrypted and conn.smtp.supports_extension("requiretls")
    return Session.of(result, san, cn, checked, offered)
