"""Crash safety: kill -9 the appliance in the middle of a batch, restart it, and count
at the receiving end that every message arrived exactly once."""

from __future__ import annotations

import asyncio
import os
import signal
import time
from collections import Counter
from pathlib import Path

from engine.spool import Spool
from state import model
from state.bootstrap import open_data_dir
from state.session import Session
from tests.e2e.conftest import Appliance, free_port
from tests.engine.fakemx import Behaviour, FakeMX
from tests.helpers import wait_until

BATCH = 30
KILL_AT = 12
FIRST_MID = 500000  # far above the appliance's own MIDs


def prepare(data: Path, mx_port: int) -> Appliance:
    store, secrets = open_data_dir(data)
    session = Session(store, secrets, "test", "console")
    inbound, outbound = free_port(), free_port()
    ports = {"InboundMail": inbound, "OutboundMail": outbound}
    config = session.candidate
    listeners = tuple(model.replace(li, port=ports[li.name]) for li in config.listeners)
    route = model.Route(domain="partner.test", hosts=(model.RouteHost(host="127.0.0.1", port=mx_port),))
    entry = model.DestinationEntry(domain="partner.test", max_msgs_per_connection=5, max_concurrency=1)
    destinations = model.replace(config.destinations, entries=(entry,))
    session.stage(model.replace(config, listeners=listeners, routes=(route,), destinations=destinations))
    session.commit("crash test")
    store.close()
    return Appliance(data, inbound, outbound)


async def test_kill_9_mid_batch_delivers_each_exactly_once(tmp_path: Path) -> None:
    async with FakeMX(Behaviour(starttls=False)) as mx:
        mx.hold_at = KILL_AT
        app = prepare(tmp_path / "data", mx.port)
        spool = Spool(tmp_path / "data" / "spool")
        for i in range(BATCH):
            mid = FIRST_MID + i
            body = f"Subject: crash {mid}\r\nX-Test-MID: {mid}\r\n\r\nbody\r\n".encode()
            await spool.store(mid, 0, "test", "a@sender.test", [f"u{i}@partner.test"], body, time.time())
        await asyncio.to_thread(app.start)
        try:
            await asyncio.wait_for(mx.holding.wait(), 30)
            assert app.proc is not None
            os.kill(app.proc.pid, signal.SIGKILL)  # mid-DATA of message KILL_AT; the ones before are committed
            await asyncio.to_thread(app.proc.wait)
            app.proc = None
            before = len(mx.messages)
            assert 0 < before < BATCH
            mx.hold_at = None
            await asyncio.to_thread(app.start)
            await wait_until(lambda: len({m.data for m in mx.messages}) >= BATCH, timeout=40)
            await wait_until(lambda: not list((tmp_path / "data" / "spool").glob("*.msg")), timeout=20)
        finally:
            await asyncio.to_thread(app.stop)
    counts = Counter(m.recipients[0] for m in mx.messages)
    assert counts == Counter({f"u{i}@partner.test": 1 for i in range(BATCH)})
