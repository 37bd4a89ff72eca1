"""`tlsverify <domain> [host[:port]]`: probe a destination now and judge it as
Required - Verify would (AsyncOS's tlsverify). Needs no commit: it uses the
configuration it is given (the shell passes the committed or candidate one).

Without a host it goes where delivery would: smtproutes (it names the route that
decides), else the MX records (then the implicit MX), trying each target in order until
one verifies. The lines marked [M] in §8.3 are kept exactly; the steps the sample does
not show (route or MX lookup, EHLO, the chain, failures) use the wording below, kept in
one place so it is easy to correct. With `decided_by`, each target's line also says
which mechanism decides its TLS for delivery (the precedence rule: destination control,
DANE, MTA-STS; `sts` is the MTA-STS cache to consult, none: not consulted) and what it
requires; the probe itself stays the Required - Verify one.
"""

from __future__ import annotations

import ssl
from collections.abc import Callable

from engine.errors import ConnectError, TlsSetupError
from engine.outbound import dnspolicy, precedence, reasons, smtpconn
from engine.outbound.destinations import lookup
from engine.outbound.mtasts_cache import StsCache
from engine.outbound.policy import Outcome, TlsResult
from engine.outbound.resolver import (
    SMTP_PORT,
    Kind,
    Resolution,
    Resolver,
    Target,
    deciding_route,
    is_ip,
)
from engine.outbound.tlsctx import build_contexts, peer_names
from state.formats_routes import format_hosts
from state.model import Config
from state.secrets import Secrets
from state.validate_outbound import normalise_domain

Emit = Callable[[str], None]


async def tlsverify(
    config: Config,
    secrets: Secrets,
    domain: str,
    host: str | None = None,
    port: int | None = None,
    emit: Emit = print,
    *,
    decided_by: bool = False,
    sts: StsCache | None = None,
) -> bool:
    """Print each step through `emit`; True when Required - Verify would deliver."""
    domain = normalise_domain(domain)
    try:
        contexts = build_contexts(config, secrets)
    except TlsSetupError as exc:
        emit(f"TLS setup failed: {exc}")
        return _verdict(domain, False, emit)
    resolver = Resolver(config.dns, port or SMTP_PORT)
    targets, found = await _targets(resolver, config, domain, host, port, emit)
    ok = False
    for target in targets:
        req = (await _decided_by(config, resolver, domain, found, target, sts, emit)
               if decided_by else None)
        if req is not None and req.refuse is not None:  # delivery never connects to it
            emit(f"Not probed: delivery does not connect to {target.host}.")
            continue
        if await _probe(config, domain, target, contexts.verify, emit):
            ok = True
            break
        if req is not None and precedence.Check.DANE in req.checks:
            emit(f"Delivery authenticates {target.host} by DANE, not by this check:"
                 f" daneverify {domain} tests that.")
    return _verdict(domain, ok, emit)


def _verdict(domain: str, ok: bool, emit: Emit) -> bool:
    emit("")
    if ok:
        emit(f"TLS successfully connected to {domain}.")
    else:
        emit(f"TLS unable to connect to {domain}.")
    emit("TLS verification completed.")
    return ok


async def _targets(
    resolver: Resolver, config: Config, domain: str, host: str | None, port: int | None,
    emit: Emit,
) -> tuple[list[Target], Resolution]:
    if host:
        name = host.strip().strip("[]")
        if is_ip(name):
            targets = [Target(name, name, port or SMTP_PORT)]
        else:
            emit(f"Looking up address of {name}.")
            ips, why = await resolver.addresses(name)
            if not ips:
                emit(f"Unable to resolve {name}: {why}.")
            targets = [Target(name, ip, port or SMTP_PORT) for ip in ips]
        return targets, Resolution(Kind.TARGETS, tuple(targets), via_route=True)
    route = deciding_route(config.routes, domain)
    if route is None:
        emit(f"Looking up MX records for {domain}.")
    else:
        emit(f"{domain} is routed by SMTP route {route.domain} to {format_hosts(route.hosts)}.")
    found = await resolver.resolve(config, domain)
    exchanger = "mail exchanger" if route is None else "route host"
    if found.kind is not Kind.TARGETS:
        reason = ("route drops the mail (/dev/null)" if found.kind is Kind.DEVNULL
                  else reasons.unnamed(found.reason, domain))
        emit(f"No usable {exchanger} for {domain}: {reason}.")
        return [], found
    for target in found.targets:
        if route is None:
            emit(f"Mail exchanger {target.host} ({target.ip}) preference {target.preference}.")
        else:
            emit(f"Route host {target.host} ({target.ip}) priority {target.preference}.")
    return list(found.targets), found


