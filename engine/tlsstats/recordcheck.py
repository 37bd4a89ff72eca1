"""Judge, for the record, a certificate chain the delivery did not verify.

Preferred (and No, where TLS was never tried) deliver without checking the server's
certificate, so the connection cannot say what Required - Verify would have made of it.
Off the event loop, the chain the server sent is checked here as Required - Verify would:
it must lead to an enabled certificate authority (certconfig CERTAUTHORITY) and name the
recipient domain or the MX host (engine/outbound/policy.match_certificate). The chain is
checked with cryptography's verifier, extension checks on the server's own certificate
relaxed (OpenSSL's verify, which delivery uses, does not demand the Web PKI's profile), so
the two agree on what matters here: trust, validity dates, names.
"""

from __future__ import annotations

import datetime as dt
from collections import OrderedDict
from threading import Lock

from cryptography import x509
from cryptography.x509 import verification

from engine.outbound.policy import match_certificate
from state import authorities as cas
from state.model import Authorities

_STORES: OrderedDict[Authorities, verification.Store | None] = OrderedDict()
_LOCK = Lock()
_KEEP = 4  # certconfig lists of recent versions


def _store(trusted: Authorities) -> verification.Store | None:
    with _LOCK:
        if trusted in _STORES:
            _STORES.move_to_end(trusted)
            return _STORES[trusted]
    pem = cas.trusted_pem(trusted).encode()
    try:
        store = verification.Store(x509.load_pem_x509_certificates(pem)) if pem else None
    except ValueError:
        store = None
    with _LOCK:
        _STORES[trusted] = store
        while len(_STORES) > _KEEP:
            _STORES.popitem(last=False)
    return store


def leaf_names(leaf: x509.Certificate) -> tuple[tuple[str, ...], str | None]:
    """(SAN dNSNames, CN), as engine/outbound/tlsctx.peer_names reads them."""
    try:
        san = tuple(leaf.extensions.get_extension_for_class(x509.SubjectAlternativeName)
                    .value.get_values_for_type(x509.DNSName))
    except x509.ExtensionNotFound:
        san = ()
    cns = leaf.subject.get_attributes_for_oid(x509.NameOID.COMMON_NAME)
    return san, (str(cns[0].value) if cns else None)


def judge(chain: tuple[bytes, ...], trusted: Authorities, names: tuple[str, ...],
          now: dt.datetime) -> tuple[str, str, str]:
    """(RFC 8460 result type, "" when it verifies; the name that matched; the leaf's name)."""
    try:
        certs = [x509.load_der_x509_certificate(der) for der in chain]
    except ValueError:
        return "validation-failure", "", ""
    if not certs:
        return "validation-failure", "", ""
    san, cn = leaf_names(certs[0])
    presented = san[0] if san else cn or ""
    if not _chain_ok(certs, trusted, now):
        expired = any(c.not_valid_after_utc < now or c.not_valid_before_utc > now for c in certs)
        return ("certificate-expired" if expired else "certificate-not-trusted"), "", presented
    match = match_certificate(san, cn, names)
    if match is None:
        return "certificate-host-mismatch", "", presented
    return "", match[0], presented


def _chain_ok(certs: list[x509.Certificate], trusted: Authorities, now: dt.datetime) -> bool:
    store = _store(trusted)
    if store is None:
        return False
    builder = verification.PolicyBuilder().store(store).time(now).extension_policies(
        ca_policy=verification.ExtensionPolicy.webpki_defaults_ca(),
        ee_policy=verification.ExtensionPolicy.permit_all(),
    )
    try:
        builder.build_client_verifier().verify(certs[0], certs[1:])
    except (verification.VerificationError, ValueError):
        return False
    return True
