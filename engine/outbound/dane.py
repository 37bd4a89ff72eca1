"""DANE for SMTP (RFC 7672): TLSA records at `_<port>._tcp.<host>` of each next hop (25
for an MX, an smtproutes host's own port: `tlsa_for`), their DNSSEC state, and the check of
a TLS peer's certificate chain against them.

- `lookup_tlsa` asks only behind secure answers (the MX RRset and the host's addresses,
  §2.2): otherwise the state is INSECURE without a query. The answer is typed: USABLE
  (secure, at least one usable record), UNUSABLE (secure, none usable: mandatory
  unauthenticated TLS, §2.2), NO_RECORDS (secure denial), INSECURE, BOGUS, FAILED.
- Usable records are DANE-TA(2) and DANE-EE(3) with selector 0/1 and matching type 0/1/2
  (a digest of the right length); PKIX-TA(0) and PKIX-EE(1) are unusable (§3.1.3). A
  digest of the wrong length is read like any other record and is unusable, and the rest
  of its RRset still counts (`_AnyLengthTlsa`).
- `verify` is pure: DANE-EE matches the leaf and checks neither names nor dates (§3.1.1);
  DANE-TA needs the matching certificate inside the chain the server presented, every
  certificate below it issued by the next one (a CA) and valid now, and the leaf to carry
  one of the reference names (§3.2.2: the MX host name and the recipient domain; one
  left-most wildcard label, SAN before CN). Its result names the TLS-RPT result type.
"""

from __future__ import annotations

import datetime as dt
import enum
import hashlib
import hmac
import itertools
import ssl
from dataclasses import dataclass
from typing import Any

import dns.immutable
import dns.rdata
import dns.rdataclass
import dns.rdatatype
import dns.rdtypes.ANY.TLSA
from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.x509.oid import NameOID

from engine.outbound import reasons
from engine.outbound.dnssec import SecureLookups, Security
from engine.outbound.policy import match_certificate
from engine.outbound.resolver import SMTP_PORT, Target

DANE_TA = 2
DANE_EE = 3
_DIGESTS = {1: hashlib.sha256, 2: hashlib.sha512}
_LENGTHS = {1: 32, 2: 64}


@dataclass(frozen=True)
class Tlsa:
    usage: int
    selector: int
    mtype: int
    data: bytes

    @property
    def usable(self) -> bool:
        if self.usage not in (DANE_TA, DANE_EE) or self.selector not in (0, 1):
            return False
        if self.mtype == 0:
            return bool(self.data)
        return _LENGTHS.get(self.mtype) == len(self.data)

    def text(self) -> str:
        return f"{self.usage} {self.selector} {self.mtype} {self.data.hex()}"


class TlsaState(enum.Enum):
    USABLE = "secure usable"
    UNUSABLE = "secure unusable"
    NO_RECORDS = "secure, no TLSA"
    INSECURE = "insecure"
    BOGUS = "bogus"
    FAILED = "lookup failure"


@dataclass(frozen=True)
class TlsaLookup:
    state: TlsaState
    base: str  # the TLSA base domain: the MX host name
    records: tuple[Tlsa, ...] = ()
    reason: str = ""

    @property
    def usable(self) -> tuple[Tlsa, ...]:
        return tuple(r for r in self.records if r.usable)


@dns.immutable.immutable
class _AnyLengthTlsa(dns.rdtypes.ANY.TLSA.TLSA):
    """A TLSA rdata read whatever the length of its association data. dnspython (2.9)
    refuses a SHA-256 or SHA-512 digest of the wrong length, and with it the whole reply:
    one bad record hid the good ones of its RRset, and the lookup ended as a timeout.
    RFC 7672 §3.1.3 wants that record unusable and the others used: `Tlsa.usable` says
    which are. Built as matching type 0 (full data, any length), then given its own."""

    def __init__(self, rdclass: dns.rdataclass.RdataClass, rdtype: dns.rdatatype.RdataType,
                 usage: int, selector: int, mtype: int, cert: bytes) -> None:
        super().__init__(rdclass, rdtype, usage, selector, 0, cert)
        self.mtype = self._as_uint8(mtype)


# dnspython offers no public way to replace the class of a type it knows (register_type
# refuses one): its table is the only place. Every TLSA answer this process reads uses it.
dns.rdata._rdata_classes[(dns.rdataclass.IN, dns.rdatatype.TLSA)] = _AnyLengthTlsa


def tlsa_name(host: str, port: int = SMTP_PORT) -> str:
    return f"_{port}._tcp.{host.rstrip('.').lower()}"


def classify(
    base: str, security: Security, records: tuple[Tlsa, ...], reason: str = ""
) -> TlsaLookup:
    """The state of a TLSA answer (pure)."""
    if security is Security.BOGUS:
        return TlsaLookup(TlsaState.BOGUS, base, reason=reason)
    if security is Security.FAILED:
        return TlsaLookup(TlsaState.FAILED, base, reason=reason)
    if security is Security.INSECURE:
        return TlsaLookup(TlsaState.INSECURE, base, records)
    if not records:
        return TlsaLookup(TlsaState.NO_RECORDS, base)
    state = TlsaState.USABLE if any(r.usable for r in records) else TlsaState.UNUSABLE
    return TlsaLookup(state, base, records)


async def tlsa_for(lookups: SecureLookups, target: Target, behind_secure: bool) -> TlsaLookup:
    """TLSA records of a next hop, at the port it is known by (RFC 6698 §3, RFC 7672 §3;
    as Postfix: 25 for an MX, an smtproutes host's own `:port`), not where tests connect."""
    return await lookup_tlsa(lookups, target.host, behind_secure, target.service_port)


