"""A delivery whose result cannot be recorded (the queue database refuses the write once)
is deferred with the backoff, not left due: it went out once, and the next ticks do not
send it again at once (the write's failure had marked it reported, so nothing deferred it)."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from engine.queue.manager import QueueOptions
from engine.queue.results import Results
from tests.engine.outbound_kit import DOMAIN, FakeClock
from tests.engine.test_hostile_mx import MID, RETRY, SENDER, config_for, row
from tests.kit.engine import running_engine
from tests.kit.fakemx import Behaviour, FakeMX
from tests.kit.queue import Queued, body, legacy_queue
from tests.kit.waiting import wait_until_async


async def test_a_result_that_cannot_be_recorded_is_deferred_not_due_again_at_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    real = Results.record
    refused: list[int] = []

    def once(self: Results, mid: int, outcomes: dict[int, object]) -> None:
        if not refused:
            refused.append(mid)
            raise sqlite3.OperationalError("database is locked")
        real(self, mid, outcomes)  # type: ignore[arg-type]

    monkeypatch.setattr(Results, "record", once)
    clock = FakeClock()
    async with FakeMX(Behaviour(starttls=False)) as mx:
        legacy_queue(tmp_path, [Queued(MID, SENDER, (f"u@{DOMAIN}",), body(MID))], clock.now())
        options = QueueOptions(mx_port=mx.port, clock=clock, poll_interval=0.02)
        async with running_engine(tmp_path, config_for(mx.port), outbound=options) as engine:
            await wait_until_async(lambda: row(tmp_path).attempts == 1, timeout=10,
                                   what="the delivery deferred")
            for _ in range(5):  # ticks that must not deliver it again before the retry
                await engine.queue.tick()  # type: ignore[union-attr]
    assert refused == [MID]
    assert len(mx.messages) == 1
    found = row(tmp_path)
    assert found.status == "queued" and found.next_attempt == clock.now() + RETRY
