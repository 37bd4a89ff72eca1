"""DNS lookups that say whether their answer is DNSSEC-validated: secure, insecure, bogus,
or a lookup failure (DANE, RFC 7672 §2.1; MTA-STS and TLS-RPT records).

The choice: validation is done by a validating resolver, and its AD bit is believed only
when every resolver we ask is on loopback (RFC 6698 §4.1, RFC 7672 §2.1.1: the path from
the validator must be trusted). We do not validate with dnspython ourselves: that means
walking the chain of trust from a configured anchor, DS and DNSKEY at each zone cut, and
proving insecure delegations and non-existence with NSEC/NSEC3, which is exactly the
code a resolver such as Unbound has hardened over many years (and dnspython offers only
the signature check of one RRset). A local validating resolver also caches for the
whole appliance and is what Postfix, Exim and the appliance itself rely on. With a
resolver elsewhere (or the system's, when it is not on loopback) every answer counts as
insecure: DANE never applies, and Mandatory DANE defers, which says plainly what is wrong.

Bogus and failure are told apart, because a bogus answer may be an attack and a failure
is just DNS (they are logged and reported differently): a SERVFAIL carrying an Extended
DNS Error of the DNSSEC family (RFC 8914: 5-12) is bogus; without EDE, the same question
asked again with CD (checking disabled) that then gets an answer means the data exists but
does not validate: bogus. Anything else (timeout, REFUSED, SERVFAIL again) is a failure.

A reply that came but could not be read is a failure too, and says so ("malformed reply"),
never "LifetimeTimeout": dnspython drops an unreadable datagram and waits on (so that a
forged one cannot end a query, CVE-2023-29483), then reports a timeout. `_Do53` waits as
dnspython does and only names the failure.
"""

from __future__ import annotations

import enum
import ipaddress
import socket
from dataclasses import dataclass
from typing import Any

import dns.asyncbackend
import dns.asyncresolver
import dns.exception
import dns.flags
import dns.inet
import dns.message
import dns.nameserver
import dns.rcode
import dns.resolver

from engine.outbound import reasons
from state.model import DnsSettings

# RFC 8914: DNSSEC Indeterminate, Bogus, Signature Expired, Signature Not Yet Valid,
# DNSKEY Missing, RRSIGs Missing, No Zone Key Bit Set, NSEC Missing.
BOGUS_EDE = frozenset(range(5, 13))
EDNS_PAYLOAD = 1232


class Security(enum.Enum):
    SECURE = "secure"
    INSECURE = "insecure"
    BOGUS = "bogus"
    FAILED = "lookup failure"


@dataclass(frozen=True)
class Lookup:
    """One answer: `records` (rdata objects) when it exists; `reason` for bogus or failed
    (for a failure, the dnspython exception's name, as mail_logs has always said it, or
    "malformed reply (...)": `failure_reason`)."""

    name: str
    rdtype: str
    security: Security
    records: tuple[Any, ...] = ()
    exists: bool = False  # False for NXDOMAIN and NODATA (then security says how sure)
    nxdomain: bool = False
    reason: str = ""

    @property
    def secure(self) -> bool:
        return self.security is Security.SECURE

    @property
    def usable(self) -> bool:
        """An answer, positive or negative, that is neither bogus nor a failure."""
        return self.security in (Security.SECURE, Security.INSECURE)


def is_loopback(server: str) -> bool:
    try:
        return ipaddress.ip_address(server).is_loopback
    except ValueError:
        return False


def ad_trusted(nameservers: list[str] | tuple[str, ...]) -> bool:
    """The AD bit means something only when every resolver asked is on this machine."""
    return bool(nameservers) and all(is_loopback(str(ns)) for ns in nameservers)


def _address(nameserver: str | dns.nameserver.Nameserver) -> str:
    if isinstance(nameserver, dns.nameserver.Nameserver):
        return nameserver.answer_nameserver()
    return nameserver


