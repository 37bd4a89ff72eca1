"""The queue as the administrator sees it: a small read/act API on `<data>/queue/queue.db`
for processes other than the engine (the shell's `showrecipients`, `tophosts`,
`delivernow`).

Safe while the engine runs: each call opens its own short-lived connection (WAL lets
readers run beside the engine's writer; the busy timeout waits out its short
transactions), and the one write, `deliver_now`, is a single UPDATE. The running
engine reads due recipients from the database at every poll (manager.py keeps no due
times in memory), so a recipient made due here is picked up at its next poll without
any signal. A data dir whose engine never ran has no database: the queue is empty,
and nothing is created.

Nothing here relaxes delivery: `deliver_now` moves the next attempt to the present and
touches nothing else (attempt counts, statuses, reasons, the retry backoff that follows
the next failure, TLS policy, rate limits are the engine's and stay as they are).
`request` only records what the administrator asked of queued recipients (delete,
bounce, redirect): the engine carries it out (engine/queue/requests.py).
"""

from __future__ import annotations

import contextlib
import sqlite3
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from engine.errors import QueueUnavailable
from engine.queue import hosts
from engine.queue.hosts import HostState
from engine.queue.store import ACTIONS, QUEUED, domain_of

BUSY_TIMEOUT = 5.0  # seconds to wait for the engine's write transaction to end
DEFAULT_LIMIT = 1000  # a listing is for reading; a huge queue is summarised by top_domains
TOP_LIMIT = 20  # the appliance's tophosts shows the top 20
TOP_KEYS = ("active", "delivered", "hard_bounced", "soft_bounced")


def queue_db(data_dir: Path) -> Path:
    """Where the engine keeps its queue (engine/queue/manager.py)."""
    return Path(data_dir) / "queue" / "queue.db"


@dataclass(frozen=True)
class QueuedRecipient:
    mid: int
    rid: int
    address: str
    domain: str
    status: str  # the store's status: queued, delivered, bounced, dropped
    attempts: int  # delivery attempts that ended in a temporary failure
    next_attempt: float
    reason: str  # the last temporary failure (queued) or the final outcome
    sender: str
    size: int
    arrived: float
    age: float  # seconds since the message arrived, at the time of the listing

    def deferred(self, now: float) -> bool:
        """Waiting for its retry time (a due recipient is being, or about to be, tried)."""
        return self.status == QUEUED and self.next_attempt > now


@dataclass(frozen=True)
class DomainLoad:
    """One destination domain, as `tophosts` shows it (counts over the queue's records)."""

    domain: str
    active: int  # recipients still in the queue
    delivered: int
    hard_bounced: int
    soft_bounced: int  # temporary failures (deferrals) so far
    oldest_age: float | None  # age of the oldest message with an active recipient


def _recipient(row: tuple[Any, ...], now: float) -> QueuedRecipient:
    mid, rid, address, domain, status, attempts, next_attempt, reason, sender, size, arrived = row
    return QueuedRecipient(
        mid, rid, address, domain, status, attempts, next_attempt, reason, sender, size, arrived,
        age=max(0.0, now - arrived),
    )


_SELECT = (
    "SELECT r.mid, r.rid, r.address, r.domain, r.status, r.attempts, r.next_attempt, r.reason,"
    " m.sender, m.size, m.arrived FROM recipients r JOIN messages m ON m.mid = r.mid"
)

_TOP = (
    "SELECT r.domain,"
    " SUM(r.status = 'queued'), SUM(r.status = 'delivered'), SUM(r.status = 'bounced'),"
    " SUM(r.attempts), MIN(CASE WHEN r.status = 'queued' THEN m.arrived END)"
    " FROM recipients r JOIN messages m ON m.mid = r.mid GROUP BY r.domain"
)


