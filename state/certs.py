"""Certificates and keys: parse, check, describe, generate. No I/O."""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.hazmat.primitives.asymmetric.types import (
    CertificateIssuerPrivateKeyTypes,
    PrivateKeyTypes,
)
from cryptography.x509.oid import NameOID

from state.errors import CertError

PrivateKey = PrivateKeyTypes


def parse_certificate(pem: str) -> x509.Certificate:
    text = pem.strip()
    if text.count("-----BEGIN CERTIFICATE-----") != 1 or "-----END CERTIFICATE-----" not in text:
        raise CertError("not a single PEM certificate")
    try:
        return x509.load_pem_x509_certificate(text.encode())
    except ValueError as exc:
        raise CertError(f"unreadable certificate: {exc}") from None


def parse_private_key(pem: str) -> PrivateKey:
    try:
        return serialization.load_pem_private_key(pem.strip().encode(), password=None)
    except (ValueError, TypeError) as exc:
        raise CertError(f"unreadable private key: {type(exc).__name__}") from None


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


def generate_key(kind: str = "ecdsa-p256") -> PrivateKey:
    if kind == "ecdsa-p256":
        return ec.generate_private_key(ec.SECP256R1())
    if kind.startswith("rsa-"):
        return rsa.generate_private_key(public_exponent=65537, key_size=int(kind[4:]))
    raise CertError(f"unknown key type {kind}")


def self_signed(
    key: CertificateIssuerPrivateKeyTypes,
    common_name: str,
    organization: str = "",
    days: int = 3650,
    san: tuple[str, ...] = (),
) -> x509.Certificate:
    attrs = [x509.NameAttribute(NameOID.COMMON_NAME, common_name)]
    if organization:
        attrs.append(x509.NameAttribute(NameOID.ORGANIZATION_NAME, organization))
    name = x509.Name(attrs)
    now = dt.datetime.now(dt.timezone.utc)
    builder = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=days))
    )
    if san:
        builder = builder.add_extension(
            x509.SubjectAlternativeName([x509.DNSName(n) for n in san]), critical=False
        )
    return builder.sign(key, hashes.SHA256())
