"""Shared pieces of the outbound tests: certificates for fake MXs, configs, DNS."""

from __future__ import annotations

import datetime as dt
import ssl

import trustme
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from state.model import (
    Authorities,
    Config,
    CustomCA,
    DestinationControls,
    DestinationEntry,
    DnsSettings,
    TLSMode,
)

DOMAIN = "partner.test"


def server_context(ca: trustme.CA, *names: str) -> ssl.SSLContext:
    ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ca.issue_cert(*names).configure_cert(ctx)
    return ctx


def _context_from(cert: x509.Certificate, key: ec.EllipticCurvePrivateKey) -> ssl.SSLContext:
    import os
    import tempfile

    ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    fd, name = tempfile.mkstemp(suffix=".pem")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(cert.public_bytes(serialization.Encoding.PEM))
            handle.write(
                key.private_bytes(
                    serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                    serialization.NoEncryption(),
                )
            )
        ctx.load_cert_chain(name)
    finally:
        os.unlink(name)
    return ctx


def self_signed_context(name: str) -> ssl.SSLContext:
    key = ec.generate_private_key(ec.SECP256R1())
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder().subject_name(subject).issuer_name(subject)
        .public_key(key.public_key()).serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1)).not_valid_after(now + dt.timedelta(days=30))
        .add_extension(x509.SubjectAlternativeName([x509.DNSName(name)]), critical=False)
        .sign(key, hashes.SHA256())
    )
    return _context_from(cert, key)


def expired_context(ca: trustme.CA, name: str) -> ssl.SSLContext:
    ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    past = dt.datetime.now(dt.UTC) - dt.timedelta(days=30)
    leaf = ca.issue_cert(name, not_before=past - dt.timedelta(days=30), not_after=past)
    leaf.configure_cert(ctx)
    return ctx


def outbound_config(
    ca: trustme.CA | None,
    dns_port: int = 53,
    tls: TLSMode = TLSMode.NO,
    domain: str = DOMAIN,
    **default_fields: object,
) -> Config:
    """Gateway config: trusts only the test CA, DNS on the local dnsmasq, `tls` for `domain`."""
    custom = (CustomCA(name="test", pem=ca.cert_pem.bytes().decode()),) if ca else ()
    default = DestinationEntry(
        domain="DEFAULT", tls=TLSMode.NO, max_concurrency=500, max_msgs_per_connection=50
    )
    for key, value in default_fields.items():
        default = DestinationEntry(**{**_fields(default), key: value})
    return Config(
        hostname="gateway.test",
        authorities=Authorities(system_enabled=False, custom_enabled=True, custom=custom),
        destinations=DestinationControls(
            default=default, entries=(DestinationEntry(domain=domain, tls=tls),)
        ),
        dns=DnsSettings(servers=("127.0.0.1",), port=dns_port, timeout=2.0),
    )


def _fields(entry: DestinationEntry) -> dict[str, object]:
    return {f: getattr(entry, f) for f in entry.__struct_fields__}


class FakeClock:
    """The queue's clock in tests: time moves only when a test moves it."""

    def __init__(self) -> None:
        self.t = 1_700_000_000.0

    def now(self) -> float:
        return self.t
