"""SSL contexts for listeners and for the outbound client.

A listener needs up to three contexts, one per way of treating the client's
certificate (not asked, asked, required). They differ only in verify mode, so
they are built from the same chain and key. Whatever verifies a peer trusts
exactly `trust`: the union of the enabled certconfig CERTAUTHORITY lists
(`state.authorities.trusted_pem`), never OpenSSL's defaults behind its back.
"""

from __future__ import annotations

import asyncio.sslproto
import enum
import os
import ssl
import tempfile
import warnings
from pathlib import Path

from engine.errors import TlsSetupError
from state.errors import StateError
from state.model import Certificate, Config, SslDirection, TlsVersion
from state.secrets import Secrets
from state.validate_ssl import is_legacy


class ClientCert(enum.Enum):
    NONE = "none"
    OPTIONAL = "optional"
    REQUIRED = "required"


_VERSIONS = {
    TlsVersion.TLS1_0: ssl.TLSVersion.TLSv1,
    TlsVersion.TLS1_1: ssl.TLSVersion.TLSv1_1,
    TlsVersion.TLS1_2: ssl.TLSVersion.TLSv1_2,
    TlsVersion.TLS1_3: ssl.TLSVersion.TLSv1_3,
}


def apply_settings(ctx: ssl.SSLContext, settings: SslDirection) -> None:
    """sslconfig's versions and TLS <= 1.2 cipher string on `ctx` (TLS 1.3 suites: OpenSSL's).

    TLS 1.0/1.1 (the "not recommended" choice) need OpenSSL security level 0, and
    Python warns that they are deprecated; both only when the admin chose them.
    """
    legacy = is_legacy(settings)  # validation keeps max >= min, so this covers max too
    ciphers = settings.ciphers + (":@SECLEVEL=0" if legacy else "")
    try:
        ctx.set_ciphers(ciphers)
    except (ssl.SSLError, ValueError):
        raise TlsSetupError(f"cipher string unusable: {settings.ciphers!r}") from None
    if legacy:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DeprecationWarning)
            _set_versions(ctx, settings)
    else:
        _set_versions(ctx, settings)


def _set_versions(ctx: ssl.SSLContext, settings: SslDirection) -> None:
    ctx.maximum_version = _VERSIONS[settings.max_version]
    ctx.minimum_version = _VERSIONS[settings.min_version]


def server_context(
    chain: tuple[str, ...], key_path: Path, client_cert: ClientCert, trust: str,
    settings: SslDirection,
) -> ssl.SSLContext:
    """A server context serving `chain` (leaf first) with the key at `key_path`, with
    sslconfig INBOUND's `settings` (versions, ciphers).

    `trust` (PEM) is what client certificates are verified against when asked for.
    """
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    apply_settings(ctx, settings)
    ctx.options |= ssl.OP_NO_COMPRESSION
    load_chain(ctx, chain, key_path)
    if client_cert is not ClientCert.NONE:
        ctx.verify_mode = (
            ssl.CERT_REQUIRED if client_cert is ClientCert.REQUIRED else ssl.CERT_OPTIONAL
        )
        load_trust(ctx, trust)
    return ctx


def client_context(
    trust: str, settings: SslDirection, chain: tuple[str, ...] = (), key_path: Path | None = None
) -> ssl.SSLContext:
    """An outbound (client) context that verifies against `trust` only, with
    sslconfig OUTBOUND's `settings` (versions, ciphers).

    Host names are checked by the caller's policy (which names may match), so
    check_hostname is off here; the chain must still end at a trusted CA for the
    caller to call the peer verified. `chain`/`key_path`: the client certificate.
    """
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    apply_settings(ctx, settings)
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_REQUIRED
    load_trust(ctx, trust)
    if chain and key_path is not None:
        load_chain(ctx, chain, key_path)
    return ctx


def load_trust(ctx: ssl.SSLContext, trust: str) -> None:
    """Trust exactly the CAs in `trust`; with none, nothing verifies (as configured)."""
    if not trust.strip():
        return
    try:
        ctx.load_verify_locations(cadata=trust)
    except (ssl.SSLError, ValueError) as exc:
        raise TlsSetupError(f"trusted CA list unusable: {_why(exc)}") from None


def load_chain(ctx: ssl.SSLContext, chain: tuple[str, ...], key_path: Path) -> None:
    # load_cert_chain only reads files; the chain is public, so a short-lived
    # temporary file is fine (the key is read from the secrets area in place).
    pem = "".join(block.strip() + "\n" for block in chain)
    fd, name = tempfile.mkstemp(prefix="esacli-chain-", suffix=".pem")
    try:
        with os.fdopen(fd, "w") as handle:
            handle.write(pem)
        ctx.load_cert_chain(certfile=name, keyfile=str(key_path))
    except (ssl.SSLError, OSError) as exc:
        raise TlsSetupError(f"certificate and key unusable: {_why(exc)}") from None
    finally:
        os.unlink(name)


def profile(config: Config, secrets: Secrets, name: str) -> tuple[Certificate, Path]:
    """The certificate profile called `name` and where its private key is."""
    cert = next((c for c in config.certificates if c.name == name), None)
    if cert is None:
        raise TlsSetupError(f"certificate {name} does not exist")
    try:
        return cert, secrets.key_path(cert.key_id)
    except StateError as exc:
        raise TlsSetupError(f"certificate {name}: {exc}") from None


def _why(exc: BaseException) -> str:
    if isinstance(exc, ssl.SSLError) and exc.reason:
        return str(exc.reason)
    if isinstance(exc, OSError) and exc.strerror:
        return exc.strerror
    return type(exc).__name__


HANDSHAKE_FAILED = "handshake failed"


def ssl_reason(exc: ssl.SSLError) -> str:
    """OpenSSL's words for a failed handshake, as every `TLS failed:` line gives them."""
    return str(exc.reason or exc.library or HANDSHAKE_FAILED)


def describe_failure(exc: BaseException | None) -> str:
    """One line naming why a handshake failed, for `ICID n TLS failed: <reason>`."""
    while exc is not None and not isinstance(exc, (ssl.SSLError, OSError)):
        exc = exc.__cause__ or exc.__context__
    if exc is None:
        return HANDSHAKE_FAILED
    if isinstance(exc, ssl.SSLError):
        return ssl_reason(exc)
    return str(exc.strerror or type(exc).__name__)


# asyncio's TLS layer gives every connection a 256 KiB read buffer: about 290 KB per idle
# TLS session. 16 KiB (one TLS record) keeps large messages working at ~49 KB a session
# (measured on this project's test machines).
TLS_READ_BUFFER = 16 * 1024


def limit_tls_read_buffer() -> None:
    """Process-wide: applies to every asyncio TLS transport made from now on."""
    asyncio.sslproto.SSLProtocol.max_size = TLS_READ_BUFFER


class AlertingSSLProtocol(asyncio.sslproto.SSLProtocol):
    """asyncio's TLS layer, but a failed handshake sends its alert before closing.

    On a handshake error asyncio force-closes the transport with the alert OpenSSL
    wrote still in its outgoing buffer, so a TLS 1.0 or 1.1 client sees a bare close
    instead of `protocol_version` (and cannot tell why). Write that buffer first.
    """

    def _on_handshake_complete(self, handshake_exc: BaseException | None) -> None:
        if handshake_exc is not None and self._transport is not None:  # type: ignore[attr-defined]
            alert = self._outgoing.read()  # type: ignore[attr-defined]
            if alert:
                self._transport.write(alert)  # type: ignore[attr-defined]
        super()._on_handshake_complete(handshake_exc)  # type: ignore[misc]
