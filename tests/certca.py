"""A throwaway two-level CA made with `cryptography` that signs CSRs, as a real CA would:
Root -> Intermediate -> leaf, the leaf copying the CSR's subject and SAN."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

CSR_PEM = re.compile(
    r"-----BEGIN CERTIFICATE REQUEST-----\n.*?-----END CERTIFICATE REQUEST-----", re.DOTALL
)


def _name(cn: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, cn)])


def _pem(cert: x509.Certificate) -> str:
    return cert.public_bytes(serialization.Encoding.PEM).decode()


def _ca_cert(subject: str, key: ec.EllipticCurvePrivateKey, issuer: str,
             issuer_key: ec.EllipticCurvePrivateKey) -> x509.Certificate:
    now = dt.datetime.now(dt.UTC)
    return (
        x509.CertificateBuilder()
        .subject_name(_name(subject))
        .issuer_name(_name(issuer))
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=3650))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(digital_signature=True, key_cert_sign=True, crl_sign=True,
                          content_commitment=False, key_encipherment=False,
                          data_encipherment=False, key_agreement=False,
                          encipher_only=False, decipher_only=False),
            critical=True,
        )
        .sign(issuer_key, hashes.SHA256())
    )


@dataclass
class SigningCA:
    root_key: ec.EllipticCurvePrivateKey = field(
        default_factory=lambda: ec.generate_private_key(ec.SECP256R1()))
    inter_key: ec.EllipticCurvePrivateKey = field(
        default_factory=lambda: ec.generate_private_key(ec.SECP256R1()))

    def __post_init__(self) -> None:
        self.root = _ca_cert("esacli Test Root CA", self.root_key, "esacli Test Root CA",
                             self.root_key)
        self.intermediate = _ca_cert("esacli Test Issuing CA", self.inter_key,
                                     "esacli Test Root CA", self.root_key)

    @property
    def root_pem(self) -> str:
        return _pem(self.root)

    @property
    def intermediate_pem(self) -> str:
        return _pem(self.intermediate)

    def sign(self, csr_pem: str, days: int = 90, not_before: dt.datetime | None = None) -> str:
        """Sign a CSR with the intermediate; subject and SAN come from the CSR."""
        csr = x509.load_pem_x509_csr(csr_pem.encode())
        assert csr.is_signature_valid
        start = not_before or dt.datetime.now(dt.UTC) - dt.timedelta(hours=1)
        builder = (
            x509.CertificateBuilder()
            .subject_name(csr.subject)
            .issuer_name(self.intermediate.subject)
            .public_key(csr.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(start)
            .not_valid_after(start + dt.timedelta(days=days))
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]),
                           critical=False)
        )
        try:
            san = csr.extensions.get_extension_for_class(x509.SubjectAlternativeName)
            builder = builder.add_extension(san.value, critical=False)
        except x509.ExtensionNotFound:
            pass
        return _pem(builder.sign(self.inter_key, hashes.SHA256()))


def csr_from_screen(screen: str) -> str:
    found = CSR_PEM.findall(screen)
    assert found, "no CSR on the screen"
    return str(found[-1]) + "\n"


def pem_lines(pem: str) -> list[str]:
    """A pasted PEM block as input lines, ending with the `.` line."""
    return pem.strip().splitlines() + ["."]
