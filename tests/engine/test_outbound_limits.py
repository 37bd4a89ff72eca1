"""destconfig limits, measured at the receiving end: the recipient limit per period
(with a controllable clock), the concurrency limit (simultaneous connections at the
fake MX) and connection reuse (messages per connection, connections counted).

Real deliveries: dnsmasq answers the MX and A queries, fake MXs serve on loopback.
"""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest
import trustme

from engine.outbound.client import Job, Result
from engine.queue.manager import QueueOptions
from engine.queue.store import QUEUED
from engine.service import Engine
from state.model import Config, DestinationEntry, TLSMode, replace
from tests.engine.outbound_kit import FakeClock, deliver_jobs, outbound_config
from tests.kit.certs import server_context
from tests.kit.dnsserver import DnsServer
from tests.kit.engine import read_mail_logs, running_engine
from tests.kit.fakemx import Behaviour, FakeMX
from tests.kit.waiting import wait_until_async

IP = "127.0.0.51"
DOMAIN, MX = "limits.test", "mx.limits.test"


@pytest.fixture(scope="module")
def dns() -> Iterator[DnsServer]:
    with DnsServer(hosts={MX: IP}, mx=[(DOMAIN, MX, 10)]) as server:
        yield server


def jobs(count: int) -> list[Job]:
    return [
        Job(
            mid,
            "a@gateway.test",
            [0],
            [f"u{mid}@{DOMAIN}"],
            lambda m=mid: f"S: {m}\r\n\r\nx\r\n".encode(),
        )
        for mid in range(1, count + 1)
    ]


async def deliver(config: Config, tmp_path: Path, mx: FakeMX, count: int) -> list[Result]:
    """DomainDelivery of `count` one-recipient messages to the fake MX."""
    return await deliver_jobs(config, DOMAIN, mx.port, tmp_path, jobs(count))


async def test_connections_are_reused_up_to_the_limit(
    ca: trustme.CA, dns: DnsServer, tmp_path: Path
) -> None:
    # Inherited from the DEFAULT row: 3 messages per connection, one connection at a time.
    config = outbound_config(ca, dns.port, TLSMode.REQUIRED_VERIFY, domain=DOMAIN,
                             max_concurrency=1, max_msgs_per_connection=3)
    async with FakeMX(Behaviour(context=server_context(ca, MX)), host=IP) as mx:
        results = await deliver(config, tmp_path, mx, 7)
    assert [r.status for r in results] == ["delivered"] * 7
    assert mx.connections == 3 and mx.max_active == 1
    per_connection = Counter(m.connection for m in mx.messages)
    assert sorted(per_connection.values(), reverse=True) == [3, 3, 1]
    assert all(m.tls for m in mx.messages)
    assert mx.commands.count("STARTTLS") == 3  # one handshake per connection, not per message
    text = (tmp_path / "mail_logs").read_text()
    assert text.count("New SMTP DCID") == 3 and text.count("Message done DCID") == 7


async def test_concurrency_limit_bounds_simultaneous_connections(
    ca: trustme.CA, dns: DnsServer, tmp_path: Path
) -> None:
    config = outbound_config(ca, dns.port, TLSMode.NO, domain=DOMAIN)
    entry = DestinationEntry(
        domain=DOMAIN, tls=TLSMode.NO, max_concurrency=2, max_msgs_per_connection=1
    )
    config = replace(config, destinations=replace(config.destinations, entries=(entry,)))
    async with FakeMX(Behaviour(starttls=False), host=IP) as mx:
        mx.release.clear()  # hold every DATA reply: connections pile up if the limit leaks
        task = asyncio.create_task(deliver(config, tmp_path, mx, 6))
        await wait_until_async(lambda: mx.in_data == 2)
        assert mx.active == 2
        mx.release.set()
        results = await asyncio.wait_for(task, 10)
    assert [r.status for r in results] == ["delivered"] * 6
    assert mx.max_active == 2  # reached, never exceeded
    assert mx.connections == 6  # one message per connection


async def spool(engine: Engine, count: int, clock: FakeClock) -> list[int]:
    """`count` one-recipient messages, all spooled before the queue takes any."""
    assert engine._counters is not None and engine.queue is not None
    mids = []
    for n in range(count):
        mid = engine._counters.next_mid()
        await engine.spool.store(mid, 1, "InboundMail", "a@sender.test", [f"u{n}@{DOMAIN}"],
                                 f"S: {n}\r\n\r\nx\r\n".encode(), clock.now())
        mids.append(mid)
    engine.queue.wake()
    return mids


async def test_recipient_limit_per_period(ca: trustme.CA, dns: DnsServer, tmp_path: Path) -> None:
    clock = FakeClock()
    config = outbound_config(ca, dns.port, TLSMode.NO, domain=DOMAIN)
    entry = DestinationEntry(domain=DOMAIN, tls=TLSMode.NO, recipient_limit=2, recipient_minutes=1)
    config = replace(config, destinations=replace(config.destinations, entries=(entry,)))
    options = QueueOptions(mx_port=0, clock=clock, poll_interval=0.02)
    async with FakeMX(Behaviour(starttls=False), host=IP) as mx:
        options.mx_port = mx.port
        async with running_engine(tmp_path, config, outbound=options) as engine:
            queue = engine.queue
            assert queue is not None
            mids = await spool(engine, 5, clock)
            for delivered in (2, 4, 5):
                await wait_until_async(lambda n=delivered: len(mx.messages) == n)
                await wait_until_async(lambda: not queue.delivering)
                clock.t += 59  # the window is used up until its minute has passed
                await queue.tick()
                assert not queue.delivering and len(mx.messages) == delivered
                waiting = [m for m in mids if QUEUED in queue.store.statuses(m).values()]
                assert len(waiting) == 5 - delivered
                clock.t += 1  # the period passes
                queue.wake()
    assert sorted(r for m in mx.messages for r in m.recipients) == [
        f"u{n}@{DOMAIN}" for n in range(5)
    ]
    assert "Delayed:" not in read_mail_logs(tmp_path)  # held back by the limit, not failed
