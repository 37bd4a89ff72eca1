"""What each page shows, gathered from the files the engine publishes (blocking reads:
the app runs these in a thread)."""

from __future__ import annotations

import time
from pathlib import Path

from engine.errors import QueueUnavailable
from engine.queue.admin import QueueAdmin
from engine.status import status_path
from engine.tlsstats import readiness, report
from engine.tlsstats.store import Reader
from esacli import status_doc
from esacli.errors import StatusUnreadable
from esacli.web import charts, pages, texts
from state import report_range
from state.errors import ValueRefused
from state.store import Store
from state.validate_outbound import report_domain

PERIODS = tuple(texts.REPORT_PERIODS)
DEFAULT_PERIOD = "day"


def parse_range(period: str, start: str, end: str, now: float) -> tuple[report.TimeRange, str]:
    """The range asked for (a custom one when both dates are given), and an error text."""
    if start or end:
        try:
            return report.custom(*report_range.parse_custom(start, end)), ""
        except ValueRefused as refused:  # the shell's words for it, and what is shown instead
            return report.last(DEFAULT_PERIOD, now), texts.REPORT_BAD_RANGE.format(
                why=refused.message)
    if period in PERIODS or not period:
        return report.last(period or DEFAULT_PERIOD, now), ""
    # a link typed by hand or an old bookmark: say what is shown instead of it
    return report.last(DEFAULT_PERIOD, now), texts.REPORT_BAD_PERIOD.format(
        period=period, periods=", ".join(PERIODS))


class Views:
    def __init__(self, data_dir: Path, store: Store) -> None:
        self.data_dir = data_dir
        self.store = store
        self.stats = Reader(data_dir)

    def hostname(self) -> str:
        return self.store.load().hostname

    def report(self, period: str, start: str, end: str, now: float | None = None) -> str:
        span, error = parse_range(period, start, end, now or time.time())
        reports: list[report.Report] = []
        drawn: dict[str, tuple[str, ...]] = {}
        for direction in report.DIRECTIONS:
            reports.append(report.tls_report(self.stats, direction, span))
            series = report.series(self.stats, direction, span)
            drawn[direction] = (charts.tls_chart(series, direction),
                                charts.verified_chart(series, direction),
                                charts.failures_chart(series, direction))
        picker = pages.period_picker(span.period, start, end, error)
        return pages.report(reports, drawn, picker)

    def readiness(self, domain: str, direction: str, now: float | None = None) -> str:
        direction = direction if direction in report.DIRECTIONS else "out"
        domain = domain.strip()[:255]
        if not domain:
            return pages.readiness(None, "", direction)
        key = report_domain(domain)  # the rule of the shell's tlsreadiness
        if key is None:
            error = texts.READINESS_BAD_DOMAIN.format(domain=domain)
            return pages.readiness(None, domain, direction, error)
        span = report.last("week", now or time.time())
        found = readiness.readiness(self.stats, direction, key, span)
        return pages.readiness(found, domain, direction)

    def queue(self) -> str:
        doc = self._status()
        summary = texts.QUEUE_SUMMARY.format(
            messages=doc.gauges.messages_in_queue if doc else 0,
            recipients=doc.gauges.active_recipients if doc else 0)
        try:
            loads = QueueAdmin(self.data_dir).top_domains("active", limit=100)
        except QueueUnavailable as exc:
            return pages.queue("", [], texts.QUEUE_UNAVAILABLE.format(reason=exc))
        rows = [(d.domain, d.active, d.delivered, d.hard_bounced, d.soft_bounced,
                 "" if d.oldest_age is None else int(d.oldest_age)) for d in loads]
        return pages.queue(summary, rows)

    def _status(self) -> status_doc.StatusDoc | None:
        try:
            doc = status_doc.read(status_path(self.data_dir))
        except StatusUnreadable:
            return None
        return doc if doc is not None and status_doc.alive(doc, time.time()) else None

    def listeners(self) -> str:
        doc = self._status()
        if doc is None:
            return pages.listeners(texts.ENGINE_DOWN, [])
        note = texts.ENGINE_VERSION.format(version=doc.version, head=self.store.head_number())
        rows = [(name, s.address, s.state, s.reason) for name, s in doc.listeners.items()]
        return pages.listeners(note, rows)

    def commits(self) -> str:
        return pages.commits([(v.number, v.time, v.user, v.source, v.comment)
                              for v in self.store.history(10)])
