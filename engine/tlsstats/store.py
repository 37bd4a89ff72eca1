"""The TLS outcome store: `<data>/tlsstats.db` (SQLite, 0600; engine/privatedb.py).

Tables:
  events   one row per connection (ICID) or delivery attempt (DCID), for RAW_HOURS
  rollup   the same counted per hour (`span` "hour"), folded per UTC day ("day") once
           older than HOURLY_DAYS, dropped after `reporting.tls_stats_days`
  totals   lifetime counts by direction, TLS or not, and result type (for metrics: they
           only grow)
  best     per partner domain and direction, the strongest TLS seen (downgrade.py)
  meta     `raw_from`: events are complete from this time on (older ones were pruned)

A query over a time range counts the events themselves where they are complete and the
roll-ups before (see `rows`): exact for the last RAW_HOURS, to the hour for HOURLY_DAYS,
to the day before that. Every write of a batch is one transaction. The engine's
`Writer` is used by one thread; `Reader` opens the file read-write without creating it
(any process: the shell, the web console).
"""

from __future__ import annotations

import contextlib
import sqlite3
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from engine.privatedb import connect_private
from engine.tlsstats.events import Event, Outcome4
from state.model import TLSMode

FILE = "tlsstats.db"
HOUR, DAY = 3600, 86400
RAW_HOURS = 48
HOURLY_DAYS = 7
MAX_RAW = 200_000  # a flood of connections must not grow the file without bound
BUSY_TIMEOUT = 5.0

DIMS = ("direction", "domain", "peer", "listener", "sender_group", "level", "mechanism",
        "offered", "outcome", "result_type", "verify_result", "verified", "version")
_D = ", ".join(DIMS)
_COUNTS = "connections, messages_tls, messages_clear"
# Inbound roll-ups do not keep the client's address (`peer`): the raw rows read alike.
_RAW_DIMS = _D.replace("peer,", "CASE WHEN direction = 'out' THEN peer ELSE '' END AS peer,", 1)
SCHEMA = f"""
CREATE TABLE IF NOT EXISTS events (
    id INTEGER PRIMARY KEY, at REAL NOT NULL, conn_id INTEGER NOT NULL,
    direction TEXT NOT NULL, domain TEXT NOT NULL, peer TEXT NOT NULL, peer_ip TEXT NOT NULL,
    listener TEXT NOT NULL, sender_group TEXT NOT NULL, level TEXT NOT NULL,
    mechanism TEXT NOT NULL, offered INTEGER NOT NULL, outcome TEXT NOT NULL,
    reason TEXT NOT NULL, result_type TEXT NOT NULL, verify_result TEXT NOT NULL,
    verified INTEGER NOT NULL, matched_name TEXT NOT NULL, version TEXT NOT NULL,
    cipher TEXT NOT NULL, cert_name TEXT NOT NULL,
    messages_tls INTEGER NOT NULL, messages_clear INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS events_at ON events (at);
CREATE INDEX IF NOT EXISTS events_domain ON events (direction, domain, at);
CREATE TABLE IF NOT EXISTS rollup (
    span TEXT NOT NULL, bucket INTEGER NOT NULL,
    direction TEXT NOT NULL, domain TEXT NOT NULL, peer TEXT NOT NULL, listener TEXT NOT NULL,
    sender_group TEXT NOT NULL, level TEXT NOT NULL, mechanism TEXT NOT NULL,
    offered INTEGER NOT NULL, outcome TEXT NOT NULL, result_type TEXT NOT NULL,
    verify_result TEXT NOT NULL, verified INTEGER NOT NULL, version TEXT NOT NULL,
    connections INTEGER NOT NULL, messages_tls INTEGER NOT NULL, messages_clear INTEGER NOT NULL,
    PRIMARY KEY (span, bucket, {_D})
);
CREATE TABLE IF NOT EXISTS totals (
    direction TEXT NOT NULL, tls INTEGER NOT NULL, result_type TEXT NOT NULL,
    connections INTEGER NOT NULL, messages INTEGER NOT NULL,
    PRIMARY KEY (direction, tls, result_type)
);
CREATE TABLE IF NOT EXISTS best (
    direction TEXT NOT NULL, domain TEXT NOT NULL, tls INTEGER NOT NULL,
    verified INTEGER NOT NULL, version TEXT NOT NULL, seen REAL NOT NULL,
    alerted REAL NOT NULL, PRIMARY KEY (direction, domain)
);
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value REAL NOT NULL);
"""


def path_in(data_dir: Path) -> Path:
    return Path(data_dir) / FILE