def make_dnssec_resolver(
    settings: DnsSettings, checking: bool = True
) -> dns.asyncresolver.Resolver:
    resolver = dns.asyncresolver.Resolver(configure=not settings.servers)
    if settings.servers:
        resolver.nameservers = list(settings.servers)
        resolver.port = settings.port
    resolver.nameservers = [
        _Do53(ns, resolver.nameserver_ports.get(ns, resolver.port))
        if isinstance(ns, str) and dns.inet.is_address(ns) else ns
        for ns in resolver.nameservers
    ]
    resolver.lifetime = settings.timeout
    resolver.timeout = settings.timeout
    resolver.use_edns(0, dns.flags.DO, EDNS_PAYLOAD)
    resolver.flags = dns.flags.RD | dns.flags.AD | (0 if checking else dns.flags.CD)
    return resolver


class SecureLookups:
    """Lookups through the configured resolver, each with its DNSSEC status."""

    def __init__(self, settings: DnsSettings) -> None:
        self._dns = make_dnssec_resolver(settings)
        self._unchecked = make_dnssec_resolver(settings, checking=False)
        self.trusted = ad_trusted([_address(ns) for ns in self._dns.nameservers])

    async def lookup(self, name: str, rdtype: str) -> Lookup:
        qname = name.rstrip(".") + "."
        try:
            answer = await self._dns.resolve(qname, rdtype, raise_on_no_answer=False)
        except dns.resolver.NXDOMAIN as exc:
            responses = list(exc.responses().values())
            return Lookup(name, rdtype, self._security(responses), nxdomain=True)
        except dns.resolver.NoNameservers as exc:
            return await self._servfail(name, rdtype, exc)
        except (dns.exception.DNSException, OSError) as exc:
            return Lookup(name, rdtype, Security.FAILED, reason=failure_reason(exc))
        records = tuple(answer.rrset) if answer.rrset is not None else ()
        security = self._security([answer.response])
        return Lookup(name, rdtype, security, records, exists=bool(records))

    def _security(self, responses: list[dns.message.Message]) -> Security:
        if self.trusted and responses and all(r.flags & dns.flags.AD for r in responses):
            return Security.SECURE
        return Security.INSECURE

    async def _servfail(self, name: str, rdtype: str, exc: dns.resolver.NoNameservers) -> Lookup:
        bogus = self._bogus_ede(exc)
        if bogus:
            return Lookup(name, rdtype, Security.BOGUS, reason=bogus)
        # An unreadable reply is no sign of bogus data: asking again with CD would not say.
        if (self.trusted and _unreadable(exc) is None
                and await self._answers_unchecked(name, rdtype)):
            return Lookup(name, rdtype, Security.BOGUS, reason=reasons.DNSSEC_NO_VALIDATION)
        return Lookup(name, rdtype, Security.FAILED, reason=failure_reason(exc))

    def _bogus_ede(self, exc: dns.resolver.NoNameservers) -> str:
        """The reason of an Extended DNS Error of the DNSSEC family ("" when none)."""
        responses = [e[4] for e in exc.kwargs.get("errors", []) if len(e) > 4]
        for response in responses:
            if not isinstance(response, dns.message.Message):
                continue
            for ede in response.extended_errors():
                if int(ede.code) in BOGUS_EDE and self.trusted:
                    return ede.text or reasons.DNSSEC_EDE.format(code=ede.code)
        return ""

    async def _answers_unchecked(self, name: str, rdtype: str) -> bool:
        try:
            await self._unchecked.resolve(name.rstrip(".") + ".", rdtype, raise_on_no_answer=False)
        except dns.resolver.NXDOMAIN:
            return True
        except (dns.exception.DNSException, OSError):
            return False
        return True


def failure_reason(exc: Exception) -> str:
    """What a failed lookup is called: the dnspython exception's name, unless a reply came
    that could not be read (then it was neither a timeout nor a server that is down)."""
    unreadable = _unreadable(exc)
    return reasons.DNS_MALFORMED.format(detail=unreadable) if unreadable else type(exc).__name__


