"""certconfig CERTAUTHORITY: the system CA bundle, the custom list, and their union.

Every "Verify" setting, inbound and outbound, trusts exactly `trusted_pem(config
.authorities)`: the operating system's bundle when `system_enabled`, each custom
CA when `custom_enabled`. The system bundle is the OS file that
`ssl.get_default_verify_paths()` names (which honours SSL_CERT_FILE); it is read
once per change of the file, not on every commit.
"""

from __future__ import annotations

import ssl
import threading
import warnings
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.x509.oid import NameOID

from state import certs
from state.errors import CertError
from state.model import Authorities, CustomCA

_FALLBACK_BUNDLE = Path("/etc/ssl/certs/ca-certificates.crt")
_lock = threading.Lock()
_cache: dict[tuple[str, int, int], tuple[str, ...]] = {}


def system_bundle_path() -> Path | None:
    cafile = ssl.get_default_verify_paths().cafile
    if cafile:
        return Path(cafile)
    return _FALLBACK_BUNDLE if _FALLBACK_BUNDLE.exists() else None


def system_cas() -> tuple[str, ...]:
    """The OS bundle's certificates as PEM blocks (unreadable blocks are skipped)."""
    path = system_bundle_path()
    if path is None:
        return ()
    try:
        stat = path.stat()
        key = (str(path), stat.st_mtime_ns, stat.st_size)
        with _lock:
            if key not in _cache:
                _cache.clear()
                _cache[key] = _read_bundle(path.read_text(errors="replace"))
            return _cache[key]
    except OSError:
        return ()


def _read_bundle(text: str) -> tuple[str, ...]:
    # Kept as text: OpenSSL reads them for the SSL contexts. Parsing them here with
    # cryptography would warn about (harmless) quirks of a few old roots.
    return tuple(block.strip() + "\n" for block in certs.PEM_CERT.findall(text))


def system_labels() -> list[str]:
    """certconfig CERTAUTHORITY SYSTEM PRINT: one name per system CA."""
    labels: list[str] = []
    for block in system_cas():
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # see _read_bundle
            try:
                labels.append(subject_label(certs.parse_certificate(block)))
            except CertError:
                continue  # one damaged entry must not cost the others
    return labels


def trusted_pem(authorities: Authorities) -> str:
    """The union of the enabled lists as one PEM bundle ("" when nothing is trusted)."""
    blocks: list[str] = []
    if authorities.system_enabled:
        blocks.extend(system_cas())
    if authorities.custom_enabled:
        blocks.extend(ca.pem for ca in authorities.custom)
    return "".join(block.strip() + "\n" for block in blocks)


@dataclass(frozen=True)
class CaInfo:
    subject: str
    not_after: str
    fingerprint: str


def subject_label(cert: x509.Certificate) -> str:
    """The CA's name as lists show it: CN, else O, else the whole subject."""
    for oid in (NameOID.COMMON_NAME, NameOID.ORGANIZATION_NAME, NameOID.ORGANIZATIONAL_UNIT_NAME):
        attrs = cert.subject.get_attributes_for_oid(oid)
        if attrs:
            return str(attrs[0].value)
    return cert.subject.rfc4514_string()


def describe(pem: str) -> CaInfo:
    cert = certs.parse_certificate(pem)
    return CaInfo(
        subject=subject_label(cert),
        not_after=cert.not_valid_after_utc.strftime("%b %d %Y"),
        fingerprint=certs.fingerprint(cert),
    )


def custom_entries(
    existing: tuple[CustomCA, ...], pem: str
) -> tuple[list[CustomCA], list[str]]:
    """New CustomCA records for every CA certificate in `pem`.

    Returns (added, refused): refused names certificates that are not CAs or are
    already in the list. Names are the subject label, made unique with " (2)".
    CertError when `pem` holds no readable certificate at all.
    """
    have = {certs.fingerprint(certs.parse_certificate(ca.pem)) for ca in existing}
    names = {ca.name for ca in existing}
    added: list[CustomCA] = []
    refused: list[str] = []
    for cert in certs.parse_certificates(pem):
        # brackets would clash with configuration paths (custom[<name>])
        label = subject_label(cert).replace("[", "(").replace("]", ")")
        fp = certs.fingerprint(cert)
        if not certs.is_ca(cert) or fp in have:
            refused.append(label)
            continue
        name, n = label, 1
        while name in names:
            n += 1
            name = f"{label} ({n})"
        names.add(name)
        have.add(fp)
        added.append(CustomCA(name=name, pem=certs.normalise_pem(cert)))
    return added, refused
