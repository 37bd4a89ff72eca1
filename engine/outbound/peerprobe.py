"""Probe a destination's mail exchangers now, for partner readiness (`tlsreadiness`).

Unlike `tlsverify`, which stops at the first MX that verifies, every target delivery
would use is probed, with the unverifying client context so the chain is seen even when
it would not verify; the chain is then judged as Required - Verify would judge it
(engine/tlsstats/recordcheck.py: trust, dates, names; RFC 8460 result types). Nothing
is sent: EHLO, STARTTLS, EHLO, QUIT.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import ssl
from dataclasses import dataclass

from cryptography import x509

from engine.errors import ConnectError, TlsSetupError
from engine.outbound import smtpconn
from engine.outbound.policy import Outcome
from engine.outbound.resolver import SMTP_PORT, Resolution, Resolver, Target
from engine.outbound.tlsctx import build_contexts
from engine.tlsstats import recordcheck
from state.model import Config
from state.secrets import Secrets

TIMEOUT = 10.0


@dataclass(frozen=True)
class Probe:
    target: Target
    reachable: bool
    reason: str = ""  # why it is not reachable, or why TLS did not come up
    offered: bool = False
    tls: bool = False
    version: str = ""
    cipher: str = ""
    chain: tuple[str, ...] = ()  # subjects, the server's own certificate first
    names: tuple[str, ...] = ()  # its DNS names (SAN, else CN)
    not_after: float | None = None  # the server's certificate's expiry (epoch seconds)
    result_type: str = ""  # what Required - Verify would say ("" = it would deliver)
    matched: str = ""


async def probe_domain(config: Config, secrets: Secrets, domain: str,
                       mx_port: int = SMTP_PORT) -> tuple[Resolution, list[Probe]]:
    """Where delivery to `domain` would go, and what each target shows now."""
    found = await Resolver(config.dns, mx_port).resolve(config, domain)
    try:
        ctx = build_contexts(config, secrets).plain
    except TlsSetupError as exc:
        return found, [Probe(t, False, str(exc)) for t in found.targets]
    probes = [await _probe(config, domain, target, ctx) for target in found.targets]
    return found, probes


async def _probe(config: Config, domain: str, target: Target, ctx: ssl.SSLContext) -> Probe:
    try:
        conn = await smtpconn.connect(target, config.hostname, timeout=TIMEOUT)
    except ConnectError as exc:
        return Probe(target, False, exc.reason)
    try:
        try:
            result = await asyncio.wait_for(
                smtpconn.starttls(conn, ctx, False, (domain, target.host)), TIMEOUT)
        except TimeoutError:
            return Probe(target, True, "timed out", offered=conn.offered)
        if result.outcome is not Outcome.OK:
            rtype = "starttls-not-supported" if result.outcome is Outcome.NOT_OFFERED \
                else "validation-failure"
            return Probe(target, True, result.reason, offered=conn.offered, result_type=rtype)
        return _judged(config, domain, target, conn)
    finally:
        await conn.quit()


def _judged(config: Config, domain: str, target: Target, conn: smtpconn.Connection) -> Probe:
    now = dt.datetime.now(dt.UTC)
    rtype, matched, _ = recordcheck.judge(conn.chain, config.authorities,
                                          (domain, target.host), now)
    subjects: list[str] = []
    names: tuple[str, ...] = ()
    not_after = None
    for i, der in enumerate(conn.chain):
        try:
            cert = x509.load_der_x509_certificate(der)
        except ValueError:
            continue
        subjects.append(cert.subject.rfc4514_string())
        if i == 0:
            san, cn = recordcheck.leaf_names(cert)
            names = san or ((cn,) if cn else ())
            not_after = cert.not_valid_after_utc.timestamp()
    return Probe(target, True, offered=True, tls=True, version=conn.protocol,
                 cipher=conn.cipher, chain=tuple(subjects), names=names, not_after=not_after,
                 result_type=rtype, matched=matched)
