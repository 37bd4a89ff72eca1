"""Crash safety: kill -9 the appliance in the middle of a batch, restart it, and count
at the receiving end that every message arrived exactly once; then kill it again and
again under relay load: nothing is lost, and no kill repeats more than the messages
whose 250 was on its way (README: the window between the remote 250 and our commit;
how long it is, is measured by bench/outbound_queue.py kills)."""

from __future__ import annotations

import asyncio
import random
import time
from collections import Counter
from pathlib import Path

import pytest

from engine.spool import Spool
from tests.kit import smtpsink
from tests.kit.appliance import Appliance
from tests.kit.fakemx import Behaviour, FakeMX
from tests.kit.queue import DOMAIN, RelayLoad, relay_appliance
from tests.kit.smtpsink import SmtpSink
from tests.kit.waiting import wait_until_async

BATCH = 30
KILL_AT = 12
FIRST_MID = 500000  # far above the appliance's own MIDs


def prepare(data: Path, mx_port: int) -> Appliance:
    return relay_appliance(data, mx_port, per_conn=5, concurrency=1)


async def test_kill_9_mid_batch_delivers_each_exactly_once(tmp_path: Path) -> None:
    async with FakeMX(Behaviour(starttls=False)) as mx:
        mx.hold_at = KILL_AT
        app = prepare(tmp_path / "data", mx.port)
        spool = Spool(tmp_path / "data" / "spool")
        for i in range(BATCH):
            mid = FIRST_MID + i
            body = f"Subject: crash {mid}\r\nX-Test-MID: {mid}\r\n\r\nbody\r\n".encode()
            rcpts = [f"u{i}@{DOMAIN}"]
            await spool.store(mid, 0, "test", "a@sender.test", rcpts, body, time.time())
        await asyncio.to_thread(app.start)
        try:
            await asyncio.wait_for(mx.holding.wait(), 30)
            # mid-DATA of message KILL_AT; the ones before are committed
            await asyncio.to_thread(app.kill)
            before = len(mx.messages)
            assert 0 < before < BATCH
            mx.hold_at = None
            await asyncio.to_thread(app.start)
            await wait_until_async(lambda: len({m.data for m in mx.messages}) >= BATCH, timeout=40)
            spooled = tmp_path / "data" / "spool"
            await wait_until_async(lambda: not list(spooled.glob("*.msg")), timeout=20)
        finally:
            await asyncio.to_thread(app.stop)
    counts = Counter(m.recipients[0] for m in mx.messages)
    assert counts == Counter({f"u{i}@{DOMAIN}": 1 for i in range(BATCH)})


KILLS = 15
SENDERS = 4  # client connections relaying at once
OUTBOUND = 8  # connections to the sink at once
BETWEEN_KILLS = 40  # messages accepted from the clients after each restart, then a kill
# Each outbound connection has one message at a time whose 250 can be on its way when
# the kill comes, and each result is committed before the next command: so a kill can
# repeat at most OUTBOUND messages. How many it does is a figure of the machine's load
# more than of the code: 0.3-1.7 per kill (5 to 26 in 15) on two shared cores, in
# bursts when a kill finds the event loop waiting for the CPU, so it is printed, not
# held tight. The bound is half the most: results held until their connection closes
# made 122 in 15 here. Results committed on the thread pool with an fsync each (how it
# was when one event loop did inbound too: 56 in 25) made 8 and 15, as the load alone
# does: a window that long is for bench/outbound_queue.py kills to show, in ms.
MAX_DUPLICATES = KILLS * OUTBOUND // 2


async def kill_at_random(app: Appliance, instants: random.Random) -> None:
    """kill -9 at a random (seeded) instant, from a process of its own: a crash does not
    pick its moment, and a kill timed by this process's event loop would fall just after
    a burst of its own events, so not at random."""
    assert app.proc is not None
    delay = instants.uniform(0.0, 0.3)
    killer = await asyncio.create_subprocess_exec(
        "sh", "-c", f"sleep {delay:.3f}; kill -KILL {app.proc.pid}")
    await killer.wait()
    await asyncio.to_thread(app.proc.wait)
    app.proc = None


@pytest.mark.skipif(not smtpsink.available(), reason="needs smtp-sink (Debian package postfix)")
@pytest.mark.timeout(120)  # 15 restarts: 43-51 s alone here, against the suite's 60
async def test_kill_9_again_and_again_under_relay_load_loses_nothing_and_duplicates_little(
    tmp_path: Path,
) -> None:
    instants = random.Random(9)
    with SmtpSink() as sink:  # a process of its own: it takes no CPU from this loop
        app = relay_appliance(tmp_path / "data", sink.port, per_conn=10, concurrency=OUTBOUND)
        load = RelayLoad("127.0.0.1", app.outbound, DOMAIN)
        await asyncio.to_thread(app.start)
        clients = load.start(SENDERS)
        try:
            for _ in range(KILLS):
                mark = len(load.acked)
                await wait_until_async(
                    lambda m=mark: len(load.acked) >= m + BETWEEN_KILLS, timeout=30
                )
                await kill_at_random(app, instants)
                load.up.clear()
                await asyncio.to_thread(app.start)
                load.up.set()
            await load.stop(clients)
            await wait_until_async(lambda: not list((app.data / "spool").glob("*.msg")), timeout=30)
            await wait_until_async(lambda: load.acked <= received(sink), timeout=30)
            counts = Counter(sink.recipients())
        finally:
            await load.stop(clients, cancel=True)
            await asyncio.to_thread(app.stop)
    duplicates = sum(n - 1 for n in counts.values())
    figure = (f"{duplicates} duplicates in {KILLS} kills, {len(counts)} messages,"
              f" {len(load.acked)} acknowledged")
    print(figure)
    assert not load.acked - {RelayLoad.number(r) for r in counts}, figure  # nothing lost
    assert duplicates <= MAX_DUPLICATES, figure


def received(sink: SmtpSink) -> set[int]:
    return {RelayLoad.number(r) for r in sink.recipients()}
