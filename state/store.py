"""The versioned configuration store: SQLite in the data dir.

Versions are immutable rows (number, parent, user, source, time, comment,
document). The head is the highest number. A commit is one transaction that
writes version N+1 only if the head is still the parent it was computed from.
"""

from __future__ import annotations

import sqlite3
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from state import files, messages, model
from state.errors import ConfirmationPending, StoreError
from state.model import Config

_SCHEMA = """
CREATE TABLE IF NOT EXISTS versions (
    number  INTEGER PRIMARY KEY,
    parent  INTEGER,
    user    TEXT NOT NULL,
    source  TEXT NOT NULL,
    time    REAL NOT NULL,
    comment TEXT NOT NULL,
    document BLOB NOT NULL
);
-- `commit confirmed` (commit model §4): at most one row; kept here so the timer
-- survives a restart of the appliance.
CREATE TABLE IF NOT EXISTS confirmations (
    version  INTEGER PRIMARY KEY,
    previous INTEGER NOT NULL,
    deadline REAL NOT NULL,
    user     TEXT NOT NULL
);
"""


@dataclass(frozen=True)
class VersionInfo:
    number: int
    parent: int | None
    user: str
    source: str
    time: float
    comment: str


@dataclass(frozen=True)
class Confirmation:
    """A `commit confirmed` waiting: unless confirmed by `deadline`, `previous` comes back."""

    version: int
    previous: int
    deadline: float
    user: str


class Store:
    """One store per data dir; safe to open from several processes at once."""

    def __init__(self, data_dir: Path) -> None:
        self.data_dir = files.private_dir(data_dir)
        # 0600 before SQLite opens it: its -wal and -shm files take the same mode
        self.path = files.private_file(self.data_dir / "config.db")
        self._db = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA busy_timeout=5000")
        self._db.executescript(_SCHEMA)
        # one connection shared by the engine's threads and the shell: serialise its use
        self._lock = threading.RLock()
        self._listeners: list[Callable[[int], None]] = []
        self._cache: dict[int, Config] = {}

    def close(self) -> None:
        with self._lock:
            self._db.close()

    def subscribe(self, callback: Callable[[int], None]) -> None:
        """Call `callback(number)` after each commit made through this Store object."""
        self._listeners.append(callback)

    def unsubscribe(self, callback: Callable[[int], None]) -> None:
        if callback in self._listeners:
            self._listeners.remove(callback)

    def _query(self, sql: str, args: tuple[object, ...] = ()) -> list[tuple[object, ...]]:
        with self._lock:
            return self._db.execute(sql, args).fetchall()

    def head_number(self) -> int:
        [(number,)] = self._query("SELECT MAX(number) FROM versions")
        return int(number or 0)  # type: ignore[call-overload]

    def is_empty(self) -> bool:
        return self.head_number() == 0

    def load(self, number: int | None = None) -> Config:
        number = self.head_number() if number is None else number
        if number in self._cache:
            return self._cache[number]
        rows = self._query("SELECT document FROM versions WHERE number = ?", (number,))
        if not rows:
            raise StoreError(messages.NO_VERSION(number=number))
        config = model.decode(rows[0][0])  # type: ignore[arg-type]
        self._cache[number] = config
        return config

    def info(self, number: int) -> VersionInfo:
        rows = self._query(
            "SELECT number, parent, user, source, time, comment FROM versions WHERE number = ?",
            (number,),
        )
        if not rows:
            raise StoreError(messages.NO_VERSION(number=number))
        return VersionInfo(*rows[0])  # type: ignore[arg-type]

    def history(self, limit: int = 10) -> list[VersionInfo]:
        rows = self._query(
            "SELECT number, parent, user, source, time, comment FROM versions"
            " ORDER BY number DESC LIMIT ?",
            (limit,),
        )
        return [VersionInfo(*r) for r in rows]  # type: ignore[arg-type]

    def confirmation(self) -> Confirmation | None:
        """The confirmed commit waiting for its confirmation, if any."""
        rows = self._query("SELECT version, previous, deadline, user FROM confirmations")
        return Confirmation(*rows[0]) if rows else None  # type: ignore[arg-type]

    def confirm(self, user: str) -> Confirmation | None:
        """`user`'s plain commit confirms their waiting confirmed commit; returns it."""
        with self._lock:
            pending = self.confirmation()
            if pending is None or pending.user != user:
                return None
            cursor = self._db.execute("DELETE FROM confirmations WHERE version = ?",
                                      (pending.version,))
        return pending if cursor.rowcount else None

    def settle(self, version: int) -> bool:
        """End `version`'s wait without writing; False if it was no longer waiting."""
        with self._lock:
            cursor = self._db.execute("DELETE FROM confirmations WHERE version = ?", (version,))
        return cursor.rowcount > 0

    def write(
        self, config: Config, parent: int | None, user: str, source: str, comment: str,
        *, confirm_until: float | None = None, settles: int | None = None,
    ) -> VersionInfo:
        """Write version head+1 in one transaction; refuse if the head is not `parent`.

        The same transaction confirms `user`'s waiting confirmed commit, and with
        `confirm_until` records this version as waiting (ConfirmationPending if one
        already waits). `settles` (the automatic rollback) requires that version's
        confirmation row to still be there and deletes it, so a confirmation that
        arrives first wins and nothing is rolled back twice.
        """
        document = model.encode(config)
        now = time.time()
        row = (user, source, now, comment, document)
        with self._lock:
            number = self._insert(row, parent, confirm_until, settles)
        self._cache[number] = config
        for callback in list(self._listeners):
            callback(number)
        return VersionInfo(number, parent, user, source, now, comment)

    def _insert(
        self, row: tuple[str, str, float, str, bytes], parent: int | None,
        confirm_until: float | None, settles: int | None,
    ) -> int:
        try:
            self._db.execute("BEGIN IMMEDIATE")
            head = self.head_number()
            if head != (parent or 0):
                raise StoreError(messages.HEAD_MOVED(expected=parent, found=head))
            number = head + 1
            self._db.execute("INSERT INTO versions VALUES (?, ?, ?, ?, ?, ?, ?)",
                             (number, parent, *row))
            self._confirmations(number, head, row[0], confirm_until, settles)
            self._db.execute("COMMIT")
        except BaseException:
            if self._db.in_transaction:
                self._db.execute("ROLLBACK")
            raise
        return number

    def _confirmations(
        self, number: int, head: int, user: str, until: float | None, settles: int | None
    ) -> None:
        """The confirmation rows' part of a write (inside its transaction)."""
        pending = self.confirmation()
        if until is not None and pending is not None:
            raise ConfirmationPending(pending.version, pending.user, pending.deadline)
        if settles is not None:
            if pending is None or pending.version != settles:
                raise StoreError(messages.NOT_WAITING(number=settles))
            self._db.execute("DELETE FROM confirmations WHERE version = ?", (settles,))
        elif pending is not None and pending.user == user:
            self._db.execute("DELETE FROM confirmations WHERE version = ?", (pending.version,))
        if until is not None:
            self._db.execute("INSERT INTO confirmations VALUES (?, ?, ?, ?)",
                             (number, head, until, user))
