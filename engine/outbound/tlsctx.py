"""Client-side TLS for outbound delivery: contexts and certificate checks.

Two contexts per configuration version: `verify` trusts exactly the union of the
enabled CA lists of certconfig CERTAUTHORITY (`state.authorities.trusted_pem`) and
fails the handshake on a chain that does not verify; `plain` checks nothing
(Preferred / Required). Host names are never checked by OpenSSL here
(check_hostname off): the name rule (recipient domain or MX
host, SAN before CN, one-label wildcards) is `policy.match_certificate`, so the
logs and tlsverify can say which name matched. Both present the destconfig
SETUP client certificate when one is set.
"""

from __future__ import annotations

import ssl
from dataclasses import dataclass
from typing import Any

from engine import tls
from engine.tls import load_trust
from state.authorities import trusted_pem
from state.model import Config
from state.secrets import Secrets


@dataclass(frozen=True)
class ClientContexts:
    plain: ssl.SSLContext
    verify: ssl.SSLContext

    def for_verify(self, verify: bool) -> ssl.SSLContext:
        return self.verify if verify else self.plain


def _base(config: Config) -> ssl.SSLContext:
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    ctx.check_hostname = False
    tls.apply_settings(ctx, config.ssl.outbound)  # sslconfig OUTBOUND: versions, ciphers
    ctx.options |= ssl.OP_NO_COMPRESSION
    return ctx


def _load_client_cert(ctx: ssl.SSLContext, config: Config, secrets: Secrets) -> None:
    name = config.destinations.client_certificate
    if name:
        cert, key_path = tls.profile(config, secrets, name)
        tls.load_chain(ctx, cert.chain, key_path)


def build_contexts(config: Config, secrets: Secrets, trust: str | None = None) -> ClientContexts:
    """Both contexts of `config`; `trust` is `trusted_pem(config.authorities)` when the
    caller has it already. Raises TlsSetupError."""
    plain, verify = _base(config), _base(config)
    plain.verify_mode = ssl.CERT_NONE
    verify.verify_mode = ssl.CERT_REQUIRED
    # Exactly the enabled lists: never load_default_certs(), which would also pull in
    # OpenSSL's CA directory behind the admin's back (and ignore a disabled list).
    load_trust(verify, trusted_pem(config.authorities) if trust is None else trust)
    for ctx in (plain, verify):
        _load_client_cert(ctx, config, secrets)
    return ClientContexts(plain=plain, verify=verify)


def peer_names(cert: dict[str, Any] | None) -> tuple[tuple[str, ...], str | None]:
    """(SAN dNSNames, subject CN) of a peer certificate as `getpeercert()` gives it."""
    if not cert:
        return (), None
    san = tuple(str(v) for k, v in cert.get("subjectAltName", ()) if k == "DNS")
    cn = None
    for rdn in cert.get("subject", ()):
        for key, value in rdn:
            if key == "commonName":
                cn = str(value)
    return san, cn


def describe_verify_error(exc: BaseException) -> str:
    if isinstance(exc, ssl.SSLError):
        return tls.ssl_reason(exc)
    if isinstance(exc, OSError):
        return exc.strerror or str(exc) or tls.os_words(exc)
    return str(exc) or type(exc).__name__
