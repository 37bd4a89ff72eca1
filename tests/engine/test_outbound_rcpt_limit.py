"""A server that takes only so many recipients a transaction answers the next ones 452
(RFC 5321 §4.5.3.1.10): they go in the next transaction at once, on the same connection,
not at the retry an hour later. A 452 for the first recipient, nothing taken, is the
server's state: the retry's backoff applies."""

from __future__ import annotations

from pathlib import Path

from engine.queue.admin import QueueAdmin
from engine.queue.manager import QueueOptions
from state.model import Config, DeliverySettings, Route, RouteHost, TLSMode, replace
from tests.engine.outbound_kit import DOMAIN, FakeClock, outbound_config
from tests.kit.engine import running_engine
from tests.kit.fakemx import Behaviour, FakeMX
from tests.kit.queue import Queued, body, legacy_queue
from tests.kit.waiting import wait_until_async

MID = 700001
RECIPIENTS = tuple(f"u{n}@{DOMAIN}" for n in range(10))


def config_for(port: int) -> Config:
    hosts = (RouteHost(host="127.0.0.1", port=port),)
    config = outbound_config(None, tls=TLSMode.NO, max_concurrency=1)
    return replace(config, routes=(Route(domain=DOMAIN, hosts=hosts),),
                   delivery=DeliverySettings(initial_retry_seconds=3600))


def statuses(data: Path) -> list[str]:
    return sorted({r.status for r in QueueAdmin(data).recipients() if r.mid == MID})


async def test_the_rest_of_the_recipients_go_in_the_next_transaction(tmp_path: Path) -> None:
    clock = FakeClock()
    async with FakeMX(Behaviour(starttls=False, max_rcpts=3)) as mx:
        legacy_queue(tmp_path, [Queued(MID, "a@sender.test", RECIPIENTS, body(MID))],
                     clock.now())
        options = QueueOptions(mx_port=mx.port, clock=clock, poll_interval=0.02)
        async with running_engine(tmp_path, config_for(mx.port), outbound=options):
            await wait_until_async(lambda: sum(len(m.recipients) for m in mx.messages) == 10,
                                   timeout=10, what="every recipient, without a retry")
            await wait_until_async(lambda: statuses(tmp_path) in ([], ["delivered"]),
                                   timeout=10, what="every recipient recorded delivered")
    assert [len(m.recipients) for m in mx.messages] == [3, 3, 3, 1]
    assert sorted(a for m in mx.messages for a in m.recipients) == sorted(RECIPIENTS)
    assert mx.connections == 1


async def test_a_452_with_nothing_taken_waits_for_the_retry(tmp_path: Path) -> None:
    clock = FakeClock()
    refusal = "452 4.3.1 Insufficient system storage"
    replies = dict.fromkeys(RECIPIENTS[:2], refusal)
    async with FakeMX(Behaviour(starttls=False, rcpt_reply=replies)) as mx:
        legacy_queue(tmp_path, [Queued(MID, "a@sender.test", RECIPIENTS[:2], body(MID))],
                     clock.now())
        options = QueueOptions(mx_port=mx.port, clock=clock, poll_interval=0.02)
        async with running_engine(tmp_path, config_for(mx.port), outbound=options):
            await wait_until_async(
                lambda: [r.attempts for r in QueueAdmin(tmp_path).recipients()] == [1, 1],
                timeout=10, what="both deferred once")
    assert mx.messages == [] and mx.connections == 1
    assert mx.commands.count("RSET") <= 1  # one transaction, not a loop
