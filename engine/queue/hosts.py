"""What `hoststatus` shows of a destination domain beside its recipients, kept in the
queue database (`<data>/queue/queue.db`, tables `hosts` and `host_days`): delivery's
connection attempts per day, whether the latest one connected, and the latest failure
one of its recipients met.

Written by the queue-owning process, in the order things happen: `connection` when
delivery opens a connection or fails to (engine/outbound/connect.py, through
QueueStore.connection), `failure` in the transaction that records a recipient's result
(store._record). So "latest" is the last written, never the highest MID (MIDs come in
runs per process, engine/counters.py: a later message may have a lower one). Read by
engine/queue/admin.py, from any process.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass

SCHEMA = """
CREATE TABLE IF NOT EXISTS hosts (
    domain TEXT PRIMARY KEY, up INTEGER, attempted REAL NOT NULL DEFAULT 0,
    error TEXT NOT NULL DEFAULT ''
);
CREATE TABLE IF NOT EXISTS host_days (
    domain TEXT NOT NULL, day INTEGER NOT NULL, attempts INTEGER NOT NULL,
    PRIMARY KEY (domain, day)
);
"""
DAY = 86400
KEEP_DAYS = 31  # hoststatus counts the last 30; the day it is asked on is partial


@dataclass(frozen=True)
class HostState:
    up: bool | None  # whether the latest connection attempt connected; None: none yet
    error: str  # the latest failure of one of its recipients, "" when none
    attempts: int  # connection attempts since the time asked for


NO_STATE = HostState(None, "", 0)


def connection(db: sqlite3.Connection, domain: str, up: bool, when: float) -> None:
    """One connection attempt to a host of `domain`: `up` when it was greeted."""
    db.execute(
        "INSERT INTO hosts (domain, up, attempted) VALUES (?, ?, ?) ON CONFLICT (domain)"
        " DO UPDATE SET up = excluded.up, attempted = excluded.attempted",
        (domain, int(up), when))
    day = int(when // DAY)
    db.execute(
        "INSERT INTO host_days VALUES (?, ?, 1) ON CONFLICT (domain, day)"
        " DO UPDATE SET attempts = attempts + 1", (domain, day))
    db.execute("DELETE FROM host_days WHERE domain = ? AND day < ?", (domain, day - KEEP_DAYS))


def failure(db: sqlite3.Connection, mid: int, rid: int, reason: str) -> None:
    """A recipient's deferral or bounce: its domain's latest error from now on."""
    db.execute(
        "INSERT INTO hosts (domain, error) SELECT domain, ? FROM recipients"
        " WHERE mid = ? AND rid = ? ON CONFLICT (domain) DO UPDATE SET error = excluded.error",
        (reason, mid, rid))


def state(db: sqlite3.Connection, domain: str, since: float) -> HostState:
    """`domain` as recorded; NO_STATE in a database an older release wrote, that the
    engine has not opened since (it has no such tables yet)."""
    if db.execute("SELECT 1 FROM sqlite_master WHERE name = 'hosts'").fetchone() is None:
        return NO_STATE
    row = db.execute("SELECT up, error FROM hosts WHERE domain = ?", (domain,)).fetchone()
    (attempts,) = db.execute(
        "SELECT COALESCE(SUM(attempts), 0) FROM host_days WHERE domain = ? AND day >= ?",
        (domain, int(since // DAY))).fetchone()
    if row is None:
        return HostState(None, "", int(attempts))
    up, error = row
    return HostState(None if up is None else bool(up), str(error), int(attempts))