async def lookup_tlsa(
    lookups: SecureLookups, host: str, behind_secure: bool, port: int = SMTP_PORT
) -> TlsaLookup:
    """TLSA records of `host` (its MX and address answers validated: `behind_secure`)."""
    if not behind_secure:
        return TlsaLookup(TlsaState.INSECURE, host)
    answer = await lookups.lookup(tlsa_name(host, port), "TLSA")
    records = tuple(Tlsa(r.usage, r.selector, r.mtype, bytes(r.cert)) for r in answer.records)
    return classify(host, answer.security, records, answer.reason)


# -- matching ----------------------------------------------------------------


def association(cert: x509.Certificate, selector: int, mtype: int) -> bytes:
    """The certificate association data of `cert` for a selector and matching type."""
    if selector == 0:
        blob = cert.public_bytes(serialization.Encoding.DER)
    else:
        blob = cert.public_key().public_bytes(
            serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
        )
    digest = _DIGESTS.get(mtype)
    return digest(blob).digest() if digest else blob


def matches(record: Tlsa, cert: x509.Certificate) -> bool:
    return record.usable and hmac.compare_digest(
        association(cert, record.selector, record.mtype), record.data
    )


@dataclass(frozen=True)
class DaneResult:
    ok: bool
    reason: str = ""
    result_type: str = ""  # RFC 8460 result type when not ok
    matched: Tlsa | None = None
    matched_name: str | None = None  # DANE-TA only


def verify(
    chain_der: tuple[bytes, ...], records: tuple[Tlsa, ...], names: tuple[str, ...],
    now: dt.datetime,
) -> DaneResult:
    """Does the chain a server presented satisfy one of the usable TLSA records?"""
    try:
        chain = tuple(x509.load_der_x509_certificate(der) for der in chain_der)
    except ValueError:
        return DaneResult(False, reasons.DANE_BAD_CHAIN, "validation-failure")
    if not chain:
        return DaneResult(False, reasons.DANE_NO_CHAIN, "validation-failure")
    usable = [r for r in records if r.usable]
    for record in usable:
        if record.usage == DANE_EE and matches(record, chain[0]):
            return DaneResult(True, matched=record)
    failures = [_via_ta(chain, record, names, now) for record in usable if record.usage == DANE_TA]
    for result in failures:
        if result.ok:
            return result
    named = [f for f in failures if f.result_type != "tlsa-invalid"]
    return named[0] if named else DaneResult(False, reasons.DANE_MISMATCH, "tlsa-invalid")


def _via_ta(
    chain: tuple[x509.Certificate, ...], record: Tlsa, names: tuple[str, ...], now: dt.datetime
) -> DaneResult:
    top = next((i for i in range(1, len(chain)) if matches(record, chain[i])), None)
    if top is None:
        return DaneResult(False, reasons.DANE_MISMATCH, "tlsa-invalid")
    for below, issuer in itertools.pairwise(chain[: top + 1]):
        if not _issued_by(below, issuer):
            return DaneResult(False, reasons.DANE_TA_BROKEN_CHAIN, "tlsa-invalid")
    for cert in chain[:top]:
        if not cert.not_valid_before_utc <= now <= cert.not_valid_after_utc:
            return DaneResult(False, reasons.DANE_EXPIRED, "certificate-expired")
    san, cn = cert_names(chain[0])
    found = match_certificate(san, cn, names)
    if found is None:
        why = reasons.name_mismatch(san, cn, names)
        return DaneResult(False, why, "certificate-host-mismatch")
    return DaneResult(True, matched=record, matched_name=found[0])


def _issued_by(cert: x509.Certificate, issuer: x509.Certificate) -> bool:
    try:
        constraints = issuer.extensions.get_extension_for_class(x509.BasicConstraints).value
    except x509.ExtensionNotFound:
        return False
    if not constraints.ca:
        return False
    try:
        cert.verify_directly_issued_by(issuer)
    except (ValueError, TypeError, InvalidSignature):
        return False
    return True


def cert_names(cert: x509.Certificate) -> tuple[tuple[str, ...], str | None]:
    """(SAN dNSNames, subject CN) of a certificate."""
    try:
        ext = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName)
        san = tuple(ext.value.get_values_for_type(x509.DNSName))
    except x509.ExtensionNotFound:
        san = ()
    cns = cert.subject.get_attributes_for_oid(NameOID.COMMON_NAME)
    return san, (str(cns[0].value) if cns else None)


def leaf_names(chain_der: tuple[bytes, ...]) -> tuple[tuple[str, ...], str | None]:
    """The names of the first certificate of a DER chain ((), None if unreadable)."""
    try:
        return cert_names(x509.load_der_x509_certificate(chain_der[0])) if chain_der else ((), None)
    except ValueError:
        return (), None


# -- the peer's chain ----------------------------------------------------------


def peer_chain(ssl_object: Any) -> tuple[bytes, ...]:
    """The certificates the peer sent (leaf first, DER), verified or not.

    Python 3.13 has SSLObject.get_unverified_chain(); 3.11 and 3.12 have it only on the
    underlying _ssl object. Without either, just the leaf (enough for DANE-EE).
    """
    getter = getattr(ssl_object, "get_unverified_chain", None)
    if getter is None:
        getter = getattr(getattr(ssl_object, "_sslobj", None), "get_unverified_chain", None)
    if getter is not None:
        chain = getter() or []
        return tuple(c if isinstance(c, bytes) else c.public_bytes(ssl._ssl.ENCODING_DER)  # type: ignore[attr-defined]
                     for c in chain)
    leaf = ssl_object.getpeercert(binary_form=True)
    return (leaf,) if leaf else ()
