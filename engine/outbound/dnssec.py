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
"""

from __future__ import annotations

import enum
import ipaddress
from dataclasses import dataclass
from typing import Any

import dns.asyncresolver
import dns.exception
import dns.flags
import dns.message
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
    (for a failure, the dnspython exception's name, as mail_logs has always said it)."""

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


def make_dnssec_resolver(
    settings: DnsSettings, checking: bool = True
) -> dns.asyncresolver.Resolver:
    resolver = dns.asyncresolver.Resolver(configure=not settings.servers)
    if settings.servers:
        resolver.nameservers = list(settings.servers)
        resolver.port = settings.port
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
        self.trusted = ad_trusted([str(ns) for ns in self._dns.nameservers])

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
            return Lookup(name, rdtype, Security.FAILED, reason=type(exc).__name__)
        records = tuple(answer.rrset) if answer.rrset is not None else ()
        security = self._security([answer.response])
        return Lookup(name, rdtype, security, records, exists=bool(records))

    def _security(self, responses: list[dns.message.Message]) -> Security:
        if self.trusted and responses and all(r.flags & dns.flags.AD for r in responses):
            return Security.SECURE
        return Security.INSECURE

    async def _servfail(self, name: str, rdtype: str, exc: dns.resolver.NoNameservers) -> Lookup:
        responses = [e[4] for e in exc.kwargs.get("errors", []) if len(e) > 4]
        for response in responses:
            if not isinstance(response, dns.message.Message):
                continue
            for ede in response.extended_errors():
                if int(ede.code) in BOGUS_EDE and self.trusted:
                    return Lookup(
                        name,
                        rdtype,
                        Security.BOGUS,
                        reason=ede.text or reasons.DNSSEC_EDE.format(code=ede.code),
                    )
        if self.trusted and await self._answers_unchecked(name, rdtype):
            return Lookup(name, rdtype, Security.BOGUS, reason=reasons.DNSSEC_NO_VALIDATION)
        return Lookup(name, rdtype, Security.FAILED, reason=type(exc).__name__)

    async def _answers_unchecked(self, name: str, rdtype: str) -> bool:
        try:
            await self._unchecked.resolve(name.rstrip(".") + ".", rdtype, raise_on_no_answer=False)
        except dns.resolver.NXDOMAIN:
            return True
        except (dns.exception.DNSException, OSError):
            return False
        return True
