"""The one certificate factory of the tests.

Two makers, for two needs:

- trustme, where a test only needs "a CA and a leaf it trusts": `make_ca()`,
  `issue_certificate()` (a certificate profile whose key sits in the appliance's
  secrets), `client_context()`, `server_context()`, `expired_context()`.
- cryptography, where a test needs control over each field: `issue()` (any leaf or CA,
  its validity and extensions), `chain_context()` (a server presenting a chosen chain),
  `self_signed_context()`, `SigningCA` (a root and an intermediate that sign CSRs made
  on the appliance, as a real CA would) and `make_chain()` (a chain to paste into
  certconfig).
"""

from __future__ import annotations

import datetime as dt
import os
import re
import ssl
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass, field

import trustme
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from state import certs
from state.model import Certificate
from state.secrets import Secrets

CSR_PEM = re.compile(
    r"-----BEGIN CERTIFICATE REQUEST-----\n.*?-----END CERTIFICATE REQUEST-----", re.DOTALL
)
Extension = tuple[x509.ExtensionType, bool]  # (extension, critical)


# -- trustme ---------------------------------------------------------------------------
def make_ca() -> trustme.CA:
    return trustme.CA(key_type=trustme.KeyType.ECDSA)


def issue_certificate(
    ca: trustme.CA, secrets: Secrets, name: str,
    hostnames: tuple[str, ...] = ("mail.test", "127.0.0.1"),
) -> Certificate:
    """A certificate profile signed by `ca`, its key stored in the secrets area."""
    leaf = ca.issue_cert(*hostnames, key_type=trustme.KeyType.ECDSA)
    key = certs.parse_private_key(leaf.private_key_pem.bytes().decode())
    key_id = secrets.put_key(key)
    chain = tuple(blob.bytes().decode() for blob in leaf.cert_chain_pems)
    return Certificate(name=name, chain=chain, key_id=key_id)


def leaf_pems(ca: trustme.CA, *names: str) -> tuple[str, str]:
    """(chain PEM, private key PEM) of a leaf `ca` issues for `names`."""
    leaf = ca.issue_cert(*names)
    chain = "".join(blob.bytes().decode() for blob in leaf.cert_chain_pems)
    return chain, leaf.private_key_pem.bytes().decode()


def client_context(ca: trustme.CA) -> ssl.SSLContext:
    ctx = ssl.create_default_context()
    ca.configure_trust(ctx)
    return ctx


def server_context(ca: trustme.CA, *names: str) -> ssl.SSLContext:
    ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ca.issue_cert(*names).configure_cert(ctx)
    return ctx


def expired_context(ca: trustme.CA, name: str) -> ssl.SSLContext:
    ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    past = dt.datetime.now(dt.UTC) - dt.timedelta(days=30)
    leaf = ca.issue_cert(name, not_before=past - dt.timedelta(days=30), not_after=past)
    leaf.configure_cert(ctx)
    return ctx


def insecure_client_context() -> ssl.SSLContext:
    """A client that checks nothing (for tests of enforcement, not of trust)."""
    context = ssl.create_default_context()
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    return context


# -- cryptography -----------------------------------------------------------------------
def name(cn: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, cn)])


def new_key() -> ec.EllipticCurvePrivateKey:
    return ec.generate_private_key(ec.SECP256R1())


def key_pem(key: ec.EllipticCurvePrivateKey) -> str:
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()


def cert_pem(cert: x509.Certificate) -> str:
    return cert.public_bytes(serialization.Encoding.PEM).decode()


def build(subject: x509.Name, key: ec.EllipticCurvePrivateKey, issuer: x509.Name,
          signer: ec.EllipticCurvePrivateKey, valid: tuple[dt.datetime, dt.datetime],
          extensions: Sequence[Extension] = ()) -> x509.Certificate:
    """A certificate with exactly these fields and extensions."""
    builder = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(issuer)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(valid[0])
        .not_valid_after(valid[1])
    )
    for extension, critical in extensions:
        builder = builder.add_extension(extension, critical=critical)
    return builder.sign(signer, hashes.SHA256())


def days(first: int, last: int, at: dt.datetime | None = None) -> tuple[dt.datetime, dt.datetime]:
    """A validity from `first` to `last` days after `at` (now by default)."""
    at = at or dt.datetime.now(dt.UTC)
    return at + dt.timedelta(days=first), at + dt.timedelta(days=last)


def basic_constraints(ca: bool) -> Extension:
    return x509.BasicConstraints(ca=ca, path_length=None), True


def ca_key_usage() -> Extension:
    return x509.KeyUsage(digital_signature=True, key_cert_sign=True, crl_sign=True,
                         content_commitment=False, key_encipherment=False,
                         data_encipherment=False, key_agreement=False,
                         encipher_only=False, decipher_only=False), True


def server_auth() -> Extension:
    return x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), False


def alt_names(names: Sequence[str]) -> Extension:
    return x509.SubjectAlternativeName([x509.DNSName(n) for n in names]), False


@dataclass
class Issued:
    cert: x509.Certificate
    key: ec.EllipticCurvePrivateKey

    @property
    def der(self) -> bytes:
        return self.cert.public_bytes(serialization.Encoding.DER)

    @property
    def pem(self) -> str:
        return cert_pem(self.cert)


