"""One message's trouble stays with that message (issue 9, item 2): a bad recipient
address, an unreadable spool file, a bug in the middle of a transaction. Each time
the other messages of the batch, on the same connection or the next, are delivered
at a fake MX, and the troubled one is bounced or deferred on its own."""

from __future__ import annotations

import email
from pathlib import Path

import pytest

from engine.maillog import MailLog
from engine.outbound import client
from engine.outbound.wire import Client
from engine.queue.admin import QueueAdmin, QueuedRecipient
from engine.queue.manager import QueueOptions
from state.model import Config, DeliverySettings, Route, RouteHost, TLSMode, replace
from tests.engine.outbound_kit import FakeClock, outbound_config
from tests.kit.engine import log_has, read_mail_logs, running_engine
from tests.kit.fakemx import Behaviour, FakeMX
from tests.kit.queue import DOMAIN, Queued, body, legacy_queue
from tests.kit.waiting import wait_until_async

FIRST = 700001
RETRY = 60


def config_for(port: int) -> Config:
    hosts = (RouteHost(host="127.0.0.1", port=port),)
    config = outbound_config(None, tls=TLSMode.NO, max_concurrency=1,
                             max_msgs_per_connection=50)
    routes = (Route(domain=DOMAIN, hosts=hosts), Route(domain="sender.test", hosts=hosts))
    return replace(config, routes=routes, delivery=DeliverySettings(initial_retry_seconds=RETRY))


def queue(tmp_path: Path, clock: FakeClock, *messages: Queued) -> None:
    legacy_queue(tmp_path, list(messages), clock.now())


def one(tmp_path: Path, mid: int, rid: int = 0) -> QueuedRecipient:
    [row] = [r for r in QueueAdmin(tmp_path).recipients() if (r.mid, r.rid) == (mid, rid)]
    return row


def plain(mid: int, *rcpts: str) -> Queued:
    return Queued(mid, "a@sender.test", rcpts or (f"u{mid}@{DOMAIN}",), body(mid))


async def test_a_bad_recipient_bounces_alone_and_its_bounce_shows_it_escaped(
    tmp_path: Path,
) -> None:
    clock = FakeClock()
    async with FakeMX(Behaviour(starttls=False)) as mx:
        mixed = plain(FIRST, f"ok@{DOMAIN}", f"bad\rRSET@{DOMAIN}")
        queue(tmp_path, clock, mixed, plain(FIRST + 1))
        options = QueueOptions(mx_port=mx.port, clock=clock, poll_interval=0.02)
        async with running_engine(tmp_path, config_for(mx.port), outbound=options):
            await wait_until_async(lambda: len(mx.messages) == 3, timeout=10)  # two, and the bounce
    deliveries = sorted((m.sender, tuple(m.recipients)) for m in mx.messages)
    assert deliveries == [("", ("a@sender.test",)), ("a@sender.test", (f"ok@{DOMAIN}",)),
                          ("a@sender.test", (f"u{FIRST + 1}@{DOMAIN}",))]
    assert not any("RSET" in command for command in mx.commands)  # never on the wire
    assert one(tmp_path, FIRST, 1).status == "bounced"
    assert one(tmp_path, FIRST, 1).reason.startswith("5.1.3 - Bad destination mailbox address")
    [dsn] = [m for m in mx.messages if m.sender == ""]
    report = email.message_from_bytes(dsn.data)
    text = dsn.data.decode()
    assert "<bad\\rRSET@partner.test>" in text and "rfc822; bad\\rRSET@partner.test" in text
    assert f"ok@{DOMAIN}" not in text.split("rfc822-headers")[0]  # only the failed one
    assert report.get_content_type() == "multipart/report"
    assert "\r" not in text.replace("\r\n", "")  # no bare CR survived into a header


async def test_an_unreadable_spool_file_defers_that_message_only(tmp_path: Path) -> None:
    clock = FakeClock()
    async with FakeMX(Behaviour(starttls=False)) as mx:
        queue(tmp_path, clock, plain(FIRST), plain(FIRST + 1), plain(FIRST + 2))
        damaged = tmp_path / "spool" / f"{FIRST + 1}.msg"
        damaged.write_bytes(damaged.read_bytes().replace(b"body", b"bodY"))
        options = QueueOptions(mx_port=mx.port, clock=clock, poll_interval=0.02)
        async with running_engine(tmp_path, config_for(mx.port), outbound=options):
            await wait_until_async(lambda: len(mx.messages) == 2, timeout=10)
            await wait_until_async(lambda: one(tmp_path, FIRST + 1).attempts == 1)
    assert [m.recipients[0] for m in mx.messages] == [
        f"u{FIRST}@{DOMAIN}",
        f"u{FIRST + 2}@{DOMAIN}",
    ]
    assert mx.connections == 1  # the connection went on past it
    row = one(tmp_path, FIRST + 1)
    assert row.status == "queued" and row.next_attempt == clock.now() + RETRY
    assert row.reason.startswith("4.3.0 - Message content unreadable")
    assert damaged.exists()  # kept for the retry (and the administrator)


async def test_a_bug_mid_transaction_defers_that_message_and_the_rest_go_on_a_new_connection(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    real = client._transaction
    broken = FIRST + 1

    async def buggy(
        smtp: Client, job: client.Job, content: bytes, dcid: int, log: MailLog
    ) -> dict[int, client.Result]:
        if job.mid == broken:
            await smtp.command(f"MAIL FROM:<{job.sender}>")  # left mid-transaction
            raise RuntimeError("a bug")
        return await real(smtp, job, content, dcid, log)

    monkeypatch.setattr(client, "_transaction", buggy)
    clock = FakeClock()
    async with FakeMX(Behaviour(starttls=False)) as mx:
        queue(tmp_path, clock, *(plain(FIRST + i) for i in range(4)))
        options = QueueOptions(mx_port=mx.port, clock=clock, poll_interval=0.02)
        async with running_engine(tmp_path, config_for(mx.port), outbound=options) as engine:
            await wait_until_async(lambda: len(mx.messages) == 3, timeout=10)
            await wait_until_async(lambda: one(tmp_path, broken).attempts == 1)
            assert mx.connections == 2  # the one in an unknown state was not used again
            reason = one(tmp_path, broken).reason
            assert reason == "4.3.0 - Internal error ('000', ['RuntimeError'])"
            assert log_has(tmp_path, f"MID {broken} DCID 1 delivery failed: RuntimeError")()
            monkeypatch.setattr(client, "_transaction", real)
            clock.t += RETRY
            engine.queue.wake()  # type: ignore[union-attr]
            await wait_until_async(lambda: len(mx.messages) == 4, timeout=10)
    got = sorted(m.recipients[0] for m in mx.messages)
    assert got == [f"u{FIRST + i}@{DOMAIN}" for i in range(4)]
    assert "Traceback" not in read_mail_logs(tmp_path)
