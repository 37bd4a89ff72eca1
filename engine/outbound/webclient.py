"""The HTTPS client of MTA-STS policy fetches and TLS-RPT posts (httpx).

One change to httpx's own: a connection cancelled during its TLS handshake (a fetch past
its time budget, the engine stopping) closes its socket at once. httpcore closes it only
on an Exception, so a cancelled handshake left the socket to the garbage collector.
"""

from __future__ import annotations

import ssl
from typing import Any

import httpcore
import httpx


class _ClosingStream(httpcore.AsyncNetworkStream):
    """httpcore's stream, closed when its TLS handshake is cancelled."""

    def __init__(self, inner: httpcore.AsyncNetworkStream) -> None:
        self._inner = inner

    async def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        return await self._inner.read(max_bytes, timeout)

    async def write(self, buffer: bytes, timeout: float | None = None) -> None:
        await self._inner.write(buffer, timeout)

    async def aclose(self) -> None:
        await self._inner.aclose()

    async def start_tls(self, ssl_context: ssl.SSLContext, server_hostname: str | None = None,
                        timeout: float | None = None) -> httpcore.AsyncNetworkStream:
        try:
            return await self._inner.start_tls(ssl_context, server_hostname, timeout)
        except BaseException:
            await self._inner.aclose()  # the socket is closed before this yields
            raise

    def get_extra_info(self, info: str) -> Any:
        return self._inner.get_extra_info(info)


class _ClosingBackend(httpcore.AnyIOBackend):
    async def connect_tcp(self, *args: Any, **kwargs: Any) -> httpcore.AsyncNetworkStream:
        return _ClosingStream(await super().connect_tcp(*args, **kwargs))


def client(ctx: ssl.SSLContext, timeout: float) -> httpx.AsyncClient:
    """An HTTPS client: `ctx` verifies, no redirects, no proxy or settings from the
    environment."""
    transport = httpx.AsyncHTTPTransport(verify=ctx, trust_env=False)
    transport._pool._network_backend = _ClosingBackend()  # httpx has no public way in
    return httpx.AsyncClient(transport=transport, timeout=timeout, follow_redirects=False,
                             trust_env=False)
