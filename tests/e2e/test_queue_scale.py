"""A huge queue does not slow new mail (issue 9, item 4): with 50,000 deferred
messages in the queue, new messages relayed through `esacli run` still go out at
once, one after another. The backlog is built by one bulk insert through the queue
store (no spool files: they are never read while deferred). Only "promptly" is
checked here, loosely; bench/outbound_queue.py measures the per-message cost."""

from __future__ import annotations

import asyncio
import smtplib
import time
from pathlib import Path

from engine.queue.admin import QueueAdmin
from engine.queue.store import NewMessage, QueueStore
from tests.kit.fakemx import Behaviour, FakeMX
from tests.kit.queue import DOMAIN, relay_appliance
from tests.kit.waiting import wait_until_async

BACKLOG = 50_000
NEW = 5
PROMPTLY = 10.0  # seconds for each new message, SMTP in to SMTP out; typically ~0.1


def backlog(data: Path) -> None:
    now = time.time()
    store = QueueStore(data / "queue" / "queue.db")
    try:
        store.add_messages([
            NewMessage(1_000_000 + n, "a@sender.test", now - 3600, 2048,
                       str(data / "spool" / f"{1_000_000 + n}.msg"), (f"u{n}@slow{n % 500}.test",))
            for n in range(BACKLOG)
        ], now + 86400)  # all waiting for a retry tomorrow
    finally:
        store.close()


async def test_a_new_message_goes_out_promptly_past_50000_deferred(tmp_path: Path) -> None:
    async with FakeMX(Behaviour(starttls=False)) as mx:
        app = relay_appliance(tmp_path / "data", mx.port)
        await asyncio.to_thread(backlog, app.data)
        await asyncio.to_thread(app.start)
        try:
            for n in range(NEW):
                started = time.monotonic()
                with smtplib.SMTP("127.0.0.1", app.outbound, timeout=10) as client:
                    content = b"Subject: new\r\n\r\nx\r\n"
                    client.sendmail("a@sender.test", [f"new{n}@{DOMAIN}"], content)
                await wait_until_async(lambda n=n: len(mx.messages) == n + 1, timeout=PROMPTLY)
                assert time.monotonic() - started < PROMPTLY
        finally:
            await asyncio.to_thread(app.stop)
    rows = QueueAdmin(app.data).recipients(status="queued", limit=BACKLOG + 1)
    assert len(rows) == BACKLOG  # the backlog untouched: still waiting for its retry
