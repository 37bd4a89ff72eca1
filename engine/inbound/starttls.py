"""STARTTLS on the running loop's own TLS layer: uvloop's compiled one in the SMTP workers,
asyncio's where the engine runs on asyncio's loop (in-process tests, ESACLI_LOOP=asyncio).

On uvloop, asyncio's pure-Python SSLProtocol was the largest single cost of STARTTLS
(bench/README.md). `begin` builds the loop's own layer as `loop.start_tls` does, but in
one synchronous step (start_tls defers the step that makes the SSLObject to a later
callback): inside it `tls.alerts_to` gives that SSLObject this connection's socket, so a
refused handshake still sends its alert (protocol_version to a TLS 1.0 client) before
the layer closes the socket.
"""

from __future__ import annotations

import asyncio
import asyncio.sslproto
import ssl
from dataclasses import dataclass
from typing import Any

from engine import tls

try:
    import uvloop.loop as _uvloop
except ImportError:  # pragma: no cover (a dependency; the worker runs without it too)
    _uvloop = None  # type: ignore[assignment]


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
