"""The TLS connections report: pure functions over the store's counts.

Incoming and outgoing, per domain, over a time range (the last hour, day, 7 days, 30
days, or any range). `COLUMNS` defines every column once (label and what it counts,
texts.COLUMN_TEXTS); `count` is the one place that decides which connection goes in
which column, and the shell's table, the web page and the documentation read both.
"""

from __future__ import annotations

import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, Protocol

from engine.tlsstats import texts
from engine.tlsstats.events import INBOUND, OUTBOUND, Outcome4
from engine.tlsstats.store import DAY, HOUR, Row
from state.model import TLSMode
from state.validate_outbound import normalise_domain

DIRECTIONS = (INBOUND, OUTBOUND)
PERIOD_SECONDS = {"hour": HOUR, "day": DAY, "week": 7 * DAY, "month": 30 * DAY}
REQUIRED = (TLSMode.REQUIRED, TLSMode.REQUIRED_VERIFY)
PREFERRED = (TLSMode.PREFERRED, TLSMode.PREFERRED_VERIFY)


@dataclass(frozen=True)
class Column:
    key: str
    label: str
    definition: str


COLUMNS = tuple(Column(key, label, text) for key, (label, text) in texts.COLUMN_TEXTS.items())


@dataclass(frozen=True)
class TimeRange:
    start: float
    end: float
    period: str  # "hour", "day", "week", "month", or "" for a custom range

    @property
    def name(self) -> str:
        if self.period:
            return texts.PERIODS[self.period]
        fmt = "%Y-%m-%d %H:%M"
        return texts.CUSTOM_PERIOD.format(start=time.strftime(fmt, time.localtime(self.start)),
                                          end=time.strftime(fmt, time.localtime(self.end)))


def last(period: str, now: float) -> TimeRange:
    """The last hour, day, week (7 days) or month (30 days) up to `now`."""
    return TimeRange(now - PERIOD_SECONDS[period], now, period)


def custom(start: float, end: float) -> TimeRange:
    if end <= start:
        raise ValueError("the range must end after it starts")
    return TimeRange(start, end, "")


@dataclass
class Line:
    """One domain's (or the total's) counts; see COLUMNS for what each counts."""

    domain: str
    connections: int = 0
    required_success: int = 0
    required_failed: int = 0
    preferred_success: int = 0
    preferred_failed: int = 0
    tls_attempted: int = 0
    clear_not_attempted: int = 0
    clear_fell_back: int = 0
    encrypted_messages: int = 0
    clear_messages: int = 0
    verified: int = 0
    not_verified: int = 0
    versions: dict[str, int] = field(default_factory=dict)

    @property
    def unencrypted(self) -> int:
        return self.clear_not_attempted + self.clear_fell_back

    @property
    def tls(self) -> int:
        return self.connections - self.unencrypted

    @property
    def tls_percent(self) -> float:
        return 100.0 * self.tls / self.connections if self.connections else 0.0

    def value(self, key: str) -> object:
        """The value of COLUMNS' `key` (versions as "TLSv1.3 4, TLSv1.2 1")."""
        if key == "versions":
            return ", ".join(f"{v} {n}" for v, n in sorted(self.versions.items(), reverse=True))
        if key == "tls_percent":
            return round(self.tls_percent, 1)
        return getattr(self, key)


def count(line: Line, row: Row) -> None:
    """Add `row` to `line`: the one definition of every column."""
    n = row.connections
    line.connections += n
    line.encrypted_messages += row.messages_tls
    line.clear_messages += row.messages_clear
    if row.attempted:
        line.tls_attempted += n
    if row.outcome is Outcome4.CLEAR:
        line.clear_not_attempted += n
    elif not row.tls:
        line.clear_fell_back += n
    else:
        line.versions[row.version or "?"] = line.versions.get(row.version or "?", 0) + n
        if row.verified:
            line.verified += n
        else:
            line.not_verified += n
    if row.level in REQUIRED:
        met = row.tls and (row.verified or row.level is TLSMode.REQUIRED)
        if met:
            line.required_success += n
        else:
            line.required_failed += n
    elif row.level in PREFERRED:
        if row.tls:
            line.preferred_success += n
        elif row.attempted:
            line.preferred_failed += n


def summarise(rows: Iterable[Row]) -> tuple[list[Line], Line]:
    """Per-domain lines (most connections first, then by name) and their total."""
    lines: dict[str, Line] = {}
    total = Line("Total")
    for row in rows:
        count(lines.setdefault(row.domain, Line(row.domain)), row)
        count(total, row)
    ordered = sorted(lines.values(), key=lambda li: (-li.connections, li.domain))
    return ordered, total


class Source(Protocol):
    """Where rows come from (store.Reader)."""

    def rows(self, direction: str, start: float, end: float,
             domain: str | None = None) -> list[Row]: ...


@dataclass(frozen=True)
class Report:
    direction: str
    range: TimeRange
    lines: list[Line]
    total: Line


def tls_report(source: Source, direction: str, span: TimeRange,
               domain: str | None = None) -> Report:
    """The TLS connections report of one direction (one domain, or all)."""
    wanted = normalise_domain(domain) if domain and not domain.startswith("[") else domain
    lines, total = summarise(source.rows(direction, span.start, span.end, wanted))
    return Report(direction, span, lines, total)


# -- charts over time ------------------------------------------------------------------


@dataclass
class Series:
    """Per bucket (`starts`, epoch seconds): connections with and without TLS, verified or
    not (TLS ones), and failures by RFC 8460 result type."""

    span: int
    starts: list[int]
    tls: list[int]
    clear: list[int]
    verified: list[int]
    not_verified: list[int]
    failures: dict[str, list[int]]


class SeriesSource(Protocol):
    def series(self, direction: str, start: float, end: float,
               span: int) -> list[tuple[Any, ...]]: ...


def series(source: SeriesSource, direction: str, span: TimeRange) -> Series:
    step = HOUR if span.end - span.start <= 7 * DAY else DAY
    first = int(span.start // step) * step
    starts = list(range(first, int(span.end) + 1, step)) or [first]
    index = {s: i for i, s in enumerate(starts)}
    out = Series(step, starts, [0] * len(starts), [0] * len(starts), [0] * len(starts),
                 [0] * len(starts), {})
    for bucket, outcome, verified, result_type, n in source.series(direction, span.start,
                                                                    span.end, step):
        i = index.get(int(bucket))
        if i is None:
            continue
        tls = outcome == Outcome4.TLS.value
        (out.tls if tls else out.clear)[i] += int(n)
        if tls:
            (out.verified if verified else out.not_verified)[i] += int(n)
        if result_type:
            out.failures.setdefault(str(result_type), [0] * len(starts))[i] += int(n)
    return out
