"""Durable per-recipient queue state in SQLite (`<data>/queue/queue.db`).

The spool files (engine/spool.py) hold the content; this database records, per
message and recipient, the envelope and what became of it, and is the index the
queue works from: due recipients are found through `due_domain` (status, next
attempt, domain), so a poll costs what is due, not what is queued.

Writes (writer.py) are committed at once, in the event-loop step that learnt the
result and before the next command on that connection, and fsynced in groups
behind. So a crash of the process can only fall between the remote 250 and our
reading it; a power loss, also before the next group fsync (then the message may
be sent again once; nothing is ever lost).
Reads use a connection of their own and never wait for a commit.

A message's `flags` (engine/messageflags.py: REQUIRETLS, TLS-Required: No, a report of
ours) are kept with its envelope; a database from before them gets the column at open.

Statuses: queued (to try at `next_attempt`), delivered, bounced, dropped
(/dev/null route). A message row is `done` once every recipient is final, in the
same transaction as its last result; its spool file is removed after that.
"""

from __future__ import annotations

import asyncio
import logging
import sqlite3
import threading
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from engine.queue import hosts
from engine.queue.writer import Action, Writer, connect
from state import files

QUEUED, DELIVERED, BOUNCED, DROPPED = "queued", "delivered", "bounced", "dropped"
FINAL = (DELIVERED, BOUNCED, DROPPED)
# what the administrator may ask of a queued recipient (engine/queue/requests.py)
DELETE, BOUNCE, REDIRECT = "delete", "bounce", "redirect"
ACTIONS = (DELETE, BOUNCE, REDIRECT)
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
DROP INDEX IF EXISTS due;
CREATE INDEX IF NOT EXISTS due_domain ON recipients (status, next_attempt, domain);
CREATE INDEX IF NOT EXISTS open_messages ON messages (done, arrived);
-- messages received together share a file (engine/spool.py): removed with the last
CREATE INDEX IF NOT EXISTS by_path ON messages (path, done);
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value INTEGER NOT NULL);
-- what the administrator asked of queued recipients (engine/queue/requests.py)
CREATE TABLE IF NOT EXISTS requests (
    id INTEGER PRIMARY KEY, action TEXT NOT NULL, mid INTEGER NOT NULL, rid INTEGER NOT NULL,
    target TEXT NOT NULL DEFAULT ''
);
CREATE INDEX IF NOT EXISTS requests_by_mid ON requests (mid);
"""

# whether a message not done yet is in a spool file (a shared one is removed with its last)
_REFERENCED = "SELECT 1 FROM messages INDEXED BY by_path WHERE path = ? AND done = 0 LIMIT 1"
_FINISH = (
    "UPDATE messages SET done = 1 WHERE mid = ? AND done = 0 AND NOT EXISTS"
    " (SELECT 1 FROM recipients r WHERE r.mid = ? AND r.status = 'queued')"
)

log = logging.getLogger(__name__)


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
    size: int
    flags: str = ""  # engine/messageflags.Flags, encoded


@dataclass(frozen=True)
class NewMessage:
    """A spooled message as the queue takes it in."""

    mid: int
    sender: str
    arrived: float
    size: int
    path: str
    recipients: tuple[str, ...]
    flags: str = ""


@dataclass(frozen=True)
class Envelope:
    """What a bounce needs to know of a message."""

    mid: int
    sender: str
    arrived: float
    path: str
    addresses: dict[int, str]  # rid -> recipient
    flags: str = ""


@dataclass(frozen=True)
class Done:
    """A message all of whose recipients are final, and whether its spool file goes with
    it (no other message in that file is still to be done: the last one removes it)."""

    path: str
    last: bool


@dataclass(frozen=True)
class Outcome:
    """One recipient's result: a final status, or QUEUED to retry at `next_attempt`."""

    status: str
    reason: str
    next_attempt: float = 0.0


def domain_of(address: str) -> str:
    return address.rpartition("@")[2].strip().lower().rstrip(".")


def _insert(db: sqlite3.Connection, messages: Sequence[NewMessage], now: float) -> None:
    db.executemany(
        "INSERT OR IGNORE INTO messages (mid, sender, arrived, size, path, flags)"
        " VALUES (?,?,?,?,?,?)",
        [(m.mid, m.sender, m.arrived, m.size, m.path, m.flags) for m in messages],
    )
    db.executemany(
        "INSERT OR IGNORE INTO recipients (mid, rid, address, domain, status, next_attempt)"
        " VALUES (?,?,?,?,?,?)",
        [(m.mid, rid, address, domain_of(address), QUEUED, now)
         for m in messages for rid, address in enumerate(m.recipients)],
    )