class QueueAdmin:
    """Opened on a data dir; `clock` is the present for ages and for `deliver_now`
    (the engine's clock, injectable so tests can keep it still)."""

    def __init__(self, data_dir: Path, clock: Callable[[], float] = time.time) -> None:
        self.path = queue_db(data_dir)
        self.clock = clock

    @contextlib.contextmanager
    def _db(self) -> Iterator[sqlite3.Connection]:
        """A short-lived connection; database errors become QueueUnavailable."""
        try:
            # mode=rw: never create a database (or its directory) the engine has not made.
            db = sqlite3.connect(
                f"file:{self.path}?mode=rw", uri=True, timeout=BUSY_TIMEOUT, isolation_level=None
            )
            try:
                yield db
            finally:
                db.close()
        except sqlite3.Error as exc:  # locked past the timeout, damaged, unreadable
            raise QueueUnavailable(f"{self.path}: {exc}") from exc

    def _rows(self, sql: str, args: Sequence[object] = ()) -> list[tuple[Any, ...]]:
        if not self.path.exists():  # the engine never ran here: an empty queue
            return []
        with self._db() as db:
            return db.execute(sql, tuple(args)).fetchall()

    def _write(self, sql: str, args: Sequence[object]) -> int:
        if not self.path.exists():
            return 0
        with self._db() as db:
            db.execute("PRAGMA synchronous=FULL")  # durable once we report it done
            return db.execute(sql, tuple(args)).rowcount

    def recipients(
        self,
        domain: str | None = None,
        status: str | None = None,
        limit: int = DEFAULT_LIMIT,
        sender: str | None = None,
        case_sensitive: bool = False,
    ) -> list[QueuedRecipient]:
        """Recipients oldest message first; `status=None` is every status (the shell asks
        for QUEUED: what is still in the queue). `sender` matches the envelope sender
        exactly (case-insensitively unless `case_sensitive`)."""
        where: list[str] = ["1"]
        args: list[object] = []
        if domain is not None:
            where.append("r.domain = ?")
            args.append(domain_of("@" + domain))
        if status is not None:
            where.append("r.status = ?")
            args.append(status)
        if sender is not None:
            where.append("m.sender = ?" if case_sensitive else "m.sender = ? COLLATE NOCASE")
            args.append(sender)
        sql = f"{_SELECT} WHERE {' AND '.join(where)} ORDER BY r.mid, r.rid LIMIT ?"
        rows = self._rows(sql, (*args, max(0, limit)))
        now = self.clock()
        return [_recipient(row, now) for row in rows]

    def top_domains(self, by: str = "active", limit: int = TOP_LIMIT) -> list[DomainLoad]:
        """Destination domains by `by` (a count field of DomainLoad: active, delivered,
        hard_bounced, soft_bounced), highest first, then the oldest active message, then
        the name, so the order is stable. Domains with nothing to count are left out."""
        if by not in TOP_KEYS:
            raise ValueError(f"top_domains: cannot sort by {by!r}")
        rows = self._rows(_TOP)
        now = self.clock()
        loads = [
            DomainLoad(domain, int(active), int(delivered), int(bounced), int(soft),
                       None if oldest is None else max(0.0, now - oldest))
            for domain, active, delivered, bounced, soft, oldest in rows
        ]
        loads = [d for d in loads if getattr(d, by)]
        loads.sort(key=lambda d: (-getattr(d, by), -(d.oldest_age or 0.0), d.domain))
        return loads[: max(0, limit)]

    def domain_load(self, domain: str) -> DomainLoad:
        """One destination domain's counts (hoststatus), zeros when it has none."""
        key = domain_of("@" + domain)
        sql = _TOP.replace(" GROUP BY r.domain", " WHERE r.domain = ? GROUP BY r.domain")
        rows = self._rows(sql, (key,))
        if not rows:
            return DomainLoad(key, 0, 0, 0, 0, None)
        _, active, delivered, bounced, soft, oldest = rows[0]
        age = None if oldest is None else max(0.0, self.clock() - oldest)
        return DomainLoad(key, int(active), int(delivered), int(bounced), int(soft), age)

    def host(self, domain: str, since: float) -> HostState:
        """What delivery saw of `domain` (engine/queue/hosts.py), connection attempts
        counted from `since`. Failures recorded before that table existed (an older
        release's queue) still give the last error, by MID: the best they can tell."""
        if not self.path.exists():
            return hosts.NO_STATE
        key = domain_of("@" + domain)
        with self._db() as db:
            found = hosts.state(db, key, since)
            if found.error:
                return found
            older = db.execute(
                "SELECT reason FROM recipients WHERE domain = ? AND reason != ''"
                " AND status IN ('queued', 'bounced') ORDER BY mid DESC, rid DESC LIMIT 1",
                (key,)).fetchone()
        return replace(found, error=str(older[0])) if older else found

    def deliver_now(self, domain: str | None = None) -> int:
        """Make every deferred recipient (of `domain`, or all) due now; returns how many.

        Only the next-attempt time changes, and only for recipients still queued whose
        time lies in the future: one in delivery right now (due already) is untouched.
        """
        now = self.clock()
        sql = "UPDATE recipients SET next_attempt = ? WHERE status = ? AND next_attempt > ?"
        args: list[object] = [now, QUEUED, now]
        if domain is not None:
            sql += " AND domain = ?"
            args.append(domain_of("@" + domain))
        return self._write(sql, args)


    def _filter(self, domain: str | None, sender: str | None) -> tuple[str, list[object]]:
        where: list[str] = ["r.status = ?"]
        args: list[object] = [QUEUED]
        if domain is not None:
            where.append("r.domain = ?")
            args.append(domain_of("@" + domain))
        if sender is not None:
            where.append("m.sender = ? COLLATE NOCASE")
            args.append(sender)
        return " AND ".join(where), args

    def matching(self, domain: str | None = None, sender: str | None = None) -> int:
        """How many queued recipients (of `domain`, from `sender`, or all) there are."""
        where, args = self._filter(domain, sender)
        rows = self._rows(f"SELECT COUNT(*) FROM recipients r JOIN messages m ON m.mid = r.mid"
                          f" WHERE {where}", args)
        return int(rows[0][0]) if rows else 0

    def request(self, action: str, domain: str | None = None, sender: str | None = None,
                target: str = "") -> int:
        """Ask the engine to `action` (delete, bounce, redirect to `target`) every queued
        recipient of `domain`, from `sender`, or all; returns how many were asked for."""
        if action not in ACTIONS:
            raise ValueError(f"request: no action {action!r}")
        where, args = self._filter(domain, sender)
        sql = ("INSERT INTO requests (action, mid, rid, target) SELECT ?, r.mid, r.rid, ?"
               f" FROM recipients r JOIN messages m ON m.mid = r.mid WHERE {where}"
               " ORDER BY r.mid, r.rid")
        return self._write(sql, [action, target, *args])
