"""An outbound connection cancelled half-way (the engine stopping, Ctrl-C during a shell
probe) closes its socket at once: the server sees the close, and nothing is left for the
garbage collector to find (an unclosed socket there once failed an unrelated test)."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

import pytest

from engine.outbound import smtpconn
from engine.outbound.resolver import Target

Stage = Callable[[asyncio.StreamReader, asyncio.StreamWriter], Awaitable[None]]


async def half_greeting(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    """The first line of a greeting that never ends: the client waits in connect."""
    writer.write(b"220-mx.test ESMTP\r\n")
    await writer.drain()


async def no_ehlo_reply(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    """Greets, reads the EHLO and never answers it: the client waits in its hello."""
    writer.write(b"220 mx.test ESMTP\r\n")
    await writer.drain()
    assert (await reader.readline()).startswith(b"EHLO ")


@pytest.mark.parametrize("stage", [half_greeting, no_ehlo_reply], ids=["greeting", "ehlo"])
async def test_a_cancelled_connect_closes_its_socket(stage: Stage) -> None:
    arrived: asyncio.Queue[tuple[asyncio.StreamReader, asyncio.StreamWriter]] = asyncio.Queue()

    async def serve(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await stage(reader, writer)
        await arrived.put((reader, writer))

    server = await asyncio.start_server(serve, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    try:
        task = asyncio.create_task(smtpconn.connect(Target("mx.test", "127.0.0.1", port),
                                                    "gw.test", timeout=30))
        reader, writer = await asyncio.wait_for(arrived.get(), 5)
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        assert await asyncio.wait_for(reader.read(), 5) == b""  # the client closed
        writer.close()
    finally:
        server.close()
        await server.wait_closed()
