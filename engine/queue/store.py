"""Durable per-recipient queue state in SQLite (`<data>/queue/queue.db`).

The spool files (engine/spool.py) are the durable input; this database records,
per message and recipient, what became of it. Every change is one transaction
with synchronous=FULL in WAL mode, so a recipient is marked delivered in the
same step the remote 250 is learnt: a crash can only fall in the one-fsync
window between the remote 250 and our commit (then the message may be sent
again once; nothing is ever lost).

Statuses: queued (to try at `next_attempt`), delivered, bounced, dropped
(/dev/null route). A message row is `done` once every recipient is final; its
spool file is removed after that is committed.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from state import files

QUEUED, DELIVERED, BOUNCED, DROPPED = "queued", "delivered", "bounced", "dropped"
FINAL = (DELIVERED, BOUNCED, DROPPED)
DCID_BLOCK = 100

_SCHEMA = """
CREATE TABLE IF NOT EXISTS messages (
    mid INTEGER PRIMARY KEY, sender TEXT NOT NULL, arrived REAL NOT NULL,
    size INTEGER NOT NULL, path TEXT NOT NULL, done INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE IF NOT EXISTS recipients (
    mid INTEGER NOT NULL, rid INTEGER NOT NULL, address TEXT NOT NULL, domain TEXT NOT NULL,
    status TEXT NOT NULL, attempts INTEGER NOT NULL DEFAULT 0, next_attempt REAL NOT NULL,
    reason TEXT NOT NULL DEFAULT '', PRIMARY KEY (mid, rid)
);
CREATE INDEX IF NOT EXISTS due ON recipients (status, next_attempt);
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value INTEGER NOT NULL);
"""


@dataclass(frozen=True)
class QueueSummary:
    """The whole queue in numbers, for `status` (engine/status.py): lifetime counts of
    recipients by status, deferrals so far (soft bounce events), and the work queue."""

    by_status: dict[str, int]
    deferrals: int
    messages: int  # messages not done yet
    oldest: float | None  # arrival time of the oldest of them


@dataclass(frozen=True)
class Recipient:
    mid: int
    rid: int
    address: str
    domain: str
    attempts: int
    sender: str
    arrived: float
    path: str


def domain_of(address: str) -> str:
    return address.rpartition("@")[2].strip().lower().rstrip(".")


class QueueStore:
    """Thread-safe: every method takes the lock; callers run it off the event loop."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        files.private_dir(self.path.parent)
        files.private_file(self.path)  # 0600; SQLite gives -wal and -shm the same mode
        self._lock = threading.Lock()
        self._db = sqlite3.connect(self.path, check_same_thread=False, isolation_level=None)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=FULL")
        self._db.executescript(_SCHEMA)
        self._dcid_next, self._dcid_reserved = 0, 0

    def close(self) -> None:
        with self._lock:
            self._db.close()

    def _tx(self, statements: Iterable[tuple[str, tuple[object, ...]]]) -> None:
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                for sql, args in statements:
                    self._db.execute(sql, args)
                self._db.execute("COMMIT")
            except BaseException:
                self._db.execute("ROLLBACK")
                raise

    def known_mids(self) -> dict[int, bool]:
        """Every message taken in so far -> whether it is done."""
        with self._lock:
            return {row[0]: bool(row[1]) for row in self._db.execute("SELECT mid, done FROM messages")}

    def add_message(
        self, mid: int, sender: str, arrived: float, size: int, path: str,
        recipients: tuple[str, ...], now: float,
    ) -> None:
        rows: list[tuple[str, tuple[object, ...]]] = [(
            "INSERT OR IGNORE INTO messages (mid, sender, arrived, size, path) VALUES (?,?,?,?,?)",
            (mid, sender, arrived, size, path),
        )]
        for rid, address in enumerate(recipients):
            rows.append((
                ("INSERT OR IGNORE INTO recipients (mid, rid, address, domain, status, next_attempt)"
                " VALUES (?,?,?,?,?,?)"),
                (mid, rid, address, domain_of(address), QUEUED, now),
            ))
        self._tx(rows)

    def due(self, now: float) -> list[Recipient]:
        """Queued recipients whose time has come, oldest message first."""
        with self._lock:
            rows = self._db.execute(
                "SELECT r.mid, r.rid, r.address, r.domain, r.attempts, m.sender, m.arrived, m.path"
                " FROM recipients r JOIN messages m ON m.mid = r.mid"
                " WHERE r.status = ? AND r.next_attempt <= ? ORDER BY r.mid, r.rid",
                (QUEUED, now),
            ).fetchall()
        return [Recipient(*row) for row in rows]

    def set_final(self, mid: int, rids: Iterable[int], status: str, reason: str) -> None:
        """Mark recipients delivered / bounced / dropped: one transaction, fsynced."""
        self._tx(
            ("UPDATE recipients SET status = ?, reason = ? WHERE mid = ? AND rid = ?",
             (status, reason, mid, rid))
            for rid in rids
        )

    def defer(self, mid: int, rids: Iterable[int], next_attempt: float, reason: str) -> None:
        self._tx(
            (("UPDATE recipients SET attempts = attempts + 1, next_attempt = ?, reason = ?"
             " WHERE mid = ? AND rid = ? AND status = ?"),
             (next_attempt, reason, mid, rid, QUEUED))
            for rid in rids
        )

    def attempts(self, mid: int, rid: int) -> int:
        with self._lock:
            row = self._db.execute(
                "SELECT attempts FROM recipients WHERE mid = ? AND rid = ?", (mid, rid)
            ).fetchone()
        return int(row[0]) if row else 0

    def finished_messages(self) -> list[tuple[int, str]]:
        """(mid, spool path) of messages not yet marked done whose recipients are all final."""
        with self._lock:
            return self._db.execute(
                "SELECT m.mid, m.path FROM messages m WHERE m.done = 0 AND NOT EXISTS"
                " (SELECT 1 FROM recipients r WHERE r.mid = m.mid AND r.status = ?)",
                (QUEUED,),
            ).fetchall()

    def mark_done(self, mid: int) -> None:
        self._tx([("UPDATE messages SET done = 1 WHERE mid = ?", (mid,))])

    def statuses(self, mid: int) -> dict[str, str]:
        with self._lock:
            rows = self._db.execute(
                "SELECT address, status FROM recipients WHERE mid = ? ORDER BY rid", (mid,)
            ).fetchall()
        return dict(rows)

    def summary(self) -> QueueSummary:
        with self._lock:
            rows = self._db.execute(
                "SELECT status, COUNT(*), COALESCE(SUM(attempts), 0) FROM recipients"
                " GROUP BY status"
            ).fetchall()
            messages, oldest = self._db.execute(
                "SELECT COUNT(*), MIN(arrived) FROM messages WHERE done = 0"
            ).fetchone()
        return QueueSummary(
            {status: int(n) for status, n, _ in rows}, sum(int(a) for _, _, a in rows),
            int(messages), oldest,
        )

    def next_dcid(self) -> int:
        """Delivery connection IDs never repeat: blocks are reserved durably."""
        if self._dcid_next >= self._dcid_reserved:
            with self._lock:
                row = self._db.execute("SELECT value FROM meta WHERE key = 'dcid'").fetchone()
            start = int(row[0]) if row else 1
            self._tx([(
                "INSERT OR REPLACE INTO meta (key, value) VALUES ('dcid', ?)",
                (start + DCID_BLOCK,),
            )])
            self._dcid_next, self._dcid_reserved = start, start + DCID_BLOCK
        value = self._dcid_next
        self._dcid_next += 1
        return value
