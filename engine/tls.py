"""Server-side SSL contexts for listeners.

A listener needs up to three contexts, one per way of treating the client's
certificate (not asked, asked, required). They differ only in verify mode and
trust store, so they are built from the same chain and key.
"""

from __future__ import annotations

import enum
import os
import ssl
import tempfile
from pathlib import Path

from engine.errors import TlsSetupError


class ClientCert(enum.Enum):
    NONE = "none"
    OPTIONAL = "optional"
    REQUIRED = "required"


def custom_ca_path(data_dir: Path) -> Path:
    """Custom trusted CAs (certconfig CERTAUTHORITY) until the full list arrives."""
    return Path(data_dir) / "ca" / "custom.pem"


def server_context(
    chain: tuple[str, ...], key_path: Path, client_cert: ClientCert, ca_file: Path | None
) -> ssl.SSLContext:
    """A TLS >= 1.2 server context serving `chain` (leaf first) with the key at `key_path`."""
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.minimum_version = ssl.TLSVersion.TLSv1_2
    ctx.options |= ssl.OP_NO_COMPRESSION
    _load_chain(ctx, chain, key_path)
    if client_cert is not ClientCert.NONE:
        ctx.verify_mode = (
            ssl.CERT_REQUIRED if client_cert is ClientCert.REQUIRED else ssl.CERT_OPTIONAL
        )
        ctx.load_default_certs(ssl.Purpose.CLIENT_AUTH)
        if ca_file is not None and ca_file.exists():
            try:
                ctx.load_verify_locations(cafile=str(ca_file))
            except (ssl.SSLError, OSError) as exc:
                raise TlsSetupError(f"custom CA list {ca_file.name} unusable: {_why(exc)}") from None
    return ctx


def _load_chain(ctx: ssl.SSLContext, chain: tuple[str, ...], key_path: Path) -> None:
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


def _why(exc: BaseException) -> str:
    if isinstance(exc, ssl.SSLError) and exc.reason:
        return str(exc.reason)
    if isinstance(exc, OSError) and exc.strerror:
        return exc.strerror
    return type(exc).__name__


def describe_failure(exc: BaseException | None) -> str:
    """One line naming why a handshake failed, for `ICID n TLS failed: <reason>`."""
    while exc is not None and not isinstance(exc, (ssl.SSLError, OSError)):
        exc = exc.__cause__ or exc.__context__
    if exc is None:
        return "handshake failed"
    if isinstance(exc, ssl.SSLError):
        return str(exc.reason or exc.library or "handshake failed")
    return str(exc.strerror or type(exc).__name__)