@dataclass(frozen=True)
class Row:
    """Counts for one combination of DIMS over some time (a report's raw material)."""

    direction: str
    domain: str
    peer: str
    listener: str
    sender_group: str
    level: TLSMode
    mechanism: str
    offered: bool
    outcome: Outcome4
    result_type: str
    verify_result: str
    verified: bool
    version: str
    connections: int
    messages_tls: int
    messages_clear: int

    @property
    def tls(self) -> bool:
        return self.outcome is Outcome4.TLS

    @property
    def attempted(self) -> bool:
        return self.outcome is not Outcome4.CLEAR


def _row(values: Sequence[Any]) -> Row:
    d, dom, peer, li, sg, level, mech, off, out, rt, vr, ver, vers, n, mt, mc = values
    return Row(str(d), str(dom), str(peer), str(li), str(sg), TLSMode(level), str(mech),
               bool(off), Outcome4(out), str(rt), str(vr), bool(ver), str(vers), int(n),
               int(mt), int(mc))


def floor(when: float, span: int) -> int:
    return int(when // span) * span


def dims_of(event: Event) -> tuple[object, ...]:
    return (event.direction, event.domain, event.peer if event.direction == "out" else "",
            event.listener, event.sender_group, event.level.value, event.mechanism,
            int(event.offered), event.outcome.value, event.result_type, event.verify_result,
            int(event.verified), event.version)


_INSERT_EVENT = (
    "INSERT INTO events (at, conn_id, direction, domain, peer, peer_ip, listener, sender_group,"
    " level, mechanism, offered, outcome, reason, result_type, verify_result, verified,"
    " matched_name, version, cipher, cert_name, messages_tls, messages_clear)"
    " VALUES (" + ", ".join("?" * 22) + ")"
)
_UPSERT_ROLLUP = (
    f"INSERT INTO rollup (span, bucket, {_D}, {_COUNTS}) VALUES ({', '.join('?' * 18)})"
    f" ON CONFLICT (span, bucket, {_D}) DO UPDATE SET connections = connections +"
    " excluded.connections, messages_tls = messages_tls + excluded.messages_tls,"
    " messages_clear = messages_clear + excluded.messages_clear"
)
_UPSERT_TOTAL = (
    "INSERT INTO totals VALUES (?, ?, ?, 1, ?) ON CONFLICT (direction, tls, result_type)"
    " DO UPDATE SET connections = connections + 1, messages = messages + excluded.messages"
)


def _event_values(e: Event) -> tuple[object, ...]:
    return (e.when, e.conn_id, e.direction, e.domain, e.peer, e.peer_ip, e.listener,
            e.sender_group, e.level.value, e.mechanism, int(e.offered), e.outcome.value,
            e.reason, e.result_type, e.verify_result, int(e.verified), e.matched_name,
            e.version, e.cipher, e.cert_name, e.messages_tls, e.messages_clear)


class Writer:
    """The engine's connection; one thread uses it (the recorder's)."""

    def __init__(self, path: Path) -> None:
        self.db = connect_private(Path(path), SCHEMA)
        self.db.execute("PRAGMA synchronous=NORMAL")  # statistics: a crash may lose a batch

    def close(self) -> None:
        self.db.close()

    @contextlib.contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        self.db.execute("BEGIN IMMEDIATE")
        try:
            yield self.db
        except BaseException:
            self.db.execute("ROLLBACK")
            raise
        self.db.execute("COMMIT")

    def write(self, db: sqlite3.Connection, events: Sequence[Event]) -> None:
        """Inside `transaction`: the events, their hourly counts and the totals."""
        db.executemany(_INSERT_EVENT, [_event_values(e) for e in events])
        db.executemany(_UPSERT_ROLLUP, [
            ("hour", floor(e.when, HOUR), *dims_of(e), 1, e.messages_tls, e.messages_clear)
            for e in events])
        db.executemany(_UPSERT_TOTAL, [
            (e.direction, int(e.tls), e.result_type, e.messages_tls + e.messages_clear)
            for e in events])

    def maintain(self, now: float, keep_days: int) -> None:
        """Fold old hours into days, drop what is past its time, keep the raw rows bounded."""
        fold_before = floor(now, DAY) - HOURLY_DAYS * DAY
        raw_before = floor(now, HOUR) - RAW_HOURS * HOUR
        with self.transaction() as db:
            db.execute(
                f"INSERT INTO rollup (span, bucket, {_D}, {_COUNTS})"
                f" SELECT 'day', (bucket / {DAY}) * {DAY}, {_D}, SUM(connections),"
                f" SUM(messages_tls), SUM(messages_clear) FROM rollup"
                f" WHERE span = 'hour' AND bucket < ? GROUP BY (bucket / {DAY}), {_D}"
                f" ON CONFLICT (span, bucket, {_D}) DO UPDATE SET connections = connections +"
                " excluded.connections, messages_tls = messages_tls + excluded.messages_tls,"
                " messages_clear = messages_clear + excluded.messages_clear", (fold_before,))
            db.execute("DELETE FROM rollup WHERE span = 'hour' AND bucket < ?", (fold_before,))
            db.execute("DELETE FROM rollup WHERE span = 'day' AND bucket < ?",
                       (floor(now, DAY) - keep_days * DAY,))
            db.execute("DELETE FROM best WHERE seen < ?", (now - keep_days * DAY,))
            self._prune_raw(db, raw_before)

    def _prune_raw(self, db: sqlite3.Connection, before: int) -> None:
        cut = before
        extra = db.execute("SELECT COUNT(*) FROM events").fetchone()[0] - MAX_RAW
        if extra > 0:
            newest = db.execute("SELECT at FROM events ORDER BY at LIMIT 1 OFFSET ?",
                                (extra - 1,)).fetchone()[0]
            cut = max(cut, floor(newest, HOUR) + HOUR)
        db.execute("DELETE FROM events WHERE at < ?", (cut,))
        db.execute("INSERT INTO meta VALUES ('raw_from', ?) ON CONFLICT (key) DO UPDATE"
                   " SET value = MAX(value, excluded.value)", (cut,))


class Reader:
    """Read access from any process; every method opens and closes its own connection."""

    def __init__(self, data_dir: Path) -> None:
        self.path = path_in(data_dir)

    @contextlib.contextmanager
    def _db(self) -> Iterator[sqlite3.Connection | None]:
        if not self.path.exists():  # the engine never recorded anything here
            yield None
            return
        db = sqlite3.connect(f"file:{self.path}?mode=rw", uri=True, timeout=BUSY_TIMEOUT,
                             isolation_level=None)
        try:
            yield db
        finally:
            db.close()

    def query(self, sql: str, args: Sequence[object] = ()) -> list[tuple[Any, ...]]:
        with self._db() as db:
            return [] if db is None else db.execute(sql, tuple(args)).fetchall()

    def raw_from(self) -> float:
        found = self.query("SELECT value FROM meta WHERE key = 'raw_from'")
        return float(found[0][0]) if found else 0.0

    def rows(
        self, direction: str, start: float, end: float, domain: str | None = None
    ) -> list[Row]:
        """Counts per DIMS for [start, end): events from `raw_from` on, roll-ups before.

        A roll-up bucket counts when it starts in the range (so a range reaching back past
        the raw events begins at the hour, or past HOURLY_DAYS at the day, it falls in)."""
        raw_from = self.raw_from()  # an hour boundary: no roll-up bucket straddles it
        edge = max(raw_from, start)
        where = "direction = ?" + (" AND domain = ?" if domain is not None else "")
        args: list[object] = [direction, domain] if domain is not None else [direction]
        sql = (
            f"SELECT {_D}, SUM(connections), SUM(messages_tls), SUM(messages_clear) FROM ("
            f" SELECT {_RAW_DIMS}, 1 AS connections, messages_tls, messages_clear FROM events"
            f"  WHERE {where} AND at >= ? AND at < ?"
            f" UNION ALL SELECT {_D}, {_COUNTS} FROM rollup WHERE {where}"
            f"  AND bucket >= ? AND bucket < ? AND bucket < ?"
            f") GROUP BY {_D}"
        )
        low = floor(start, DAY) if start < raw_from - HOURLY_DAYS * DAY else floor(start, HOUR)
        found = self.query(sql, [*args, edge, end, *args, low, end, raw_from])
        return [_row(r) for r in found]

    def series(self, direction: str, start: float, end: float, span: int) -> list[tuple[Any, ...]]:
        """Roll-up counts per bucket (`span` HOUR or DAY) and (outcome, verified, result_type)."""
        sql = (f"SELECT (bucket / {span}) * {span} AS b, outcome, verified, result_type,"
               " SUM(connections) FROM rollup WHERE direction = ? AND bucket >= ? AND bucket < ?"
               " GROUP BY b, outcome, verified, result_type ORDER BY b")
        return self.query(sql, (direction, floor(start, span), end))

    def totals(self) -> list[tuple[Any, ...]]:
        return self.query("SELECT direction, tls, result_type, connections, messages FROM totals")

    def recent(self, direction: str, limit: int = 50) -> list[tuple[Any, ...]]:
        return self.query(
            "SELECT at, conn_id, domain, peer, peer_ip, level, outcome, result_type, version,"
            " verified, reason FROM events WHERE direction = ? ORDER BY at DESC, id DESC LIMIT ?",
            (direction, limit))

    def events(self, direction: str, domain: str, start: float, end: float,
               limit: int = 5000) -> list[tuple[Any, ...]]:
        """The recorded connections of one partner (only the last RAW_HOURS are kept)."""
        return self.query(
            "SELECT at, peer, peer_ip, offered, outcome, result_type, verify_result, verified,"
            " matched_name, version, cipher, cert_name FROM events WHERE direction = ?"
            " AND domain = ? AND at >= ? AND at < ? ORDER BY at DESC LIMIT ?",
            (direction, domain, start, end, limit))
