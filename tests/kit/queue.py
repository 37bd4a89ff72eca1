"""Pieces of the queue tests: an appliance that relays partner.test to a
loopback sink, and a queue built directly on disk the way an older version left it
(spool files in place, rows in queue.db), for what today's inbound side refuses."""

from __future__ import annotations

import asyncio
import itertools
import time
from dataclasses import dataclass
from pathlib import Path

import aiosmtplib

from engine.queue.store import NewMessage, QueueStore
from engine.spoolformat import encode
from state import model
from tests.kit.appliance import Appliance, prepared

DOMAIN = "partner.test"


def relay_appliance(
    data: Path, mx_port: int, *, per_conn: int = 5, concurrency: int = 1,
    domains: tuple[str, ...] = (DOMAIN,),
) -> Appliance:
    """An appliance on `data` (not started, listeners on reserved ports) which routes
    `domains` to 127.0.0.1:`mx_port` with the given destination limits."""
    hosts = (model.RouteHost(host="127.0.0.1", port=mx_port),)

    def relay(config: model.Config) -> model.Config:
        routes = tuple(model.Route(domain=d, hosts=hosts) for d in domains)
        entries = tuple(
            model.DestinationEntry(
                domain=d, max_msgs_per_connection=per_conn, max_concurrency=concurrency)
            for d in domains
        )
        destinations = model.replace(config.destinations, entries=entries)
        return model.replace(config, routes=routes, destinations=destinations)

    app = prepared(data.parent, relay)
    assert app.data == data, "relay_appliance makes its data dir as <tmp>/data"
    return app


@dataclass(frozen=True)
class Queued:
    mid: int
    sender: str
    recipients: tuple[str, ...]
    content: bytes


def body(mid: int) -> bytes:
    return f"Subject: queued {mid}\r\nX-Test-MID: {mid}\r\n\r\nbody\r\n".encode()


def legacy_queue(
    data: Path, messages: list[Queued], now: float | None = None, next_attempt: float | None = None
) -> None:
    """Put `messages` in the queue as an older version would have left them: each spool
    file at spool/<MID>.msg, written directly (no fsync: this is set-up, not mail), and
    its rows in queue.db; arrived `now` (the real time by default), every recipient due
    at `next_attempt` (`now` by default)."""
    spool = data / "spool"
    spool.mkdir(parents=True, exist_ok=True)
    now = time.time() if now is None else now
    rows = []
    for m in messages:
        path = spool / f"{m.mid}.msg"
        blob = encode(m.mid, 0, "InboundMail", m.sender, list(m.recipients), m.content, now)
        path.write_bytes(blob)
        rows.append(NewMessage(m.mid, m.sender, now, len(m.content), str(path), m.recipients))
    store = QueueStore(data / "queue" / "queue.db")
    try:
        store.add_messages(rows, now if next_attempt is None else next_attempt)
    finally:
        store.close()


class RelayLoad:
    """SMTP clients relaying one-recipient messages (`m<n>@domain`) through a listener
    without a pause, several per connection. A message whose 250 never came is not sent
    again (the client cannot know whether it was taken), so a second copy downstream is
    always the relay's duplicate. Clients wait on `up` between connections: clear it
    while the relay is down."""

    def __init__(self, host: str, port: int, domain: str, per_connection: int = 10) -> None:
        self.host, self.port, self.domain, self.per_connection = host, port, domain, per_connection
        self.ids = itertools.count()
        self.acked: set[int] = set()
        self.up = asyncio.Event()
        self.up.set()
        self.stopping = False

    @staticmethod
    def number(address: str) -> int:
        return int(address[1:].split("@")[0])

    def start(self, clients: int) -> list[asyncio.Task[None]]:
        return [asyncio.create_task(self._client()) for _ in range(clients)]

    async def stop(self, clients: list[asyncio.Task[None]], cancel: bool = False) -> None:
        self.stopping = True
        self.up.set()
        for task in clients if cancel else ():
            task.cancel()
        await asyncio.wait_for(asyncio.gather(*clients, return_exceptions=cancel), 30)

    async def _client(self) -> None:
        while not self.stopping:
            await self.up.wait()
            smtp = aiosmtplib.SMTP(hostname=self.host, port=self.port, timeout=10)
            try:
                await smtp.connect()
                for _ in range(self.per_connection):
                    if self.stopping:
                        break
                    await self._one(smtp, next(self.ids))
                await smtp.quit()
            except (aiosmtplib.SMTPException, OSError):
                pass  # the relay went away under us: wait until it is up again
            finally:
                smtp.close()

    async def _one(self, smtp: aiosmtplib.SMTP, n: int) -> None:
        content = f"Subject: load {n}\r\n\r\nx\r\n".encode()
        await smtp.sendmail("load@sender.test", [f"m{n}@{self.domain}"], content)
        self.acked.add(n)
