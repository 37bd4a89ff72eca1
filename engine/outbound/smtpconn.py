"""One outbound SMTP connection up to the point where mail can be sent.

`connect` connects, EHLOs (HELO if EHLO is refused), and when asked
tries STARTTLS, classifying what happened as a `policy.TlsResult`. The client end
(engine/outbound/wire.py) drops every byte that came after the STARTTLS reply and the
capabilities offered before TLS; we EHLO again over TLS. SNI is the target's host
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

from engine.errors import ConnectError
from engine.outbound import reasons
from engine.outbound.dane import peer_chain
from engine.outbound.policy import Outcome, TlsResult, match_certificate
from engine.outbound.resolver import Target
from engine.outbound.tlsctx import describe_verify_error, peer_names
from engine.outbound.wire import Client, WireError

TIMEOUT = 30.0


@dataclass
class Connection:
    smtp: Client
    target: Target
    helo: str  # the name we give in EHLO (again after STARTTLS)
    tls: TlsResult = field(default_factory=lambda: TlsResult(Outcome.NOT_OFFERED))
    protocol: str = ""
    cipher: str = ""
    peercert: dict[str, Any] | None = None
    alive: bool = True
    offered: bool = False  # the greeting's EHLO listed STARTTLS
    chain: tuple[bytes, ...] = ()  # the certificates the server sent (TLS statistics)
    local_ip: str = ""  # our end, kept: a handshake that fails closes the socket

    @property
    def encrypted(self) -> bool:
        return self.alive and self.tls.outcome is Outcome.OK

    async def quit(self) -> None:
        """Say QUIT if the connection still works; close it in any case."""
        try:
            if self.alive and self.smtp.is_connected:
                with contextlib.suppress(WireError, OSError):
                    await self.smtp.quit(timeout=5)
        finally:  # cancelled while saying QUIT (engine stop): the socket still goes
            self.smtp.close()
            self.alive = False


async def connect(target: Target, helo: str, timeout: float = TIMEOUT) -> Connection:
    try:
        smtp, greeting = await Client.open(target.ip, target.port, timeout)
    except WireError as exc:
        raise ConnectError(str(exc)) from None
    except OSError as exc:
        raise ConnectError(describe_verify_error(exc)) from None
    local = smtp.info("sockname")
    conn = Connection(smtp, target, helo, local_ip=str(local[0]) if local else "")
    try:
        if greeting.code != 220:
            raise ConnectError(str(greeting), greeting.code, greeting.text)
        await _hello(conn)
    except BaseException:  # cancelled (engine stop, Ctrl-C in the shell): no socket stays
        smtp.close()
        raise
    conn.offered = smtp.supports("STARTTLS")
    return conn


async def _hello(conn: Connection) -> None:
    try:
        reply = await conn.smtp.hello(conn.helo)
        if reply.code != 250:
            reply = await conn.smtp.hello(conn.helo, "HELO")
    except (WireError, OSError) as exc:
        conn.smtp.close()
        conn.alive = False
        raise ConnectError(str(exc) or type(exc).__name__) from None
    if reply.code != 250:
        await conn.quit()
        raise ConnectError(str(reply), reply.code, reply.text)


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
    if not smtp.supports("STARTTLS"):
        return TlsResult(Outcome.NOT_OFFERED, reason=reasons.TLS_NOT_OFFERED)
    try:
        reply = await smtp.starttls(ctx, conn.target.host)
    except ssl.SSLCertVerificationError as exc:
        _dead(conn)
        return TlsResult(Outcome.VERIFY_FAILED, reason=describe_verify_error(exc))
    except (WireError, OSError) as exc:
        _dead(conn)
        return TlsResult(Outcome.FAILED_AFTER_220, reason=_failure(exc))
    if reply.code != 220:
        return TlsResult(Outcome.REFUSED_BEFORE_220, reason=str(reply))
    ssl_object = smtp.info("ssl_object")
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