def _unreadable(exc: Exception) -> str | None:
    """Why a reply to one of the resolver's tries could not be read (None: none came)."""
    tried = exc.kwargs.get("errors", []) if isinstance(exc, dns.exception.DNSException) else []
    for error in (e[3] for e in tried if len(e) > 3):
        if isinstance(error, dns.exception.FormError):
            return str(error) or type(error).__name__
    return None


# -- the transport ------------------------------------------------------------------


class MalformedReply(dns.exception.FormError):
    """A reply to the query came but could not be read."""


class _Do53(dns.nameserver.Do53Nameserver):
    """dnspython's Do53, except that a UDP query that timed out after a reply to it that
    could not be read raises MalformedReply. Over TCP such a reply raises FormError."""

    async def async_query(
        self, request: dns.message.QueryMessage, timeout: float, source: str | None,
        source_port: int, max_size: bool, backend: dns.asyncbackend.Backend,
        one_rr_per_rrset: bool = False, ignore_trailing: bool = False,
    ) -> dns.message.Message:
        received: list[bytes] = []
        watched = backend if max_size else _Recording(backend, received)
        try:
            return await super().async_query(
                request, timeout, source, source_port, max_size, watched,
                one_rr_per_rrset, ignore_trailing)
        except dns.exception.Timeout:
            why = _unreadable_reply(request, received)
            if why is None:
                raise
            raise MalformedReply(why) from None


def _unreadable_reply(request: dns.message.Message, received: list[bytes]) -> str | None:
    """Why a datagram that answers `request` could not be read (None: none of them)."""
    for wire in received:
        try:
            dns.message.from_wire(wire)
        except (dns.exception.DNSException, ValueError) as exc:
            if _answers(request, wire):
                return str(exc) or type(exc).__name__
    return None


def _answers(request: dns.message.Message, wire: bytes) -> bool:
    """Do the header and question of `wire` answer `request` (its id, its question)?"""
    try:
        return request.is_response(dns.message.from_wire(wire, question_only=True))
    except (dns.exception.DNSException, ValueError):
        return False


class _Recording(dns.asyncbackend.Backend):
    """The loop's backend, whose datagram sockets keep what they receive in `received`
    (for `_Do53` to tell afterwards; dnspython reads and judges each datagram as before)."""

    def __init__(self, backend: dns.asyncbackend.Backend, received: list[bytes]) -> None:
        self._backend = backend
        self._received = received

    def name(self) -> str:
        return self._backend.name()

    def datagram_connection_required(self) -> bool:
        return bool(self._backend.datagram_connection_required())

    async def make_socket(self, af: int, socktype: int, *args: Any, **kwargs: Any) -> Any:
        sock = await self._backend.make_socket(af, socktype, *args, **kwargs)
        return _Recorded(sock, self._received) if socktype == socket.SOCK_DGRAM else sock

    async def sleep(self, interval: float) -> None:
        await self._backend.sleep(interval)

    async def wait_for(self, awaitable: Any, timeout: float | None) -> Any:
        return await self._backend.wait_for(awaitable, timeout)

    def get_transport_class(self) -> Any:
        return self._backend.get_transport_class()


class _Recorded(dns.asyncbackend.DatagramSocket):
    """A datagram socket that keeps each datagram it receives."""

    def __init__(self, sock: Any, received: list[bytes]) -> None:
        super().__init__(sock.family, sock.type)
        self._sock = sock
        self._received = received

    async def sendto(self, what: bytes, destination: Any, timeout: float | None) -> Any:
        return await self._sock.sendto(what, destination, timeout)

    async def recvfrom(self, size: int, timeout: float | None) -> tuple[bytes, Any]:
        wire, address = await self._sock.recvfrom(size, timeout)
        self._received.append(wire)
        return wire, address

    async def close(self) -> None:
        await self._sock.close()

    async def getpeername(self) -> Any:
        return await self._sock.getpeername()

    async def getsockname(self) -> Any:
        return await self._sock.getsockname()
