"""Group commit: one thread owns the queue database's write connection.

Callers hand it work (a function of the connection) and get a future. The thread
takes everything that is waiting, runs it in one transaction (each piece in its
own savepoint, so one that fails is undone alone) and commits once: results
that arrive together share one fsync instead of queueing for one each. It waits
for nothing: a lone result is committed at once, so the time from the remote
250 to "delivered" on disk is one commit, or two when it arrives during one.

A thread of its own, not the event loop's shared pool: commits never wait
behind spool writes, DNS or TLS set-up, and the order of writes is the order of
submission.
"""

from __future__ import annotations

import concurrent.futures
import contextlib
import queue
import sqlite3
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

T = TypeVar("T")
Work = Callable[[sqlite3.Connection], Any]


class WriterClosed(RuntimeError):
    """Work was handed to a writer that has been closed."""


def connect(path: Path) -> sqlite3.Connection:
    db = sqlite3.connect(path, check_same_thread=False, isolation_level=None, timeout=10.0)
    db.execute("PRAGMA journal_mode=WAL")
    db.execute("PRAGMA synchronous=FULL")
    return db


class Writer:
    def __init__(self, db: sqlite3.Connection) -> None:
        self._db = db
        self._items: queue.SimpleQueue[tuple[Work, concurrent.futures.Future[Any]] | None]
        self._items = queue.SimpleQueue()
        self._closed = False
        self._guard = threading.Lock()
        self.commits = 0  # transactions committed (fsyncs), for bench/
        self.items = 0  # pieces of work committed in them
        self._thread = threading.Thread(target=self._run, name="queue-writer", daemon=True)
        self._thread.start()

    def submit(self, work: Callable[[sqlite3.Connection], T]) -> concurrent.futures.Future[T]:
        future: concurrent.futures.Future[T] = concurrent.futures.Future()
        with self._guard:
            if self._closed:
                raise WriterClosed("the queue database is closed")
            self._items.put((work, future))
        return future

    def run(self, work: Callable[[sqlite3.Connection], T]) -> T:
        """Submit and wait: for callers outside the event loop (tools, tests, start-up)."""
        return self.submit(work).result()

    def close(self) -> None:
        """Commit what was handed in, then stop and close the connection."""
        with self._guard:
            if self._closed:
                return
            self._closed = True
            self._items.put(None)
        self._thread.join()
        self._db.close()

    def _run(self) -> None:
        while True:
            batch = [self._items.get()]
            while True:
                try:
                    batch.append(self._items.get_nowait())
                except queue.Empty:
                    break
            work = [item for item in batch if item is not None]
            if work:
                self._commit(work)
            if len(work) < len(batch):
                return

    def _commit(self, batch: list[tuple[Work, concurrent.futures.Future[Any]]]) -> None:
        done: list[tuple[concurrent.futures.Future[Any], Any, BaseException | None]] = []
        try:
            self._db.execute("BEGIN IMMEDIATE")
            for work, future in batch:
                done.append((future, *self._piece(work)))
            self._db.execute("COMMIT")
        except Exception as exc:  # noqa: BLE001 (every waiter must hear of it)
            with contextlib.suppress(sqlite3.Error):
                self._db.execute("ROLLBACK")
            for _, future in batch:
                future.set_exception(exc)
            return
        self.commits += 1
        self.items += len(batch)
        for future, value, error in done:
            if error is None:
                future.set_result(value)
            else:
                future.set_exception(error)

    def _piece(self, work: Work) -> tuple[Any, BaseException | None]:
        self._db.execute("SAVEPOINT piece")
        try:
            value = work(self._db)
        except Exception as exc:  # noqa: BLE001 (undone alone; its caller hears of it)
            self._db.execute("ROLLBACK TO piece")
            self._db.execute("RELEASE piece")
            return None, exc
        self._db.execute("RELEASE piece")
        return value, None
