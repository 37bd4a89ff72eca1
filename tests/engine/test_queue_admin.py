"""engine.queue.admin against a running engine: listings and per-domain loads of a real
queue, and `deliver_now` making deferred recipients due with the clock held still (the
engine retries them at its next poll; nothing but the next-attempt time changes)."""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest
import trustme

from engine.errors import QueueUnavailable
from engine.queue import admin as admin_module
from engine.queue.admin import QueueAdmin, queue_db
from engine.queue.manager import QueueOptions
from engine.queue.store import DELIVERED, QUEUED, QueueStore
from engine.service import Engine
from state.model import DeliverySettings, replace
from tests.engine.outbound_kit import FakeClock, outbound_config
from tests.kit.dnsserver import DnsServer
from tests.kit.engine import log_has, running_engine
from tests.kit.fakemx import Behaviour, FakeMX
from tests.kit.waiting import wait_until_async

PARTNER_IP = "127.0.0.41"
OTHER_IP = "127.0.0.42"
RETRY = 600  # initial retry seconds: far beyond any wait in this test
TRY_LATER = "451 4.3.0 try later"


@pytest.fixture(scope="module")
def dns() -> Iterator[DnsServer]:
    with DnsServer(
        hosts={"mx.partner.test": PARTNER_IP, "mx.other.test": OTHER_IP},
        mx=[("partner.test", "mx.partner.test", 10), ("other.test", "mx.other.test", 10)],
    ) as server:
        yield server


async def spool(engine: Engine, clock: FakeClock, rcpts: list[str], size: int = 40) -> int:
    assert engine._counters is not None and engine.queue is not None
    mid = engine._counters.next_mid()
    body = b"Subject: q\r\n\r\n" + b"x" * (size - 16) + b"\r\n"
    await engine.spool.store(mid, 1, "InboundMail", "a@sender.test", rcpts, body, clock.now())
    engine.queue.wake()
    return mid


def attempts(admin: QueueAdmin, address: str) -> int:
    """-1 until the queue has taken the message in."""
    return next((r.attempts for r in admin.recipients() if r.address == address), -1)


async def test_deliver_now_retries_a_deferred_domain_without_moving_the_clock(
    ca: trustme.CA, dns: DnsServer, tmp_path: Path
) -> None:
    clock = FakeClock()
    partner = Behaviour(rcpt_reply={"u@partner.test": TRY_LATER})
    other = Behaviour(rcpt_reply={"w@other.test": TRY_LATER})
    config = replace(outbound_config(ca, dns.port), delivery=DeliverySettings(
        initial_retry_seconds=RETRY, max_retry_seconds=4 * RETRY))
    async with (
        FakeMX(partner, host=PARTNER_IP) as mx,
        FakeMX(other, host=OTHER_IP, port=mx.port) as other_mx,
        running_engine(tmp_path, config, outbound=QueueOptions(
            mx_port=mx.port, clock=clock, poll_interval=0.02)) as engine,
    ):
        admin = QueueAdmin(tmp_path, clock.now)
        first = await spool(engine, clock, ["u@partner.test"])
        second = await spool(engine, clock, ["w@other.test"])
        await wait_until_async(lambda: attempts(admin, "u@partner.test") == 1)
        await wait_until_async(lambda: attempts(admin, "w@other.test") == 1)

        listed = admin.recipients(status=QUEUED)
        assert [(r.mid, r.rid, r.address, r.domain) for r in listed] == [
            (first, 0, "u@partner.test", "partner.test"), (second, 0, "w@other.test", "other.test")]
        assert all(r.deferred(clock.t) and r.next_attempt == clock.t + RETRY for r in listed)
        assert all("4.3.0 try later" in r.reason and r.sender == "a@sender.test" for r in listed)
        assert [r.address for r in admin.recipients(domain="Partner.Test.")] == ["u@partner.test"]
        assert [(d.domain, d.active, d.soft_bounced) for d in admin.top_domains()] == [
            ("other.test", 1, 1), ("partner.test", 1, 1)]

        partner.rcpt_reply.clear()  # the partner's MX is fixed; the clock stays where it is
        await engine.queue.tick()  # type: ignore[union-attr]
        assert mx.connections == 1  # still deferred: nothing is retried on its own

        assert await asyncio.to_thread(admin.deliver_now, "partner.test") == 1
        await wait_until_async(log_has(tmp_path, f"Message finished MID {first} done"))
        assert [m.recipients for m in mx.messages] == [["u@partner.test"]]
        done = admin.recipients(domain="partner.test")[0]
        assert (done.status, done.attempts) == (DELIVERED, 1)  # no attempt was counted
        still = admin.recipients(domain="other.test")[0]
        assert still.deferred(clock.t) and other_mx.connections == 1  # other domain untouched

        assert await asyncio.to_thread(admin.deliver_now) == 1  # all: only other.test is left
        await wait_until_async(lambda: attempts(admin, "w@other.test") == 2)
        again = admin.recipients(domain="other.test")[0]
        assert again.next_attempt == clock.t + 2 * RETRY  # the backoff goes on, doubled
        assert other_mx.connections == 2 and not other_mx.messages
        assert [(d.domain, d.active, d.delivered) for d in admin.top_domains()] == [
            ("other.test", 1, 0)]
        assert [d.domain for d in admin.top_domains("delivered")] == ["partner.test"]