def _referenced(db: sqlite3.Connection, path: str) -> bool:
    return db.execute(_REFERENCED, (path,)).fetchone() is not None


def _record(db: sqlite3.Connection, mid: int, outcomes: dict[int, Outcome]) -> Done | None:
    """Apply one message's results; Done if that made the message done."""
    for rid, outcome in outcomes.items():
        if outcome.status == QUEUED:
            db.execute(
                "UPDATE recipients SET attempts = attempts + 1, next_attempt = ?, reason = ?"
                " WHERE mid = ? AND rid = ? AND status = ?",
                (outcome.next_attempt, outcome.reason, mid, rid, QUEUED),
            )
        else:
            db.execute(
                "UPDATE recipients SET status = ?, reason = ? WHERE mid = ? AND rid = ?",
                (outcome.status, outcome.reason, mid, rid),
            )
        if outcome.reason and outcome.status in (QUEUED, BOUNCED):
            hosts.failure(db, mid, rid, outcome.reason)
    if db.execute(_FINISH, (mid, mid)).rowcount != 1:
        return None
    path = str(db.execute("SELECT path FROM messages WHERE mid = ?", (mid,)).fetchone()[0])
    return Done(path, not _referenced(db, path))


def _finish_all(db: sqlite3.Connection) -> list[tuple[int, Done]]:
    rows = db.execute(
        "SELECT m.mid, m.path FROM messages m WHERE m.done = 0 AND NOT EXISTS"
        " (SELECT 1 FROM recipients r WHERE r.mid = m.mid AND r.status = ?)",
        (QUEUED,),
    ).fetchall()
    db.executemany("UPDATE messages SET done = 1 WHERE mid = ?", [(mid,) for mid, _ in rows])
    return [(int(mid), Done(str(path), not _referenced(db, str(path)))) for mid, path in rows]


