"""STARTTLS on the running loop's own TLS layer: uvloop's compiled one in the SMTP workers,
asyncio's where the engine runs on asyncio's loop (in-process tests, ESACLI_LOOP=asyncio).

aiosmtpd's smtp_STARTTLS builds asyncio's pure-Python SSLProtocol whatever the loop: on
uvloop that was the largest single cost of STARTTLS (bench/README.md). `begin` builds the
loop's own layer as `loop.start_tls` does, but in one synchronous step (start_tls defers
the step that makes the SSLObject to a later callback): inside it `tls.alerts_to` gives
that SSLObject this connection's socket, so a refused handshake still sends its alert
(protocol_version to a TLS 1.0 client) before the layer closes the socket.

`StartTlsSMTP` is aiosmtpd's SMTP with that STARTTLS; it relies on what aiosmtpd's own
sets and reads: `_tls_protocol`, `_original_transport`, `_tls_handshake_okay`,
`_set_rset_state`, `_create_session`, the reader's and writer's `_transport`.
"""

from __future__ import annotations

import asyncio
import asyncio.sslproto
import ssl
from dataclasses import dataclass
from typing import Any, cast

from aiosmtpd.smtp import SMTP, TLSSetupException, syntax

from engine import tls

try:
    import uvloop.loop as _uvloop
except ImportError:  # pragma: no cover (a dependency; the worker runs without it too)
    _uvloop = None  # type: ignore[assignment]

# What the TLS layer's transport knows once the handshake is done (aiosmtpd's session.ssl)
SESSION_SSL = ("sslcontext", "peercert", "cipher", "compression", "ssl_object")


@dataclass(frozen=True)
class Upgrade:
    protocol: Any  # the loop's SSLProtocol, in the place of the connection's protocol
    transport: asyncio.Transport  # what the application writes to from now on
    handshake: asyncio.Future[None]  # done once the handshake is (raises if it failed)


def begin(loop: asyncio.AbstractEventLoop, raw: asyncio.Transport, app: asyncio.Protocol,
          context: ssl.SSLContext) -> Upgrade:
    """Put the loop's TLS layer between `raw` and `app` and start the server handshake.

    Like `loop.start_tls(raw, app, context, server_side=True)`, but the layer calls
    `app.connection_made(transport)` the moment the handshake is done, before it passes
    on any data (both layers wake `handshake` after that; uvloop's reads later, asyncio's
    at once). Neither calls `app.connection_lost` for a connection lost in the handshake.
    """
    layer = _layer(loop)
    handshake: asyncio.Future[None] = loop.create_future()
    with tls.alerts_to(raw):  # asyncio's layer makes its SSLObject here, uvloop's below
        protocol = layer(loop, app, context, handshake, server_side=True)
        raw.set_protocol(protocol)
        protocol.connection_made(raw)
    raw.resume_reading()  # as start_tls does: the stream reader may have paused it
    return Upgrade(protocol, protocol._get_app_transport(), handshake)


def _layer(loop: asyncio.AbstractEventLoop) -> Any:
    # uvloop's class is not public API: a release without it gets asyncio's layer, which
    # runs on uvloop's transports too (slower, the same behaviour)
    if _uvloop is not None and isinstance(loop, _uvloop.Loop):
        return getattr(_uvloop, "SSLProtocol", asyncio.sslproto.SSLProtocol)
    return asyncio.sslproto.SSLProtocol


def session_ssl(transport: asyncio.BaseTransport) -> dict[str, Any]:
    """What aiosmtpd keeps as `session.ssl` (it read asyncio's private `_extra`)."""
    return {name: transport.get_extra_info(name) for name in SESSION_SSL}


class StartTlsSMTP(SMTP):
    """aiosmtpd's SMTP, with STARTTLS on the running loop's own TLS layer. A subclass
    calls `_tls_started` from `connection_made` when it is called again."""

    @syntax("STARTTLS", when="tls_context")  # as aiosmtpd's (HELP)
    async def smtp_STARTTLS(self, arg: str) -> None:
        if arg:
            await self.push("501 Syntax: STARTTLS")
            return
        if not self.tls_context:
            await self.push("454 TLS not available")
            return
        await self.push("220 Ready to start TLS")
        raw = cast(asyncio.Transport, self.transport)
        self._original_transport = raw  # closed with the connection (connection_lost)
        upgrade = begin(self.loop, raw, self, self.tls_context)
        self._tls_protocol, self.transport = upgrade.protocol, upgrade.transport
        try:
            await upgrade.handshake
        except asyncio.CancelledError:  # closed under the handshake (a deadline, a refusal)
            self._tls_abandoned()
            raise
        except Exception as error:  # aiosmtpd's loop logs it (handle_exception), closes
            raise TLSSetupException() from error
        if self.session is None or self.session.ssl is None:  # closed (the engine's stop)
            raise TLSSetupException() from ConnectionAbortedError("closed in the handshake")

    def _tls_started(self, transport: asyncio.BaseTransport) -> None:
        """What aiosmtpd's connection_made does after STARTTLS, called by the TLS layer
        the moment the handshake is done, before any data: a new session (RFC 3207 4.2),
        plaintext pipelined after the command discarded (no injection), the hook asked."""
        self._set_rset_state()
        self.session = session = self._create_session()
        session.peer = transport.get_extra_info("peername")
        session.ssl = session_ssl(transport)
        self._reset_timeout()
        self.transport = transport
        self._reader._transport = self._writer._transport = transport  # type: ignore[attr-defined]
        self._reader._buffer.clear()  # type: ignore[attr-defined]
        self._tls_handshake_okay = self.event_handler.handle_STARTTLS(self, session, self.envelope)

    def _tls_abandoned(self) -> None:
        # Neither TLS layer tells its application of a connection lost in the handshake:
        # close it and say so, as aiosmtpd's loop does for a failed handshake.
        if self.transport is not None:
            self.transport.close()
        self.connection_lost(None)
