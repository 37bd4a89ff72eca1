"""The appliance's outbound connections at once are capped for every domain together
(QueueOptions.connections, engine/queue/manager.py): domains whose host accepts and never
answers each hold a connection until it fails, and with many of them due at once they used
to open one socket each (1,500 domains: 1,500 descriptors of the process that also serves
SSH). Above the cap a delivery waits for a connection to end, then goes on."""

from __future__ import annotations

import asyncio
from pathlib import Path

from engine.queue.manager import QueueOptions
from state.model import DeliverySettings, Route, RouteHost, TLSMode, replace
from tests.engine.outbound_kit import FakeClock, outbound_config
from tests.kit.engine import running_engine
from tests.kit.queue import Queued, body, legacy_queue
from tests.kit.waiting import wait_until_async

CAP = 3
DOMAINS = [f"d{n}.test" for n in range(2 * CAP)]


class Holding:
    """A host that accepts and never sends its banner; the test ends its connections."""

    def __init__(self) -> None:
        self.open: list[asyncio.StreamWriter] = []
        self.accepted = 0
        self.peak = 0

    async def serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.accepted += 1
        self.open.append(writer)
        self.peak = max(self.peak, len(self.open))
        try:
            await reader.read()  # until the appliance gives up on it
        finally:
            if writer in self.open:
                self.open.remove(writer)
            writer.close()


async def test_domains_whose_host_never_answers_share_the_connection_cap(tmp_path: Path) -> None:
    holding = Holding()
    server = await asyncio.start_server(holding.serve, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    hosts = (RouteHost(host="127.0.0.1", port=port),)
    config = replace(outbound_config(None, tls=TLSMode.NO, max_concurrency=1),
                     routes=tuple(Route(domain=d, hosts=hosts) for d in DOMAINS),
                     delivery=DeliverySettings(initial_retry_seconds=3600))
    clock = FakeClock()
    legacy_queue(tmp_path, [Queued(900 + n, "a@sender.test", (f"u@{d}",), body(900 + n))
                            for n, d in enumerate(DOMAINS)], clock.now())
    options = QueueOptions(mx_port=port, clock=clock, poll_interval=0.02, connections=CAP)
    try:
        async with running_engine(tmp_path, config, outbound=options):
            while holding.accepted < len(DOMAINS):
                await wait_until_async(lambda: len(holding.open) == CAP
                                       or holding.accepted == len(DOMAINS), timeout=10,
                                       what="the cap's connections open")
                if holding.accepted < len(DOMAINS):
                    holding.open.pop(0).close()  # one ends: a waiting domain may connect
    finally:
        server.close()
    assert holding.peak == CAP
