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

from state import model
from state.errors import StoreError
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
"""


@dataclass(frozen=True)
class VersionInfo:
    number: int
    parent: int | None
    user: str
    source: str
    time: float
    comment: str


class Store:
    """One store per data dir; safe to open from several processes at once."""

    def __init__(self, data_dir: Path) -> None:
        self.data_dir = Path(data_dir)
        self.data_dir.mkdir(parents=True, exist_ok=True)
        self.path = self.data_dir / "config.db"
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
            raise StoreError(f"no configuration version {number}")
        config = model.decode(rows[0][0])  # type: ignore[arg-type]
        self._cache[number] = config
        return config

    def info(self, number: int) -> VersionInfo:
        rows = self._query(
            "SELECT number, parent, user, source, time, comment FROM versions WHERE number = ?",
            (number,),
        )
        if not rows:
            raise StoreError(f"no configuration version {number}")
        return VersionInfo(*rows[0])  # type: ignore[arg-type]

    def history(self, limit: int = 10) -> list[VersionInfo]:
        rows = self._query(
            "SELECT number, parent, user, source, time, comment FROM versions"
            " ORDER BY number DESC LIMIT ?",
            (limit,),
        )
        return [VersionInfo(*r) for r in rows]  # type: ignore[arg-type]

    def write(
        self, config: Config, parent: int | None, user: str, source: str, comment: str
    ) -> VersionInfo:
        """Write version head+1 in one transaction; refuse if the head is not `parent`."""
        document = model.encode(config)
        now = time.time()
        with self._lock:
            number = self._insert(document, parent, user, source, now, comment)
        self._cache[number] = config
        for callback in list(self._listeners):
            callback(number)
        return VersionInfo(number, parent, user, source, now, comment)

    def _insert(
        self, document: bytes, parent: int | None, user: str, source: str, now: float, comment: str
    ) -> int:
        try:
            self._db.execute("BEGIN IMMEDIATE")
            head = self.head_number()
            if head != (parent or 0):
                raise StoreError(f"head moved: expected {parent}, found {head}")
            number = head + 1
            self._db.execute(
                "INSERT INTO versions VALUES (?, ?, ?, ?, ?, ?, ?)",
                (number, parent, user, source, now, comment, document),
            )
            self._db.execute("COMMIT")
        except BaseException:
            if self._db.in_transaction:
                self._db.execute("ROLLBACK")
            raise
        return number