class QueueStore:
    """`take_in` and `record` commit at once, for the event loop; what must wait for
    the fsync behind them (writer.py) goes to `after_sync` or awaits `synced`. The
    other writes commit and fsync before they return. Reads use their own connection
    under the read lock; callers run them off the event loop."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        files.private_dir(self.path.parent)
        files.private_file(self.path)  # 0600; SQLite gives -wal and -shm the same mode
        self.writer = Writer(self.path)
        self.writer.db.executescript(_SCHEMA + hosts.SCHEMA)
        _add_flags(self.writer.db)
        self._read_lock = threading.Lock()
        self._reader = connect(self.path)
        self._dcid_next, self._dcid_reserved = 0, 0

    def close(self) -> None:
        self.writer.close()
        with self._read_lock:
            self._reader.close()

    def _read(self, sql: str, args: tuple[object, ...] = ()) -> list[tuple[Any, ...]]:
        with self._read_lock:
            return self._reader.execute(sql, args).fetchall()

    # -- writes -------------------------------------------------------------
    def take_in(self, messages: Sequence[NewMessage], now: float) -> None:
        """Take messages in, every recipient due at `now`, in one transaction (written
        now; `synced` says when it is fsynced)."""
        batch = list(messages)
        self.writer.commit(lambda db: _insert(db, batch, now))

    def record(self, mid: int, outcomes: dict[int, Outcome]) -> Done | None:
        """Record one message's results now; Done if that made it done (remove its file,
        if it is the last in it, only `after_sync`), else None."""
        results = dict(outcomes)
        return self.writer.commit(lambda db: _record(db, mid, results))

    def connection(self, domain: str, up: bool, when: float) -> None:
        """A delivery connection attempt to `domain` (for hoststatus), written now; a
        failure to write it is logged, never the delivery's (it only shows status)."""
        try:
            self.writer.commit(lambda db: hosts.connection(db, domain, up, when))
        except sqlite3.Error as exc:
            log.warning("hoststatus: the connection attempt to %s is not recorded: %s",
                        domain, exc)

    def after_sync(self, action: Action) -> None:
        self.writer.after_sync(action)

    def synced(self) -> asyncio.Future[None]:
        return self.writer.synced()

    # The same, fsynced before they return: for tools and tests.
    def add_messages(self, messages: Sequence[NewMessage], now: float) -> None:
        batch = list(messages)
        self.writer.run(lambda db: _insert(db, batch, now))

    def add_message(
        self, mid: int, sender: str, arrived: float, size: int, path: str,
        recipients: tuple[str, ...], now: float,
    ) -> None:
        self.add_messages([NewMessage(mid, sender, arrived, size, path, recipients)], now)

    def set_final(self, mid: int, rids: Iterable[int], status: str, reason: str) -> None:
        """Mark recipients delivered / bounced / dropped."""
        outcomes = {rid: Outcome(status, reason) for rid in rids}
        self.writer.run(lambda db: _record(db, mid, outcomes))

    def defer(self, mid: int, rids: Iterable[int], next_attempt: float, reason: str) -> None:
        outcomes = {rid: Outcome(QUEUED, reason, next_attempt) for rid in rids}
        self.writer.run(lambda db: _record(db, mid, outcomes))

    def finish_all(self) -> list[tuple[int, Done]]:
        """Mark done every message whose recipients are all final (left so by an older
        version, or a crash); (mid, spool path) of each. A start-up sweep, not a poll."""
        return self.writer.run(_finish_all)

    # -- reads --------------------------------------------------------------
    def known_mids(self) -> dict[int, bool]:
        """Every message taken in so far -> whether it is done."""
        return {int(mid): bool(done) for mid, done in self._read("SELECT mid, done FROM messages")}

    def due(self, now: float, limit: int = 5000, busy: Iterable[str] = ()) -> list[Recipient]:
        """Queued recipients whose time has come, longest waiting first, leaving out the
        domains in `busy` (their turn comes when their delivery ends)."""
        skip = sorted(busy)
        marks = ",".join("?" * len(skip))
        rows = self._read(
            "SELECT r.mid, r.rid, r.address, r.domain, r.attempts, m.sender, m.arrived, m.path,"
            " m.size, m.flags FROM recipients r INDEXED BY due_domain JOIN messages m"
            " ON m.mid = r.mid"
            f" WHERE r.status = ? AND r.next_attempt <= ? AND r.domain NOT IN ({marks})"
            " ORDER BY r.next_attempt LIMIT ?",
            (QUEUED, now, *skip, limit),
        )
        return [Recipient(*row) for row in rows]

    def envelope(self, mid: int) -> Envelope | None:
        head = self._read("SELECT sender, arrived, path, flags FROM messages WHERE mid = ?", (mid,))
        if not head:
            return None
        sender, arrived, path, flags = head[0]
        rows = self._read("SELECT rid, address FROM recipients WHERE mid = ?", (mid,))
        addresses = {int(rid): str(address) for rid, address in rows}
        return Envelope(mid, str(sender), float(arrived), str(path), addresses, str(flags))

    def requested(self, mid: int) -> bool:
        """Whether the administrator asked something of a recipient of `mid` that is not
        carried out yet (delivery then does not start it: engine/queue/requests.py)."""
        return bool(self._read("SELECT 1 FROM requests WHERE mid = ? LIMIT 1", (mid,)))

    def referenced(self, path: str) -> bool:
        """Whether a message not done yet is in spool file `path`."""
        return bool(self._read(_REFERENCED, (path,)))

    def attempts(self, mid: int, rid: int) -> int:
        rows = self._read("SELECT attempts FROM recipients WHERE mid = ? AND rid = ?", (mid, rid))
        return int(rows[0][0]) if rows else 0

    def statuses(self, mid: int) -> dict[str, str]:
        rows = self._read(
            "SELECT address, status FROM recipients WHERE mid = ? ORDER BY rid", (mid,)
        )
        return {str(address): str(status) for address, status in rows}

    def summary(self) -> QueueSummary:
        rows = self._read(
            "SELECT status, COUNT(*), COALESCE(SUM(attempts), 0) FROM recipients GROUP BY status"
        )
        [(messages, oldest)] = self._read(
            "SELECT COUNT(*), MIN(arrived) FROM messages WHERE done = 0"
        )
        return QueueSummary(
            {str(status): int(n) for status, n, _ in rows},
            sum(int(a) for _, _, a in rows), int(messages),
            None if oldest is None else float(oldest),
        )

    def next_dcid(self) -> int:
        """Delivery connection IDs never repeat: blocks are reserved durably."""
        if self._dcid_next >= self._dcid_reserved:
            self._dcid_next = self.writer.run(_reserve_dcids)
            self._dcid_reserved = self._dcid_next + DCID_BLOCK
        value = self._dcid_next
        self._dcid_next += 1
        return value


def _add_flags(db: sqlite3.Connection) -> None:
    """The flags column, in a database written before it existed (empty: plain messages)."""
    columns = {str(row[1]) for row in db.execute("PRAGMA table_info(messages)")}
    if "flags" not in columns:
        db.execute("ALTER TABLE messages ADD COLUMN flags TEXT NOT NULL DEFAULT ''")


def _reserve_dcids(db: sqlite3.Connection) -> int:
    row = db.execute("SELECT value FROM meta WHERE key = 'dcid'").fetchone()
    start = int(row[0]) if row else 1
    db.execute(
        "INSERT OR REPLACE INTO meta (key, value) VALUES ('dcid', ?)", (start + DCID_BLOCK,)
    )
    return start