def issue(
    cn: str, names: tuple[str, ...] = (), issuer: Issued | None = None, ca: bool = False,
    valid: tuple[dt.datetime, dt.datetime] | None = None,
) -> Issued:
    """A certificate for `cn` (and SAN `names`), signed by `issuer` or by itself; a leaf
    is for server authentication. Valid from a day ago for 30 days unless `valid`."""
    key = new_key()
    extensions = [basic_constraints(ca)]
    if names:
        extensions.append(alt_names(names))
    if not ca:
        extensions.append(server_auth())
    cert = build(name(cn), key, issuer.cert.subject if issuer else name(cn),
                 issuer.key if issuer else key, valid or days(-1, 30), extensions)
    return Issued(cert, key)


def chain_context(leaf: Issued, *chain: Issued) -> ssl.SSLContext:
    """A TLS server context presenting `leaf` and then `chain`, in that order."""
    ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    fd, path = tempfile.mkstemp(suffix=".pem")
    try:
        with os.fdopen(fd, "w") as handle:
            handle.write(leaf.pem + "".join(c.pem for c in chain) + key_pem(leaf.key))
        ctx.load_cert_chain(path)
    finally:
        os.unlink(path)
    return ctx


def self_signed_context(host: str) -> ssl.SSLContext:
    """A server presenting a self-signed certificate for `host` (no other extension)."""
    key = new_key()
    cert = build(name(host), key, name(host), key, days(-1, 30), [alt_names([host])])
    return chain_context(Issued(cert, key))


@dataclass
class SigningCA:
    """A root and an intermediate that sign CSRs as a real CA would: the leaf copies the
    CSR's subject and SAN."""

    root_key: ec.EllipticCurvePrivateKey = field(default_factory=new_key)
    inter_key: ec.EllipticCurvePrivateKey = field(default_factory=new_key)

    def __post_init__(self) -> None:
        self.root = self._ca("esacli Test Root CA", self.root_key, None)
        self.intermediate = self._ca("esacli Test Issuing CA", self.inter_key, self.root)

    def _ca(self, cn: str, key: ec.EllipticCurvePrivateKey,
            issuer: x509.Certificate | None) -> x509.Certificate:
        return build(name(cn), key, issuer.subject if issuer else name(cn),
                     self.root_key, days(-1, 3650), [basic_constraints(True), ca_key_usage()])

    @property
    def root_pem(self) -> str:
        return cert_pem(self.root)

    @property
    def intermediate_pem(self) -> str:
        return cert_pem(self.intermediate)

    def sign(self, csr_pem: str, days: int = 90, not_before: dt.datetime | None = None) -> str:
        """Sign a CSR with the intermediate; subject and SAN come from the CSR."""
        csr = x509.load_pem_x509_csr(csr_pem.encode())
        assert csr.is_signature_valid
        start = not_before or dt.datetime.now(dt.UTC) - dt.timedelta(hours=1)
        extensions = [basic_constraints(False), server_auth()]
        try:
            san = csr.extensions.get_extension_for_class(x509.SubjectAlternativeName)
            extensions.append((san.value, False))
        except x509.ExtensionNotFound:
            pass
        cert = x509.CertificateBuilder().subject_name(csr.subject)
        cert = cert.issuer_name(self.intermediate.subject).public_key(csr.public_key())
        cert = cert.serial_number(x509.random_serial_number()).not_valid_before(start)
        cert = cert.not_valid_after(start + dt.timedelta(days=days))
        for extension, critical in extensions:
            cert = cert.add_extension(extension, critical=critical)
        return cert_pem(cert.sign(self.inter_key, hashes.SHA256()))


@dataclass(frozen=True)
class Chain:
    leaf: str
    key: str
    intermediate: str
    other_key: str


def make_chain(at: dt.datetime | None = None) -> Chain:
    """Root CA -> Test Intermediate CA -> mx.partner.example (365 days from `at`)."""
    at = at or dt.datetime.now(dt.UTC)
    root_key, inter_key, leaf_key = (new_key() for _ in range(3))

    def signed(subject: str, issuer: str, key: ec.EllipticCurvePrivateKey,
               signer: ec.EllipticCurvePrivateKey, ca: bool, valid_days: int) -> str:
        valid = (at - dt.timedelta(hours=1), at + dt.timedelta(days=valid_days, hours=1))
        return cert_pem(build(name(subject), key, name(issuer), signer, valid,
                              [basic_constraints(ca)]))

    inter = signed("Test Intermediate CA", "Test Root CA", inter_key, root_key, True, 1000)
    leaf = signed("mx.partner.example", "Test Intermediate CA", leaf_key, inter_key, False, 365)
    return Chain(leaf=leaf, key=key_pem(leaf_key), intermediate=inter,
                 other_key=key_pem(new_key()))


def csr_from_screen(screen: str) -> str:
    found = CSR_PEM.findall(screen)
    assert found, "no CSR on the screen"
    return str(found[-1]) + "\n"


def pem_lines(pem: str) -> list[str]:
    """A pasted PEM block as input lines, ending with the `.` line."""
    return [*pem.strip().splitlines(), "."]
