"""Writes to the queue database: written at once, fsynced in groups behind them.

A crash of the process (kill -9, a bug) loses nothing SQLite has written: its
pages are in the operating system. Only a power loss needs the fsync. So a
result is committed the moment it is known, in the event-loop step that read the
remote's reply, before the next command on that connection (`synchronous=NORMAL`:
a small transaction, no fsync), and a thread of its own fsyncs the write-ahead
log behind the commits: one fsync covers every commit made before it started
(group commit), and the actions that must wait for it (removing a finished
message's spool file) run after it. Neither a commit nor such an action wakes
that thread (a wake-up for each was a tenth of the delivering process's samples):
it fsyncs every LAZY while there is something to fsync, and at once for whoever
waits on it (`synced`, `run`). A power loss can cost what was committed in the
last LAZY: those messages are sent again, none is lost.

Measured under relay load, one event loop doing inbound and outbound: a
FULL-synchronous commit per result on the shared thread pool took 2-16 ms after
the remote's 250 (mostly waiting for the GIL the busy loop holds), an fsync on
the loop blocked it 0.6 ms per message, and unlinking a spool file 0.4 ms.
"""

from __future__ import annotations

import asyncio
import collections
import contextlib
import os
import queue
import sqlite3
import threading
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

from engine import handoff

T = TypeVar("T")
Action = Callable[[OSError | None], None]  # told whether the fsync failed
LAZY = 0.05  # seconds: the longest a commit waits for its fsync when nobody waits on it


def connect(path: Path, synchronous: str = "FULL") -> sqlite3.Connection:
    db = sqlite3.connect(path, check_same_thread=False, isolation_level=None, timeout=10.0)
    db.execute("PRAGMA journal_mode=WAL")
    db.execute(f"PRAGMA synchronous={synchronous}")
    return db


class Writer:
    def __init__(self, path: Path) -> None:
        self._db = connect(path, "NORMAL")  # the fsync is the syncer's, grouped
        self._wal = path.with_name(path.name + "-wal")
        self._lock = threading.Lock()  # one transaction at a time, from any thread
        self._wake: queue.SimpleQueue[Action | None] = queue.SimpleQueue()  # None: close
        self._later: collections.deque[Action] = collections.deque()  # no hurry
        self._dirty = False  # committed since the syncer last fsynced
        self.commits = 0  # transactions, for bench/
        self.syncs = 0  # fsyncs of the log
        self._syncer = threading.Thread(target=self._sync_loop, name="queue-fsync", daemon=True)
        self._syncer.start()

    @property
    def db(self) -> sqlite3.Connection:
        return self._db

    def commit(self, work: Callable[[sqlite3.Connection], T]) -> T:
        """Do `work` in a transaction now; safe from a crash once this returns."""
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                value = work(self._db)
                self._db.execute("COMMIT")
            except BaseException:
                with contextlib.suppress(sqlite3.Error):
                    self._db.execute("ROLLBACK")
                raise
            self.commits += 1
            self._dirty = True
        return value

    def after_sync(self, action: Action, wake: bool = False) -> None:
        """Run `action` on the syncer's thread once everything committed so far is fsynced:
        within LAZY, or at once with `wake` (someone waits for it)."""
        if wake:
            self._wake.put(action)
        else:
            self._later.append(action)

    def synced(self) -> asyncio.Future[None]:
        """A future (on the running loop) done once everything committed so far is fsynced."""
        loop = asyncio.get_running_loop()
        future: asyncio.Future[None] = loop.create_future()

        def settle(error: OSError | None) -> None:
            if future.cancelled():
                return
            if error is None:
                future.set_result(None)
            else:
                future.set_exception(error)

        def on_loop(error: OSError | None) -> None:
            with contextlib.suppress(RuntimeError):  # the loop is gone: no one waits
                loop.call_soon_threadsafe(settle, error)

        self.after_sync(on_loop, wake=True)
        return future

    def run(self, work: Callable[[sqlite3.Connection], T]) -> T:
        """Commit `work` and wait for its fsync (tools, tests, start-up)."""
        value = self.commit(work)
        done = threading.Event()
        failure: list[OSError] = []

        def note(error: OSError | None) -> None:
            failure.extend([error] if error else [])
            done.set()

        self.after_sync(note, wake=True)
        done.wait()
        if failure:
            raise failure[0]
        return value

    def close(self) -> None:
        """Fsync what is committed, run what waits for it, close the connection."""
        self._wake.put(None)
        self._syncer.join()
        with self._lock:
            self._db.close()

    def _sync_loop(self) -> None:
        handoff.defer_to_waker()
        closing = False
        while not closing:
            # what someone waits for wakes this at once; else it looks every LAZY
            actions, closing = handoff.take_all(self._wake, LAZY)
            while self._later:  # deque: append and popleft are safe across threads
                actions.append(self._later.popleft())
            if not (actions or closing or self._dirty):
                continue
            self._dirty = False  # before the fsync: a commit made during it is seen next time
            error = self._fsync()
            for action in actions:
                with contextlib.suppress(Exception):  # an action's failure is its own
                    action(error)

    def _fsync(self) -> OSError | None:
        # fsync flushes the file whatever descriptor wrote it: SQLite's own is not ours.
        # No log file means SQLite has folded it into the database (and synced that).
        try:
            fd = os.open(self._wal, os.O_RDONLY)
        except FileNotFoundError:
            return None
        except OSError as exc:
            return exc
        try:
            os.fdatasync(fd)
        except OSError as exc:
            return exc
        finally:
            os.close(fd)
        self.syncs += 1
        return None
