"""Certificates and keys: parse, check, describe, generate, PKCS#12. No I/O.

Nothing here ever puts private key material into an exception message: a
CertError's text may reach a screen or a log.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from dataclasses import dataclass

from cryptography import x509
from cryptography.exceptions import InvalidSignature, UnsupportedAlgorithm
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.hazmat.primitives.asymmetric.types import (
    CertificateIssuerPrivateKeyTypes,
    PrivateKeyTypes,
)
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import NameOID

from state import messages, ranges
from state.controls import has_control
from state.errors import CertError, EncryptedKey, Pkcs12Refused
from state.messages import Message

PEM_CERT = re.compile(
    r"-----BEGIN CERTIFICATE-----\r?\n.*?-----END CERTIFICATE-----", re.DOTALL
)

PrivateKey = PrivateKeyTypes


def parse_certificate(pem: str) -> x509.Certificate:
    text = pem.strip()
    if text.count("-----BEGIN CERTIFICATE-----") != 1 or "-----END CERTIFICATE-----" not in text:
        raise CertError(messages.NOT_ONE_PEM())
    try:
        return x509.load_pem_x509_certificate(text.encode())
    except ValueError as exc:
        raise CertError(messages.UNREADABLE_CERTIFICATE(reason=exc)) from None


def parse_private_key(pem: str) -> PrivateKey:
    try:
        return serialization.load_pem_private_key(pem.strip().encode(), password=None)
    except TypeError:  # cryptography's "encrypted, and no password given"
        raise EncryptedKey(messages.UNREADABLE_KEY(kind="encrypted")) from None
    except (ValueError, UnsupportedAlgorithm) as exc:
        raise CertError(messages.UNREADABLE_KEY(kind=type(exc).__name__)) from None


def parse_certificates(pem: str) -> list[x509.Certificate]:
    """Every certificate of a PEM bundle (a CA file); CertError if none or any unreadable."""
    blocks = PEM_CERT.findall(pem)
    if not blocks or pem.count("-----BEGIN") != len(blocks):
        raise CertError(messages.NO_PEM())
    return [parse_certificate(block) for block in blocks]


def normalise_pem(cert: x509.Certificate) -> str:
    return cert.public_bytes(serialization.Encoding.PEM).decode()


def key_id(key: PrivateKey | x509.Certificate) -> str:
    """SHA-256 of the DER SubjectPublicKeyInfo: names a key without revealing it."""
    public = key.public_key()
    der = public.public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    return hashlib.sha256(der).hexdigest()


def key_matches(cert: x509.Certificate, key: PrivateKey) -> bool:
    return key_id(cert) == key_id(key)


def key_pem(key: PrivateKey) -> bytes:
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )


@dataclass(frozen=True)
class CertInfo:
    common_name: str
    issuer: str
    not_before: dt.datetime
    not_after: dt.datetime
    fingerprint: str

    def status(self, now: dt.datetime) -> str:
        if now < self.not_before:
            return "Not yet valid"
        days = self.remaining_days(now)
        if days < 0:
            return "Expired"
        if days <= 30:
            return f"Expires in {days} days"
        return "Valid"

    def remaining_days(self, now: dt.datetime) -> int:
        return (self.not_after - now).days


def _name_attr(name: x509.Name, oid: x509.ObjectIdentifier) -> str:
    attrs = name.get_attributes_for_oid(oid)
    return str(attrs[0].value) if attrs else ""


def describe(cert: x509.Certificate) -> CertInfo:
    issuer = _name_attr(cert.issuer, NameOID.COMMON_NAME) or _name_attr(
        cert.issuer, NameOID.ORGANIZATION_NAME
    )
    return CertInfo(
        common_name=_name_attr(cert.subject, NameOID.COMMON_NAME),
        issuer=issuer,
        not_before=cert.not_valid_before_utc,
        not_after=cert.not_valid_after_utc,
        fingerprint=cert.fingerprint(hashes.SHA256()).hex(),
    )


def generate_key(kind: str = "ecdsa-p256") -> CertificateIssuerPrivateKeyTypes:
    if kind == "ecdsa-p256":
        return ec.generate_private_key(ec.SECP256R1())
    if kind.startswith("rsa-"):
        return rsa.generate_private_key(public_exponent=65537, key_size=int(kind[4:]))
    raise CertError(messages.UNKNOWN_KEY_TYPE(kind=kind))


def self_signed(
    key: CertificateIssuerPrivateKeyTypes,
    common_name: str,
    organization: str = "",
    days: int = 3650,
    san: tuple[str, ...] = (),
    now: dt.datetime | None = None,
) -> x509.Certificate:
    subject = Subject(common_name=common_name, organization=organization)
    return request(key, subject, san, days, now or dt.datetime.now(dt.UTC))[0]


# -- certconfig NEW: subject, self-signed certificate and CSR ----------------------
KEY_TYPES = ("rsa-2048", "rsa-3072", "rsa-4096", "ecdsa-p256")
DEFAULT_KEY_TYPE = "ecdsa-p256"

# ISO 3166-1 alpha-2, officially assigned codes.
_ISO_3166 = """
AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ BA BB BD BE BF BG BH BI BJ BL BM BN BO BQ
BR BS BT BV BW BY BZ CA CC CD CF CG CH CI CK CL CM CN CO CR CU CV CW CX CY CZ DE DJ DK DM
DO DZ EC EE EG EH ER ES ET FI FJ FK FM FO FR GA GB GD GE GF GG GH GI GL GM GN GP GQ GR GS
GT GU GW GY HK HM HN HR HT HU ID IE IL IM IN IO IQ IR IS IT JE JM JO JP KE KG KH KI KM KN
KP KR KW KY KZ LA LB LC LI LK LR LS LT LU LV LY MA MC MD ME MF MG MH MK ML MM MN MO MP MQ
MR MS MT MU MV MW MX MY MZ NA NC NE NF NG NI NL NO NP NR NU NZ OM PA PE PF PG PH PK PL PM
PN PR PS PT PW PY QA RE RO RS RU RW SA SB SC SD SE SG SH SI SJ SK SL SM SN SO SR SS ST SV
SX SY SZ TC TD TF TG TH TJ TK TL TM TN TO TR TT TV TW TZ UA UG UM US UY UZ VA VC VE VG VI
VN VU WF WS YE YT ZA ZM ZW
"""
COUNTRY_CODES = frozenset(_ISO_3166.split())


def is_country_code(code: str) -> bool:
    return code.upper() in COUNTRY_CODES


def subject_problem(field: str, value: str, *, required: bool = False) -> Message | None:
    """Why `value` cannot be the subject attribute `field` (a field of `Subject`), or None.

    An empty value is left out of the name, unless it is `required` (the dialog asks for
    a CN and a C). Bounds: `ranges.CERT_SUBJECT_LENGTHS`, counted in UTF-8 bytes.
    """
    if field == "country":
        ok = (not value and not required) or (len(value) == 2 and is_country_code(value))
        return None if ok else messages.COUNTRY_CODE()
    if not value:
        return messages.ENTER_A_VALUE() if required else None
    attribute = messages.SUBJECT_ATTRIBUTES[field]
    if has_control(value):
        return messages.SUBJECT_CONTROL(attribute=attribute)
    limit = ranges.CERT_SUBJECT_LENGTHS[field]
    if len(value.encode("utf-8", "surrogatepass")) > limit:
        return messages.SUBJECT_TOO_LONG(attribute=attribute, limit=limit)
    return None


@dataclass(frozen=True)
class Subject:
    common_name: str
    organization: str = ""
    unit: str = ""
    locality: str = ""
    state: str = ""
    country: str = ""

    def problems(self) -> list[Message]:
        """Every attribute `subject_problem` refuses, in the order of the fields."""
        found = (subject_problem(f, getattr(self, f)) for f in ranges.CERT_SUBJECT_LENGTHS)
        return [why for why in found if why is not None]

    def name(self) -> x509.Name:
        """The X.509 name; CertError (the first problem) for a value it cannot hold."""
        if problems := self.problems():
            raise CertError(problems[0])
        pairs = (
            (NameOID.COUNTRY_NAME, self.country.upper()),
            (NameOID.STATE_OR_PROVINCE_NAME, self.state),
            (NameOID.LOCALITY_NAME, self.locality),
            (NameOID.ORGANIZATION_NAME, self.organization),
            (NameOID.ORGANIZATIONAL_UNIT_NAME, self.unit),
            (NameOID.COMMON_NAME, self.common_name),
        )
        return x509.Name([x509.NameAttribute(oid, value) for oid, value in pairs if value])


def _san(names: tuple[str, ...]) -> x509.SubjectAlternativeName:
    return x509.SubjectAlternativeName([x509.DNSName(n) for n in names])


def request(
    key: CertificateIssuerPrivateKeyTypes, subject: Subject, san: tuple[str, ...], days: int,
    now: dt.datetime,
) -> tuple[x509.Certificate, x509.CertificateSigningRequest]:
    """A self-signed certificate (usable at once) and the CSR a CA signs, both for `key`."""
    name = subject.name()
    builder = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=days))
    )
    csr = x509.CertificateSigningRequestBuilder().subject_name(name)
    if san:
        builder = builder.add_extension(_san(san), critical=False)
        csr = csr.add_extension(_san(san), critical=False)
    return builder.sign(key, hashes.SHA256()), csr.sign(key, hashes.SHA256())


def csr_pem(csr: x509.CertificateSigningRequest) -> str:
    return csr.public_bytes(serialization.Encoding.PEM).decode()


# -- checks on pasted and imported certificates -------------------------------------
def validity_problem(cert: x509.Certificate, now: dt.datetime) -> str | None:
    """"expired", "not yet valid", or None when `now` is inside the validity period."""
    if now > cert.not_valid_after_utc:
        return "expired"
    if now < cert.not_valid_before_utc:
        return "not yet valid"
    return None


def issued_by(cert: x509.Certificate, issuer: x509.Certificate) -> bool:
    """True when `issuer`'s key signed `cert` and the names line up."""
    try:
        cert.verify_directly_issued_by(issuer)
    except (ValueError, TypeError, InvalidSignature):
        return False
    return True


