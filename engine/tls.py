"""SSL contexts for listeners and for the outbound client.

A listener needs up to three contexts, one per way of treating the client's
certificate (not asked, asked, required). They differ only in verify mode, so
they are built from the same chain and key. Whatever verifies a peer trusts
exactly `trust`: the union of the enabled certconfig CERTAUTHORITY lists
(`state.authorities.trusted_pem`), never OpenSSL's defaults behind its back.

Client certificates are verified without OpenSSL's "TLS client" purpose check, which
refuses a certificate whose extended key usage lacks clientAuth: public CAs no longer
put clientAuth in the server certificates partners reuse as client certificates. The
chain is verified all the same (a CA that is not a CA still fails); `tls_purpose_ok`
then keeps certificates made for other uses (S/MIME, code signing) from counting.
"""

from __future__ import annotations

import _ssl
import asyncio.sslproto
import contextlib
import contextvars
import ctypes
import enum
import errno
import functools
import logging
import os
import ssl
import tempfile
import warnings
import weakref
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from cryptography import x509
from cryptography.x509.oid import ExtendedKeyUsageOID

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
    ctx.sslobject_class = AlertingSSLObject
    load_chain(ctx, chain, key_path)
    if client_cert is not ClientCert.NONE:
        ctx.verify_mode = (
            ssl.CERT_REQUIRED if client_cert is ClientCert.REQUIRED else ssl.CERT_OPTIONAL
        )
        load_trust(ctx, trust)
        accept_any_purpose(ctx)
    return ctx


# -- the client certificate's purpose ------------------------------------------------
_X509_PURPOSE_ANY = 7  # OpenSSL's X509_PURPOSE_ANY (1.1 and 3.x)
_SSL_VERIFY_MODES = {ssl.CERT_NONE: 0, ssl.CERT_OPTIONAL: 1, ssl.CERT_REQUIRED: 3}
_TLS_USES = {ExtendedKeyUsageOID.CLIENT_AUTH, ExtendedKeyUsageOID.SERVER_AUTH,
             ExtendedKeyUsageOID.ANY_EXTENDED_KEY_USAGE}
PURPOSE_UNSUITABLE = "client certificate not made for TLS (extended key usage)"
system_log = logging.getLogger("engine.tls")  # logs/system_logs (esacli/appliance.py)


@functools.lru_cache(maxsize=1)
def _libssl() -> ctypes.CDLL | None:
    """The libssl the ssl module runs on (reached through _ssl's own dependencies)."""
    try:
        lib = ctypes.CDLL(_ssl.__file__)
        for name in ("SSL_CTX_set_purpose", "SSL_CTX_get_verify_mode", "SSL_CTX_get_options"):
            getattr(lib, name).argtypes = [ctypes.c_void_p]
        lib.SSL_CTX_set_purpose.argtypes = [ctypes.c_void_p, ctypes.c_int]
        lib.SSL_CTX_get_verify_mode.restype = ctypes.c_int
        lib.SSL_CTX_get_options.restype = ctypes.c_uint64
    except (OSError, AttributeError):
        return None
    return lib


def accept_any_purpose(ctx: ssl.SSLContext) -> bool:
    """Verify peers of `ctx` without the TLS-client purpose check (see the top); False,
    logged once, where this Python's ssl cannot be reached (the check then stays)."""
    lib = _libssl()
    # Python's ssl does not expose the purpose: the SSL_CTX pointer follows the object
    # header of the SSLContext; two of its settings read back through it prove it is.
    pointer = ctypes.c_void_p.from_address(id(ctx) + object.__basicsize__).value
    same = lib is not None and pointer is not None and (
        lib.SSL_CTX_get_verify_mode(pointer) == _SSL_VERIFY_MODES[ctx.verify_mode]
        and lib.SSL_CTX_get_options(pointer) == int(ctx.options))
    if not same or lib is None or lib.SSL_CTX_set_purpose(pointer, _X509_PURPOSE_ANY) != 1:
        _purpose_kept()
        return False
    return True


@functools.lru_cache(maxsize=1)
def _purpose_kept() -> None:
    system_log.warning("Client certificates must list clientAuth: this Python's ssl module"
                       " cannot be told otherwise")


def tls_purpose_ok(der: bytes) -> bool:
    """Whether a verified peer certificate may authenticate a TLS peer: no extended key
    usage at all, or one listing TLS client or server authentication (or any use)."""
    try:
        cert = x509.load_der_x509_certificate(der)
        usage = cert.extensions.get_extension_for_class(x509.ExtendedKeyUsage).value
    except x509.ExtensionNotFound:
        return True
    except ValueError:
        return False
    return any(oid in _TLS_USES for oid in usage)


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
    if isinstance(exc, OSError):
        return os_words(exc)
    return type(exc).__name__


# The event loops raise these without an errno when the peer goes mid-handshake: the
# words the same event has when the kernel reports it (one wording, never a class name).
_ERRNO_OF = {ConnectionResetError: errno.ECONNRESET, ConnectionAbortedError: errno.ECONNABORTED,
             BrokenPipeError: errno.EPIPE, ConnectionRefusedError: errno.ECONNREFUSED,
             TimeoutError: errno.ETIMEDOUT}


