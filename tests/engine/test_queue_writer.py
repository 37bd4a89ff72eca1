"""engine/queue/writer.Writer's fsync thread: woken only by whoever waits on it, yet a commit
nobody waits for and an action that waits for the fsync are both served within LAZY."""

from __future__ import annotations

import threading
from pathlib import Path

from engine.queue.writer import LAZY, Writer
from tests.kit.waiting import wait_until


def table(path: Path) -> Writer:
    writer = Writer(path)
    writer.commit(lambda db: db.execute("CREATE TABLE t (n INTEGER)"))
    return writer


def test_a_commit_alone_is_fsynced_within_lazy(tmp_path: Path) -> None:
    writer = table(tmp_path / "q.db")
    try:
        wait_until(lambda: writer.syncs >= 1, what="the table's commit fsynced")
        before = writer.syncs
        writer.commit(lambda db: db.execute("INSERT INTO t VALUES (1)"))
        # nothing wakes the thread: only its LAZY period brings the fsync (room for a busy CI)
        wait_until(lambda: writer.syncs > before, timeout=LAZY * 40, what="the insert fsynced")
    finally:
        writer.close()


def test_an_action_runs_after_an_fsync_that_began_after_it(tmp_path: Path) -> None:
    writer = table(tmp_path / "q.db")
    seen: list[tuple[OSError | None, int]] = []
    done = threading.Event()
    try:
        start = writer.syncs
        writer.commit(lambda db: db.execute("INSERT INTO t VALUES (2)"))
        # that commit fsynced first: an fsync the action finds was made for the action
        wait_until(lambda: writer.syncs > start, timeout=LAZY * 40, what="the insert fsynced")
        before = writer.syncs

        def action(error: OSError | None) -> None:
            seen.append((error, writer.syncs))
            done.set()

        writer.after_sync(action)  # no wake: the thread finds it within LAZY
        assert done.wait(LAZY * 40)
        assert seen == [(None, seen[0][1])] and seen[0][1] > before
    finally:
        writer.close()


def test_close_runs_what_waits_and_run_waits_for_its_fsync(tmp_path: Path) -> None:
    writer = table(tmp_path / "q.db")
    assert writer.run(lambda db: db.execute("INSERT INTO t VALUES (3)").rowcount) == 1
    ran: list[OSError | None] = []
    writer.after_sync(ran.append)
    writer.close()
    assert ran == [None]