def is_ca(cert: x509.Certificate) -> bool:
    """A CA certificate: basicConstraints CA:TRUE, or a self-signed v1 root without it."""
    try:
        return bool(cert.extensions.get_extension_for_class(x509.BasicConstraints).value.ca)
    except x509.ExtensionNotFound:
        return cert.issuer == cert.subject


def fingerprint(cert: x509.Certificate) -> str:
    return cert.fingerprint(hashes.SHA256()).hex()


# -- PKCS#12 ------------------------------------------------------------------------
def to_pkcs12(
    name: str, key: PrivateKey, chain: tuple[str, ...], passphrase: str
) -> bytes:
    """The profile as a PKCS#12 file; the key is only ever exported encrypted."""
    if not passphrase:
        raise CertError(messages.PASSPHRASE_REQUIRED())
    leaf, *rest = [parse_certificate(pem) for pem in chain]
    if not isinstance(key, (rsa.RSAPrivateKey, ec.EllipticCurvePrivateKey)):
        raise CertError(messages.UNSUPPORTED_KEY())
    return pkcs12.serialize_key_and_certificates(
        name.encode(), key, leaf, rest or None,
        serialization.BestAvailableEncryption(passphrase.encode()),
    )


def from_pkcs12(data: bytes, passphrase: str) -> tuple[PrivateKey, tuple[x509.Certificate, ...]]:
    """(key, chain leaf first). Pkcs12Refused when it does not open; CertError when it
    opens but holds no key, or a key that is not the certificate's."""
    try:
        key, leaf, extra = pkcs12.load_key_and_certificates(data, passphrase.encode() or None)
    except (ValueError, TypeError, UnsupportedAlgorithm):
        raise Pkcs12Refused(messages.PKCS12_REFUSED()) from None
    if key is None or leaf is None:
        raise CertError(messages.PKCS12_INCOMPLETE())
    if not key_matches(leaf, key):
        raise CertError(messages.KEY_DOES_NOT_SIGN())
    return key, (leaf, *extra)
