"""The TLS-RPT recorder (`<data>/tlsrpt.db`, SQLite, 0600): per UTC day, per policy and per
kind of result, how many sessions; which reports went out; when each day's reports are due.

Sessions are counted, not listed: one row per (day, policy, result, MX, IPs, reason)
with a count, so a busy day costs a few rows per destination. Each day's reports are due
once, at a random minute of the first hours of the next UTC day (`Schedule`: drawn once
per day and kept, so a restart neither skips nor repeats a day); a report sent is marked
per (day, domain) and the day's rows go once every domain is done.
"""

from __future__ import annotations

import datetime as dt
import json
import random
import threading
from dataclasses import dataclass
from pathlib import Path

from engine.outbound.tlsrpt import SessionResult
from engine.privatedb import connect_private

FILE = "tlsrpt.db"
SPREAD_MINUTES = 240  # reports go out at a random minute of the next day's first 4 hours

_SCHEMA = """
CREATE TABLE IF NOT EXISTS sessions (
    day TEXT NOT NULL, policy_domain TEXT NOT NULL, policy_type TEXT NOT NULL,
    policy_string TEXT NOT NULL, mx_patterns TEXT NOT NULL, result_type TEXT NOT NULL,
    sending_ip TEXT NOT NULL, receiving_mx TEXT NOT NULL, receiving_helo TEXT NOT NULL,
    receiving_ip TEXT NOT NULL, reason TEXT NOT NULL, count INTEGER NOT NULL,
    PRIMARY KEY (day, policy_domain, policy_type, policy_string, mx_patterns, result_type,
                 sending_ip, receiving_mx, receiving_helo, receiving_ip, reason)
);
CREATE TABLE IF NOT EXISTS reports (
    day TEXT NOT NULL, domain TEXT NOT NULL, report_id TEXT NOT NULL, outcome TEXT NOT NULL,
    PRIMARY KEY (day, domain)
);
CREATE TABLE IF NOT EXISTS schedule (day TEXT PRIMARY KEY, due REAL NOT NULL);
"""
_KEY = ("policy_domain", "policy_type", "policy_string", "mx_patterns", "result_type",
        "sending_ip", "receiving_mx", "receiving_helo", "receiving_ip", "reason")


def utc_day(when: float) -> str:
    return dt.datetime.fromtimestamp(when, dt.UTC).strftime("%Y-%m-%d")


def day_start(day: str) -> float:
    return dt.datetime.strptime(day, "%Y-%m-%d").replace(tzinfo=dt.UTC).timestamp()


@dataclass(frozen=True)
class Counted:
    result: SessionResult
    count: int


class ReportStore:
    """Thread-safe; callers run it off the event loop."""

    def __init__(self, path: Path) -> None:
        self._lock = threading.Lock()
        self._db = connect_private(Path(path), _SCHEMA)

    def record(self, result: SessionResult, when: float) -> None:
        values = _values(result)
        with self._lock:
            self._db.execute(
                f"INSERT INTO sessions (day, {', '.join(_KEY)}, count)"
                f" VALUES (?, {', '.join('?' * len(_KEY))}, 1)"
                f" ON CONFLICT ({'day, ' + ', '.join(_KEY)}) DO UPDATE SET count = count + 1",
                (utc_day(when), *values))

    def days(self) -> list[str]:
        with self._lock:
            rows = self._db.execute("SELECT DISTINCT day FROM sessions ORDER BY day").fetchall()
        return [str(r[0]) for r in rows]

    def domains(self, day: str) -> list[str]:
        with self._lock:
            rows = self._db.execute(
                "SELECT DISTINCT policy_domain FROM sessions WHERE day = ? AND policy_domain NOT IN"
                " (SELECT domain FROM reports WHERE day = ?) ORDER BY policy_domain",
                (day, day)).fetchall()
        return [str(r[0]) for r in rows]

    def sessions(self, day: str, domain: str) -> list[Counted]:
        with self._lock:
            rows = self._db.execute(
                f"SELECT {', '.join(_KEY)}, count FROM sessions WHERE day = ? AND policy_domain = ?"
                f" ORDER BY {', '.join(_KEY)}", (day, domain)).fetchall()
        return [Counted(_result(row[:-1]), int(row[-1])) for row in rows]

    def reported(self, day: str, domain: str, report_id: str, outcome: str) -> None:
        """Mark the day's report for `domain` done ("sent", "no rua", or why it failed)."""
        with self._lock:
            self._db.execute(
                "INSERT OR REPLACE INTO reports (day, domain, report_id, outcome)"
                " VALUES (?, ?, ?, ?)",
                (day, domain, report_id, outcome),
            )

    def outcomes(self, day: str) -> dict[str, str]:
        with self._lock:
            rows = self._db.execute("SELECT domain, outcome FROM reports WHERE day = ?",
                                    (day,)).fetchall()
        return {str(d): str(o) for d, o in rows}

    def forget(self, day: str) -> None:
        """The day is done: its counts go (what was reported stays in `reports`)."""
        with self._lock:
            self._db.execute("DELETE FROM sessions WHERE day = ?", (day,))
            self._db.execute("DELETE FROM schedule WHERE day = ?", (day,))

    def due_at(self, day: str, rng: random.Random) -> float:
        with self._lock:
            row = self._db.execute("SELECT due FROM schedule WHERE day = ?", (day,)).fetchone()
            if row is not None:
                return float(row[0])
            due = day_start(day) + 86400 + 60 * rng.randrange(1, SPREAD_MINUTES)
            self._db.execute("INSERT INTO schedule (day, due) VALUES (?, ?)", (day, due))
            return due

    def close(self) -> None:
        with self._lock:
            self._db.close()


def _values(result: SessionResult) -> tuple[str, ...]:
    return (result.policy_domain, result.policy_type, json.dumps(list(result.policy_string)),
            json.dumps(list(result.mx_patterns)), result.result_type, result.sending_ip,
            result.receiving_mx, result.receiving_helo, result.receiving_ip, result.reason)


def _result(row: tuple[object, ...]) -> SessionResult:
    domain, ptype, pstring, mx, rtype, sip, rmx, helo, rip, reason = (str(v) for v in row)
    return SessionResult(domain, ptype, tuple(json.loads(pstring)), tuple(json.loads(mx)), rtype,
                         sip, rmx, helo, rip, reason)


class Schedule:
    """Which recorded days are due for their reports at `now` (the clock is the caller's)."""

    def __init__(self, store: ReportStore, rng: random.Random | None = None) -> None:
        self.store = store
        self.rng = rng or random.Random()

    def due(self, now: float) -> list[str]:
        today = utc_day(now)
        return [d for d in self.store.days() if d < today and self.store.due_at(d, self.rng) <= now]
