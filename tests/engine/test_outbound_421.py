"""A server that answers 421 (closing the connection, RFC 5321 §3.8) to a message: that
message is deferred, and the next one goes on a new connection. It was sent on the closed
one and deferred "Connection lost" without ever being tried."""

from __future__ import annotations

import asyncio
from pathlib import Path

from engine.queue.admin import QueueAdmin, QueuedRecipient
from engine.queue.manager import QueueOptions
from state.model import Config, DeliverySettings, Route, RouteHost, TLSMode, replace
from tests.engine.outbound_kit import DOMAIN, FakeClock, outbound_config
from tests.kit.engine import running_engine
from tests.kit.queue import Queued, body, legacy_queue
from tests.kit.waiting import wait_until_async

FIRST = 710001


class ClosingOnce:
    """Its first connection answers MAIL with 421 and closes; the next ones take mail."""

    def __init__(self) -> None:
        self.connections = 0
        self.delivered: list[str] = []

    async def serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.connections += 1
        first = self.connections == 1
        writer.write(b"220 mx.test ESMTP\r\n")
        try:
            while line := await reader.readline():
                verb = line[:4].upper()
                if verb == b"MAIL" and first:
                    writer.write(b"421 4.3.2 Service shutting down\r\n")
                    await writer.drain()
                    return
                if verb == b"DATA":
                    writer.write(b"354 go\r\n")
                    while (data := await reader.readline()) not in (b".\r\n", b""):
                        if data.startswith(b"X-Test-MID:"):
                            self.delivered.append(data.decode().split()[1])
                    writer.write(b"250 2.0.0 queued\r\n")
                elif verb == b"QUIT":
                    writer.write(b"221 bye\r\n")
                    return
                else:
                    writer.write(b"250 ok\r\n")
                await writer.drain()
        finally:
            writer.close()


def queued(data: Path) -> list[QueuedRecipient]:
    return [r for r in QueueAdmin(data).recipients() if r.status == "queued"]


def config_for(port: int) -> Config:
    hosts = (RouteHost(host="127.0.0.1", port=port),)
    config = outbound_config(None, tls=TLSMode.NO, max_concurrency=1)
    return replace(config, routes=(Route(domain=DOMAIN, hosts=hosts),),
                   delivery=DeliverySettings(initial_retry_seconds=3600))


async def test_after_a_421_the_next_message_goes_on_a_new_connection(tmp_path: Path) -> None:
    mx = ClosingOnce()
    server = await asyncio.start_server(mx.serve, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    clock = FakeClock()
    legacy_queue(tmp_path, [Queued(FIRST + n, "a@sender.test", (f"u{n}@{DOMAIN}",),
                                   body(FIRST + n)) for n in range(2)], clock.now())
    options = QueueOptions(mx_port=port, clock=clock, poll_interval=0.02)
    try:
        async with running_engine(tmp_path, config_for(port), outbound=options):
            await wait_until_async(lambda: mx.delivered == [str(FIRST + 1)], timeout=10,
                                   what="the second message, on a second connection")
            await wait_until_async(lambda: queued(tmp_path), what="the first one deferred")
    finally:
        server.close()
    [left] = queued(tmp_path)
    assert left.mid == FIRST and left.attempts == 1
    assert "421" in left.reason
    assert mx.connections == 2