def test_a_due_recipient_is_not_rescheduled_and_ages_come_from_the_clock(tmp_path: Path) -> None:
    store = QueueStore(queue_db(tmp_path))
    try:
        store.add_message(7, "", 100.0, 1234, "7.msg", ("a@x.test", "b@y.test"), 100.0)
        store.defer(7, [1], 500.0, "4.0.0 later")
    finally:
        store.close()
    admin = QueueAdmin(tmp_path, lambda: 160.0)
    rows = admin.recipients()
    assert [(r.address, r.deferred(160.0), r.age, r.size, r.sender) for r in rows] == [
        ("a@x.test", False, 60.0, 1234, ""), ("b@y.test", True, 60.0, 1234, "")]
    assert admin.deliver_now("x.test") == 0  # due already: nothing to do
    assert admin.deliver_now("nowhere.test") == 0
    assert admin.deliver_now() == 1
    assert [r.next_attempt for r in admin.recipients()] == [100.0, 160.0]
    assert admin.deliver_now() == 0
    assert admin.recipients(limit=1)[0].address == "a@x.test"
    loads = admin.top_domains()
    assert [(d.domain, d.active, d.soft_bounced, d.oldest_age) for d in loads] == [
        ("x.test", 1, 0, 60.0), ("y.test", 1, 1, 60.0)]
    with pytest.raises(ValueError):
        admin.top_domains("bogus")


def test_a_data_dir_without_a_queue_is_empty_and_stays_untouched(tmp_path: Path) -> None:
    admin = QueueAdmin(tmp_path)
    assert admin.recipients() == [] and admin.top_domains() == []
    assert admin.deliver_now() == 0
    assert not (tmp_path / "queue").exists()


def test_a_damaged_queue_database_is_reported_not_raised_raw(tmp_path: Path) -> None:
    path = queue_db(tmp_path)
    path.parent.mkdir()
    path.write_bytes(b"not a database" * 100)
    with pytest.raises(QueueUnavailable):
        QueueAdmin(tmp_path).recipients()
    with pytest.raises(QueueUnavailable):
        QueueAdmin(tmp_path).deliver_now()


def test_a_locked_queue_is_reported_after_the_busy_timeout(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    QueueStore(queue_db(tmp_path)).close()
    monkeypatch.setattr(admin_module, "BUSY_TIMEOUT", 0.05)
    holder = sqlite3.connect(queue_db(tmp_path), isolation_level=None)
    try:
        holder.execute("BEGIN EXCLUSIVE")  # as if another writer never finished
        with pytest.raises(QueueUnavailable):
            QueueAdmin(tmp_path).deliver_now()
    finally:
        holder.execute("ROLLBACK")
        holder.close()


def test_the_queue_database_and_its_log_are_for_the_engine_alone(tmp_path: Path) -> None:
    store = QueueStore(queue_db(tmp_path))
    try:
        store.add_message(8, "a@x.test", 1.0, 10, "8.msg", ("b@y.test",), 1.0)
        modes = {p.name: p.stat().st_mode & 0o777 for p in queue_db(tmp_path).parent.iterdir()}
    finally:
        store.close()
    assert modes == {"queue.db": 0o600, "queue.db-wal": 0o600, "queue.db-shm": 0o600}
