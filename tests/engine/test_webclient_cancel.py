"""An MTA-STS fetch or a TLS-RPT post cancelled during its TLS handshake (past its time
budget, the engine stopping) closes its socket at once (engine/outbound/webclient.py):
httpcore closed it only on an Exception, and an unclosed socket failed CI."""

from __future__ import annotations

import asyncio
import ssl
from collections.abc import Awaitable, Callable

import pytest

from engine.outbound import mtasts, tlsrpt_report

Start = Callable[[int], Awaitable[object]]


async def addresses(host: str) -> tuple[list[str], str]:
    return ["127.0.0.1"], ""


def fetch(port: int) -> Awaitable[object]:
    return mtasts.fetch_policy("mta-sts.stall.test", ["127.0.0.1"], ssl.create_default_context(),
                               mtasts.FetchOptions(port=port, timeout=30))


def post(port: int) -> Awaitable[object]:
    return tlsrpt_report.post(f"https://stall.test:{port}/tlsrpt", b"report",
                              ssl.create_default_context(), addresses, timeout=30)


@pytest.mark.parametrize("start", [fetch, post], ids=["mta-sts fetch", "tls-rpt post"])
async def test_a_request_cancelled_in_its_handshake_closes_its_socket(start: Start) -> None:
    hellos: asyncio.Queue[tuple[asyncio.StreamReader, asyncio.StreamWriter]] = asyncio.Queue()

    async def stall(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await reader.read(1)  # the ClientHello has begun: the client waits for our answer
        await hellos.put((reader, writer))

    server = await asyncio.start_server(stall, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    try:
        task = asyncio.ensure_future(start(port))
        reader, writer = await asyncio.wait_for(hellos.get(), 10)
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        while await asyncio.wait_for(reader.read(4096), 5):  # the rest of the hello, then EOF
            pass
        writer.close()
    finally:
        server.close()
        await server.wait_closed()
