"""One connection's TLS, as the store keeps it: an `Event` per ICID and per DCID.

`inbound` reads a finished inbound session, `outbound` one delivery attempt's connection;
both run on the event loop and only copy what is needed (the chain of an outbound
certificate that was not verified is judged later, off the loop, by `recordcheck`).

The vocabulary of failures is RFC 8460's (engine/outbound/tlsrpt.RESULT_TYPES): an outbound
attempt's `result_type` is what `verdict.judge` said under the requirement it ran with, and
`verify_result` what Required - Verify would have said of the same connection ("" when it
would have delivered, UNKNOWN when the connection cannot tell, e.g. TLS never tried).
"""

from __future__ import annotations

import enum
import ipaddress
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any, Protocol

from engine.outbound import precedence, verdict
from engine.outbound.policy import Outcome, TlsResult, match_certificate
from engine.outbound.tlsctx import peer_names
from state.model import Authorities, TlsFailure, TLSMode

INBOUND, OUTBOUND = "in", "out"
UNKNOWN = "unknown"  # verify_result of a connection that cannot tell
VALIDATION_FAILURE = "validation-failure"  # ... of a handshake that broke (not our check)
NO_CLIENT_CERT = "validation-failure"  # RFC 8460 has no type of its own for it
POLICY = "sender group policy"  # what decides an inbound connection's TLS


class Outcome4(enum.Enum):
    """How TLS went on one connection."""

    TLS = "tls"  # a TLS session carried the connection
    CLEAR = "clear"  # no STARTTLS was issued (not offered, not wanted, not attempted)
    REFUSED = "refused"  # STARTTLS answered with something other than 220
    FAILED = "failed"  # the handshake broke (or our verification ended it)


@dataclass
class Event:
    direction: str
    when: float
    conn_id: int  # ICID or DCID
    domain: str  # inbound: `inbound_domain`; outbound: the recipient domain
    peer: str  # outbound: the MX host; inbound: the client's address
    peer_ip: str
    level: TLSMode  # inbound: the sender group's policy; outbound: the requirement's level
    mechanism: str  # outbound: precedence.Mechanism value; inbound: POLICY
    offered: bool  # inbound: we offered STARTTLS; outbound: the server did
    outcome: Outcome4
    listener: str = ""
    sender_group: str = ""
    reason: str = ""
    result_type: str = ""
    verify_result: str = UNKNOWN
    verified: bool = False
    matched_name: str = ""
    version: str = ""
    cipher: str = ""
    cert_name: str = ""
    messages_tls: int = 0
    messages_clear: int = 0
    # outbound, for recordcheck only (never stored)
    chain: tuple[bytes, ...] = field(default=(), repr=False)
    authorities: Authorities | None = field(default=None, repr=False)
    names: tuple[str, ...] = ()  # reference names of the Verify check (domain, MX)

    @property
    def attempted(self) -> bool:
        return self.outcome is not Outcome4.CLEAR

    @property
    def tls(self) -> bool:
        return self.outcome is Outcome4.TLS


# -- inbound ------------------------------------------------------------------------


@lru_cache(maxsize=1)
def _suffixes() -> Any:
    from publicsuffixlist import PublicSuffixList

    return PublicSuffixList()


def registered_domain(name: str) -> str:
    """`mx1.partner.example` -> `partner.example` (the Public Suffix List's rule)."""
    text = name.strip().lower().rstrip(".")
    return str(_suffixes().privatesuffix(text) or text)


def inbound_domain(cert_name: str, ptr: str | None, ip: str) -> str:
    """Whom an inbound connection is counted for: the verified client certificate's name,
    else the forward-confirmed PTR name, each as its registered domain; else `[ip]`."""
    for name in (cert_name, ptr or ""):
        if name and not _is_ip(name):
            return registered_domain(name)
    return f"[{ip}]"


def _is_ip(text: str) -> bool:
    try:
        ipaddress.ip_address(text.strip("[]"))
    except ValueError:
        return False
    return True


class InboundFacts(Protocol):
    """What `inbound` reads of a Conversation (engine/inbound/conversation.py)."""

    icid: int
    ip: str
    messages: int
    messages_before_tls: int
    offered_tls: bool
    tls_version: str
    tls_cipher: str
    tls_failure: str
    client_cert: str  # the verified client certificate's name, "" when none
    client_cert_asked: bool

    @property
    def facts_for_stats(self) -> tuple[str, str, str | None, TLSMode]: ...


def inbound(session: InboundFacts, when: float) -> Event:
    listener, group, ptr, level = session.facts_for_stats
    if session.tls_version:
        outcome = Outcome4.TLS
    elif session.tls_failure:
        outcome = Outcome4.FAILED
    else:
        outcome = Outcome4.CLEAR
    tls = outcome is Outcome4.TLS
    before = session.messages_before_tls if tls else session.messages
    event = Event(
        INBOUND, when, session.icid, inbound_domain(session.client_cert, ptr, session.ip),
        session.ip, session.ip, level, POLICY, session.offered_tls, outcome,
        listener=listener, sender_group=group, reason=session.tls_failure,
        verified=bool(session.client_cert), version=session.tls_version,
        cipher=session.tls_cipher, cert_name=session.client_cert,
        messages_tls=session.messages - before, messages_clear=before,
    )
    event.result_type = _inbound_result(event)
    event.verify_result = _inbound_verify(event, session.client_cert_asked)
    return event