async def _decided_by(config: Config, resolver: Resolver, domain: str, found: Resolution,
                      target: Target, sts: StsCache | None,
                      emit: Emit) -> precedence.Requirement:
    """Which mechanism decides delivery's TLS to `target`, and what it requires."""
    entry = lookup(config.destinations, domain)
    answer = await dnspolicy.sts_for(entry, found, domain, sts)
    facts, _ = await dnspolicy.facts_for(entry, domain, found, target, answer, resolver.lookups)
    req = precedence.effective(facts)
    by = req.decided_by.value
    if req.decided_by is precedence.Mechanism.DESTCONFIG:
        by = f"{by} {entry.domain}"
    emit(f"TLS policy for {target.host} decided by {by}: {precedence.describe(req)}.")
    return req


async def _probe(
    config: Config, domain: str, target: Target, ctx: ssl.SSLContext, emit: Emit
) -> bool:
    emit(f"Connecting to {target.ip} on port {target.port}.")
    try:
        conn = await smtpconn.connect(target, config.hostname)
    except ConnectError as exc:
        emit(f"TLS connection to {target.ip} failed: {exc.reason}")
        return False
    local = conn.smtp.info("sockname")
    emit(f"Connected to {target.ip} from interface {local[0] if local else 'unknown'}.")
    emit("Checking TLS connection.")
    try:
        result = await smtpconn.starttls(conn, ctx, True, (domain, target.host))
        return _report(conn, result, domain, target, emit)
    finally:
        await conn.quit()


def _report(
    conn: smtpconn.Connection, result: TlsResult, domain: str, target: Target, emit: Emit
) -> bool:
    if result.outcome is Outcome.NOT_OFFERED:
        emit("STARTTLS command not supported")
        return False
    if result.outcome is Outcome.VERIFY_FAILED:
        emit("Verifying peer certificate.")
        emit(f"TLS certificate verification failed: {result.reason}")
        emit(f"TLS connection to {target.ip} failed: certificate does not verify")
        return False
    if result.outcome is not Outcome.OK:
        emit(f"TLS connection to {target.ip} failed: {result.reason}")
        return False
    emit(f"TLS connection established: protocol {conn.protocol}, cipher {conn.cipher}.")
    _chain(conn, emit)
    emit("Verifying peer certificate.")
    san, cn = peer_names(conn.peercert)
    if san:
        emit(f"Verifying certificate subject alternative names {', '.join(san)}.")
    else:
        emit(f"Verifying certificate common name {cn or '(none)'}.")
    if not result.verified:
        emit(f"TLS certificate does not match {domain} or {target.host}: {result.reason}")
        emit(f"TLS connection to {target.ip} failed: certificate name mismatch")
        return False
    emit(f"TLS certificate match {result.matched_name}")
    emit("TLS certificate verified.")
    emit(f"TLS connection to {target.ip} succeeded.")
    return True


def _chain(conn: smtpconn.Connection, emit: Emit) -> None:
    cert = conn.peercert or {}

    def name(field: str) -> str:
        parts = [f"{k}={v}" for rdn in cert.get(field, ()) for k, v in rdn]
        return ", ".join(parts) or "(unknown)"

    emit(f"Peer certificate subject: {name('subject')}")
    emit(f"Peer certificate issuer: {name('issuer')}")
    if "notAfter" in cert:
        emit(f"Peer certificate valid until: {cert['notAfter']}")
