"""`daneverify <domain>`: test DANE for a domain now, as the appliance's daneverify does
(SECURE MX, SECURE A, connect, SECURE TLSA, the TLS session checked against the TLSA
records, then `DANE SUCCESS for <domain>` or why not). Needs no commit.

The success lines are the appliance's; the lines for what fails (insecure, bogus or
missing records, a chain that matches no record) are not confirmed and are kept here, in
one place, so they are easy to correct. Each MX host is tried in preference order until
one passes; DANE needs a validating resolver on loopback (docs/tls-policy.md).
"""

from __future__ import annotations

import datetime as dt
import ssl
from collections.abc import Callable

from engine.errors import ConnectError, TlsSetupError
from engine.outbound import dane, smtpconn
from engine.outbound.dane import TlsaLookup, TlsaState
from engine.outbound.policy import Outcome
from engine.outbound.resolver import SMTP_PORT, Kind, Resolution, Resolver, Target
from engine.outbound.tlsctx import build_contexts
from state.model import Config
from state.secrets import Secrets
from state.validate_outbound import normalise_domain

Emit = Callable[[str], None]

SECURE_MX = "SECURE MX record({mx}) found for {domain}"
ROUTED = "{domain} is routed by smtproutes to {hosts}: no MX record is looked up"
ROUTE_DEVNULL = "the route drops the mail (/dev/null)"
INSECURE_MX = "INSECURE MX record({mx}) found for {domain}"
MX_FAILED = "MX record lookup for {domain} failed: {reason}"
SECURE_A = "SECURE A record ({ip}) found for MX({mx}) in {domain}"
INSECURE_A = "INSECURE A record ({ip}) found for MX({mx}) in {domain}"
CONNECTING = "Connecting to {ip} on port {port}."
CONNECT_FAILED = "Connection to {ip} failed: {reason}"
CONNECTED = "Connected to {ip} from interface {local}."
TLSA_LINES = {
    TlsaState.USABLE: "SECURE TLSA record found for MX({mx}) in {domain}",
    TlsaState.UNUSABLE: "SECURE TLSA records for MX({mx}) in {domain} are all unusable",
    TlsaState.NO_RECORDS: "No TLSA record found for MX({mx}) in {domain}",
    TlsaState.INSECURE: "INSECURE TLSA record for MX({mx}) in {domain}",
    TlsaState.BOGUS: "BOGUS TLSA record for MX({mx}) in {domain}: {reason}",
    TlsaState.FAILED: "TLSA record lookup for MX({mx}) in {domain} failed: {reason}",
}
CHECKING = "Checking TLS connection."
NO_STARTTLS = "STARTTLS command not supported"
TLS_FAILED = "TLS connection to {ip} failed: {reason}"
ESTABLISHED = "TLS connection established: protocol {protocol}, cipher {cipher}."
VERIFIED = "Certificate verification successful"
MATCHED = "Matched TLSA record {record}"
NOT_VERIFIED = "Certificate verification failed: {reason}"
TLS_SUCCEEDED = "TLS connection succeeded {domain}."
SUCCESS = "DANE SUCCESS for {domain}"
FAILED = "DANE FAILED for {domain}"
SETUP_FAILED = "TLS setup failed: {reason}"
COMPLETED = "DANE verification completed."


async def daneverify(config: Config, secrets: Secrets, domain: str, emit: Emit,
                     port: int = SMTP_PORT, now: Callable[[], dt.datetime] | None = None) -> bool:
    """Print each step through `emit`; True when one MX passes DANE."""
    domain = normalise_domain(domain)
    resolver = Resolver(config.dns, port)
    ok = False
    plain: ssl.SSLContext | None = None
    try:
        plain = build_contexts(config, secrets).plain
    except TlsSetupError as exc:
        emit(SETUP_FAILED.format(reason=exc))
    # where delivery goes: an smtproutes route's hosts, else the MX records
    found = await resolver.resolve(config, domain) if plain is not None else None
    if plain is not None and found is not None and _secure_mx(found, domain, emit):
        clock = now or (lambda: dt.datetime.now(dt.UTC))
        for target in found.targets:
            if await _try(config, resolver, plain, domain, target, clock, emit):
                ok = True
                break
    emit(SUCCESS.format(domain=domain) if ok else FAILED.format(domain=domain))
    emit(COMPLETED)
    return ok


def _secure_mx(found: Resolution, domain: str, emit: Emit) -> bool:
    """Whether the hosts' names come from secure answers (a route's are the
    administrator's own: only their addresses' answers count, in `_try`)."""
    if found.kind is not Kind.TARGETS:
        dropped = found.kind is Kind.DEVNULL
        emit(MX_FAILED.format(domain=domain, reason=ROUTE_DEVNULL if dropped else found.reason))
        return False
    if found.via_route:
        shown = ", ".join(dict.fromkeys(f"{t.host}:{t.port}" for t in found.targets))
        emit(ROUTED.format(domain=domain, hosts=shown))
        return True
    hosts = found.mx_hosts or tuple(dict.fromkeys(t.host for t in found.targets))
    line = SECURE_MX if found.mx_secure else INSECURE_MX
    for mx in hosts:
        emit(line.format(mx=mx, domain=domain))
    return found.mx_secure


async def _try(config: Config, resolver: Resolver, plain: ssl.SSLContext, domain: str,
               target: Target, now: Callable[[], dt.datetime], emit: Emit) -> bool:
    mx = target.host
    emit((SECURE_A if target.secure else INSECURE_A).format(ip=target.ip, mx=mx, domain=domain))
    if not target.secure:
        return False
    emit(CONNECTING.format(ip=target.ip, port=target.port))
    try:
        conn = await smtpconn.connect(target, config.hostname)
    except ConnectError as exc:
        emit(CONNECT_FAILED.format(ip=target.ip, reason=exc.reason))
        return False
    try:
        local = conn.smtp.info("sockname")
        emit(CONNECTED.format(ip=target.ip, local=local[0] if local else "unknown"))
        tlsa = await dane.tlsa_for(resolver.lookups, target, True)
        emit(TLSA_LINES[tlsa.state].format(mx=mx, domain=domain, reason=tlsa.reason))
        if tlsa.state is not TlsaState.USABLE:
            return False
        return await _tls(conn, plain, tlsa, (mx, domain), now(), emit, domain)
    finally:
        await conn.quit()


async def _tls(conn: smtpconn.Connection, plain: ssl.SSLContext, tlsa: TlsaLookup,
               names: tuple[str, str], now: dt.datetime, emit: Emit, domain: str) -> bool:
    emit(CHECKING)
    result = await smtpconn.starttls(conn, plain, False, names)
    if result.outcome is Outcome.NOT_OFFERED:
        emit(NO_STARTTLS)
        return False
    if result.outcome is not Outcome.OK:
        emit(TLS_FAILED.format(ip=conn.target.ip, reason=result.reason))
        return False
    emit(ESTABLISHED.format(protocol=conn.protocol, cipher=conn.cipher))
    checked = dane.verify(conn.chain, tlsa.usable, names, now)
    if not checked.ok:
        emit(NOT_VERIFIED.format(reason=checked.reason))
        return False
    emit(VERIFIED)
    if checked.matched is not None:
        emit(MATCHED.format(record=checked.matched.text()))
    emit(TLS_SUCCEEDED.format(domain=domain))
    return True