def _failure_type(reason: str) -> str:
    text = reason.lower()
    if "expired" in text:
        return "certificate-expired"
    if "certificate" in text or "verify" in text:
        return "certificate-not-trusted"
    return "validation-failure"


def _inbound_result(event: Event) -> str:
    if event.outcome is Outcome4.FAILED:
        return _failure_type(event.reason)
    required = event.level in (TLSMode.REQUIRED, TLSMode.REQUIRED_VERIFY)
    return "starttls-not-supported" if required and not event.tls else ""


def _inbound_verify(event: Event, asked: bool) -> str:
    """What Required - Verify would have said: no STARTTLS, a failed handshake, no client
    certificate (only known where one was asked for)."""
    if event.outcome is Outcome4.CLEAR:
        return "starttls-not-supported"
    if event.outcome is Outcome4.FAILED:
        return event.result_type
    if event.verified:
        return ""
    return NO_CLIENT_CERT if asked else UNKNOWN


# -- outbound -----------------------------------------------------------------------


class Target(Protocol):
    host: str
    ip: str


class Connection(Protocol):
    """What `outbound` reads of an smtpconn.Connection."""

    target: Target
    tls: TlsResult
    protocol: str
    cipher: str
    peercert: dict[str, Any] | None
    offered: bool
    chain: tuple[bytes, ...]


def outbound(dcid: int, domain: str, level: TLSMode, conn: Connection, delivered: int,
             authorities: Authorities, when: float,
             req: precedence.Requirement | None = None,
             session: verdict.Session | None = None) -> Event:
    """One delivery attempt; `req` is the requirement it ran under (the destination
    control alone when None), `session` what its STARTTLS showed (with the DANE check;
    read from the connection when None) and `delivered` the messages it delivered."""
    host, ip = conn.target.host, conn.target.ip
    req = req or precedence.from_destconfig(level, domain, host, TlsFailure.DEFER)
    result = conn.tls
    san, cn = peer_names(conn.peercert)
    if session is not None and not san and cn is None:  # a chain DANE read, unverified
        san, cn = session.san, session.cn
    session = session or verdict.Session.of(result, san, cn)
    outcome = _outbound_outcome(req, result)
    tls = outcome is Outcome4.TLS
    event = Event(
        OUTBOUND, when, dcid, domain, host, ip, _level_of(req), req.decided_by.value,
        conn.offered, outcome, reason=result.reason if outcome is not Outcome4.TLS else "",
        result_type=verdict.judge(req, session).result_type if req.starttls else "",
        version=conn.protocol if tls else "", cipher=conn.cipher if tls else "",
        cert_name=(san[0] if san else cn or ""),
        messages_tls=delivered if tls else 0, messages_clear=0 if tls else delivered,
        chain=conn.chain, authorities=authorities, names=(domain, host),
    )
    _judged_by_connection(event, req, result, san, cn)
    return event


def _outbound_outcome(req: precedence.Requirement, result: TlsResult) -> Outcome4:
    if not req.starttls or result.outcome is Outcome.NOT_OFFERED:
        return Outcome4.CLEAR
    if result.outcome is Outcome.REFUSED_BEFORE_220:
        return Outcome4.REFUSED
    if result.outcome is Outcome.FAILED_AFTER_220 or ended_by_verify(result):
        return Outcome4.FAILED
    return Outcome4.TLS


def ended_by_verify(result: TlsResult) -> bool:
    """A verifying handshake OpenSSL ended because the chain did not verify."""
    return result.outcome is Outcome.VERIFY_FAILED


def _level_of(req: precedence.Requirement) -> TLSMode:
    """The TLS setting the requirement amounts to (DANE or MTA-STS may have raised it)."""
    verify = precedence.Check.PKIX in req.checks or precedence.Check.DANE in req.checks
    if req.encrypt:
        return TLSMode.REQUIRED_VERIFY if verify else TLSMode.REQUIRED
    if req.starttls:
        return TLSMode.PREFERRED_VERIFY if req.log_verify else TLSMode.PREFERRED
    return TLSMode.NO


def _judged_by_connection(event: Event, req: precedence.Requirement, result: TlsResult,
                          san: tuple[str, ...], cn: str | None) -> None:
    """Fill verify_result where the connection itself tells; a TLS session that was not
    verified keeps its chain for recordcheck (and UNKNOWN until then)."""
    keep_chain = False
    if event.outcome is Outcome4.CLEAR:
        tried_or_absent = req.starttls or not event.offered
        event.verify_result = "starttls-not-supported" if tried_or_absent else UNKNOWN
    elif event.outcome is Outcome4.REFUSED:
        event.verify_result = "starttls-not-supported"
    elif result.outcome is Outcome.FAILED_AFTER_220:
        event.verify_result = VALIDATION_FAILURE
    elif result.chain_ok or not event.tls:  # verified (or refused) by this connection
        match = match_certificate(san, cn, event.names) if result.chain_ok else None
        event.verify_result = verdict.pkix_result_type(verdict.Session.of(result, san, cn), match)
        event.verified = result.verified
        event.matched_name = result.matched_name or ""
    else:
        keep_chain = True
    if not keep_chain:
        event.chain = ()
