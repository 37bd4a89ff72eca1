"""engine/handoff.py: the fsync threads (the spool's, the queue database's) are SCHED_BATCH
threads, so the event loop that wakes them is not preempted by them; the thread that
calls nothing keeps its class."""

from __future__ import annotations

import os
import threading
from pathlib import Path

import pytest

from engine import handoff
from engine.queue.writer import Writer
from engine.spool import Spool
from tests.kit.waiting import wait_until

pytestmark = pytest.mark.skipif(not hasattr(os, "SCHED_BATCH"), reason="Linux scheduling classes")


def policy(thread: threading.Thread) -> int:
    assert thread.native_id is not None
    return os.sched_getscheduler(thread.native_id)


def test_defer_to_waker_changes_the_calling_thread_only() -> None:
    seen: list[int] = []
    thread = threading.Thread(target=lambda: (handoff.defer_to_waker(),
                                              seen.append(os.sched_getscheduler(0))))
    thread.start()
    thread.join()
    assert seen == [os.SCHED_BATCH]
    assert os.sched_getscheduler(0) == os.SCHED_OTHER


async def test_the_spools_fsync_thread_is_a_batch_thread(tmp_path: Path) -> None:
    spool = Spool(tmp_path / "spool")
    incoming = spool.receive(1, 1, "InboundMail", "a@b.test", ["c@d.test"], 0.0)
    incoming.write(b"Subject: x\r\n\r\nx\r\n")
    try:
        await spool.finish(incoming)
        assert spool._syncer is not None
        assert policy(spool._syncer._thread) == os.SCHED_BATCH
    finally:
        spool.close()
    assert os.sched_getscheduler(0) == os.SCHED_OTHER


def test_the_queue_databases_fsync_thread_is_a_batch_thread(tmp_path: Path) -> None:
    writer = Writer(tmp_path / "q.db")
    try:
        wait_until(lambda: policy(writer._syncer) == os.SCHED_BATCH, what="a batch thread")
    finally:
        writer.close()
