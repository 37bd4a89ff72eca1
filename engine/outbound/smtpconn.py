"""One outbound SMTP connection up to the point where mail can be sent.

`open_connection` connects, EHLOs (HELO if EHLO is refused), and when asked
tries STARTTLS, classifying what happened as a `policy.TlsResult`. aiosmtplib
(>= 5.1) discards every byte buffered after the STARTTLS reply and forgets the
pre-TLS capabilities; we EHLO again over TLS ourselves. SNI is the target's host
name (the MX or route host). Both delivery (client.py) and `tlsverify` use it.

Errors: `connect` raises `engine.errors.ConnectError` (the engine's tree) when the
connection, the greeting or the EHLO/HELO fails; `starttls` never raises, it
classifies every failure as a TlsResult.
"""

from __future__ import annotations

import contextlib
import ssl
from dataclasses import dataclass, field
from typing import Any

import aiosmtplib

from engine.errors import ConnectError
from engine.outbound import reasons
from engine.outbound.dane import peer_chain
from engine.outbound.policy import Outcome, TlsResult, match_certificate
from engine.outbound.resolver import Target
from engine.outbound.tlsctx import describe_verify_error, peer_names

TIMEOUT = 30.0


@dataclass
class Connection:
    smtp: aiosmtplib.SMTP
    target: Target
    tls: TlsResult = field(default_factory=lambda: TlsResult(Outcome.NOT_OFFERED))
    protocol: str = ""
    cipher: str = ""
    peercert: dict[str, Any] | None = None
    alive: bool = True
    offered: bool = False  # the greeting's EHLO listed STARTTLS
    chain: tuple[bytes, ...] = ()  # the certificates the server sent (TLS statistics)

    @property
    def encrypted(self) -> bool:
        return self.alive and self.tls.outcome is Outcome.OK

    async def quit(self) -> None:
        """Say QUIT if the connection still works; close it in any case."""
        try:
            if self.alive and self.smtp.is_connected:
                with contextlib.suppress(aiosmtplib.SMTPException, OSError):
                    await self.smtp.quit(timeout=5)
        finally:  # cancelled while saying QUIT (engine stop): the socket still goes
            self.smtp.close()
            self.alive = False


async def connect(target: Target, helo: str, timeout: float = TIMEOUT) -> Connection:
    smtp = aiosmtplib.SMTP(
        hostname=target.ip, port=target.port, local_hostname=helo,
        start_tls=False, use_tls=False, timeout=timeout,
    )
    try:
        await smtp.connect()
    except aiosmtplib.SMTPConnectResponseError as exc:
        smtp.close()
        raise ConnectError(f"{exc.code} {exc.message}", exc.code) from None
    except (aiosmtplib.SMTPException, OSError) as exc:
        smtp.close()
        why = describe_verify_error(exc) if isinstance(exc, OSError) else str(exc)
        raise ConnectError(why) from None
    except BaseException:  # cancelled (engine stop, Ctrl-C in the shell): no socket stays
        smtp.close()
        raise
    conn = Connection(smtp, target)
    try:
        await _hello(conn)
    except BaseException:
        smtp.close()
        raise
    conn.offered = smtp.supports_extension("starttls")
    return conn


async def _hello(conn: Connection) -> None:
    try:
        try:
            await conn.smtp.ehlo()
        except aiosmtplib.SMTPHeloError:
            await conn.smtp.helo()
    except aiosmtplib.SMTPResponseException as exc:
        await conn.quit()
        raise ConnectError(f"{exc.code} {exc.message}", exc.code) from None
    except (aiosmtplib.SMTPException, OSError) as exc:
        conn.smtp.close()
        conn.alive = False
        raise ConnectError(str(exc) or type(exc).__name__) from None


async def starttls(
    conn: Connection, ctx: ssl.SSLContext, verifying: bool, candidates: tuple[str, ...]
) -> TlsResult:
    """Try STARTTLS on `conn` and record the result on it (and return it)."""
    conn.tls = await _starttls(conn, ctx, verifying, candidates)
    return conn.tls


async def _starttls(
    conn: Connection, ctx: ssl.SSLContext, verifying: bool, candidates: tuple[str, ...]
) -> TlsResult:
    smtp = conn.smtp
    if not smtp.supports_extension("starttls"):
        return TlsResult(Outcome.NOT_OFFERED, reason=reasons.TLS_NOT_OFFERED)
    try:
        await smtp.starttls(server_hostname=conn.target.host, tls_context=ctx)
    except aiosmtplib.SMTPResponseException as exc:
        return TlsResult(Outcome.REFUSED_BEFORE_220, reason=f"{exc.code} {exc.message}")
    except ssl.SSLCertVerificationError as exc:
        _dead(conn)
        return TlsResult(Outcome.VERIFY_FAILED, reason=describe_verify_error(exc))
    except (aiosmtplib.SMTPException, OSError) as exc:
        _dead(conn)
        return TlsResult(Outcome.FAILED_AFTER_220, reason=_failure(exc))
    ssl_object = smtp.get_transport_info("ssl_object")
    if ssl_object is not None:
        conn.protocol = str(ssl_object.version() or "")
        conn.cipher = str((ssl_object.cipher() or ("",))[0])
        conn.peercert = ssl_object.getpeercert() or None
        conn.chain = peer_chain(ssl_object)
    try:
        await _hello(conn)  # the pre-TLS capabilities are forgotten: EHLO again
    except ConnectError as exc:
        return TlsResult(Outcome.FAILED_AFTER_220, reason=exc.reason)
    if not verifying:
        return TlsResult(Outcome.OK)
    san, cn = peer_names(conn.peercert)
    match = match_certificate(san, cn, candidates)
    if match is None:
        why = reasons.name_mismatch(san, cn, candidates)
        return TlsResult(Outcome.OK, chain_ok=True, reason=why)
    return TlsResult(Outcome.OK, verified=True, chain_ok=True, matched_name=match[0])


def _dead(conn: Connection) -> None:
    conn.smtp.close()
    conn.alive = False


def _failure(exc: BaseException) -> str:
    cause: BaseException | None = exc
    while cause is not None and not isinstance(cause, ssl.SSLError):
        cause = cause.__cause__ or cause.__context__
    if cause is not None:
        return describe_verify_error(cause)
    return str(exc) or type(exc).__name__