def os_words(exc: OSError) -> str:
    """The system's words for `exc` ("Connection reset by peer")."""
    if exc.strerror:
        return exc.strerror
    code = exc.errno or _ERRNO_OF.get(type(exc))
    return os.strerror(code) if code else type(exc).__name__


HANDSHAKE_FAILED = "handshake failed"


def ssl_reason(exc: ssl.SSLError) -> str:
    """OpenSSL's words for a failed handshake, as every `TLS failed:` line gives them: a
    verification's own ("unable to get local issuer certificate"), else its reason code
    as OpenSSL's error strings write it ("peer did not return a certificate")."""
    if isinstance(exc, ssl.SSLCertVerificationError) and exc.verify_message:
        return str(exc.verify_message)
    reason = exc.reason or exc.library
    return str(reason).lower().replace("_", " ") if reason else HANDSHAKE_FAILED


def describe_failure(exc: BaseException | None) -> str:
    """One line naming why a handshake failed, for `ICID n TLS failed: <reason>`."""
    while exc is not None and not isinstance(exc, (ssl.SSLError, OSError)):
        exc = exc.__cause__ or exc.__context__
    if exc is None:
        return HANDSHAKE_FAILED
    if isinstance(exc, ssl.SSLError):
        return ssl_reason(exc)
    return os_words(exc)


# asyncio's TLS layer gives every connection a 256 KiB read buffer: about 290 KB per idle
# TLS session. 16 KiB (one TLS record) keeps large messages working at ~49 KB a session
# (measured on this project's test machines). uvloop's layer has its own, compiled in
# (256 KiB, malloc'd: only the pages a read fills are resident); what it reads from a
# server-side SSLObject at a time is capped to the same 16 KiB by AlertingSSLObject.read.
# Outbound (client) connections on uvloop read up to 256 KiB at a time: there are few of
# them (destination limits), and they are not idle.
TLS_READ_BUFFER = 16 * 1024


def limit_tls_read_buffer() -> None:
    """Process-wide: applies to every asyncio TLS transport made from now on."""
    asyncio.sslproto.SSLProtocol.max_size = TLS_READ_BUFFER


_alert_to: contextvars.ContextVar[asyncio.WriteTransport | None] = contextvars.ContextVar(
    "alert_to", default=None)
_AGAIN = (ssl.SSLWantReadError, ssl.SSLWantWriteError, ssl.SSLSyscallError)


class AlertingSSLObject(ssl.SSLObject):
    """An SSLObject that sends the alert of its own failed handshake.

    On a handshake error asyncio's TLS layer and uvloop's both force-close the socket with
    the alert OpenSSL wrote still in their outgoing buffer, so a TLS 1.0 or 1.1 client sees
    a bare close instead of `protocol_version` (and cannot tell why). One made while
    `alerts_to(raw)` is in force keeps that buffer and a weak reference to `raw`, writes
    the alert to `raw` before the error goes up, and forgets both once its handshake ends.
    It also reads at most TLS_READ_BUFFER at a time (uvloop asks for 256 KiB each time:
    a bytes object that large per read, shrunk after).
    """

    _alert: tuple[ssl.MemoryBIO, weakref.ref[asyncio.WriteTransport]] | None = None

    @classmethod
    def _create(cls, incoming: ssl.MemoryBIO, outgoing: ssl.MemoryBIO,
                *args: Any, **kwargs: Any) -> AlertingSSLObject:
        self: AlertingSSLObject = super()._create(  # type: ignore[misc]
            incoming, outgoing, *args, **kwargs)
        raw = _alert_to.get()
        if raw is not None:
            self._alert = (outgoing, weakref.ref(raw))
        return self

    def do_handshake(self) -> None:
        try:
            super().do_handshake()
        except _AGAIN:  # not over: what both TLS layers wait on
            raise
        except ssl.SSLError:
            self._send_alert()
            raise
        self._alert = None

    def read(self, size: int = 1024, buffer: Any = None) -> Any:
        size = min(size, TLS_READ_BUFFER)
        if buffer is None:
            return self._sslobj.read(size)  # type: ignore[attr-defined]
        return self._sslobj.read(size, buffer)  # type: ignore[attr-defined]

    def _send_alert(self) -> None:
        alert, self._alert = self._alert, None
        if alert is None:
            return
        outgoing, ref = alert
        raw, data = ref(), outgoing.read()
        if raw is not None and data and not raw.is_closing():
            raw.write(data)  # uvloop and asyncio both try the socket at once


@contextlib.contextmanager
def alerts_to(raw: asyncio.WriteTransport) -> Iterator[None]:
    """The server-side SSLObject made inside this block sends its failed handshake's
    alert to `raw` (both TLS layers make it synchronously, in their constructor or in
    connection_made, so it is this connection's)."""
    token = _alert_to.set(raw)
    try:
        yield
    finally:
        _alert_to.reset(token)
