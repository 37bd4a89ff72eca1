"""The dry run: what a stricter TLS setting would have done to the connections the store
remembers (pure, over store rows).

`judge` says, for one stored row, what a TLS setting would have made of it: delivered
(None), refused with an RFC 8460 result type, or UNKNOWN when the connection cannot tell
(TLS never tried, a client certificate never asked for). `dry_run` counts a domain's or a
sender group's rows under a setting; `dry_runs` does it for every destination domain and
sender group a candidate configuration makes stricter (state/tls_levels.py), which is
what `commit check` and `commit` print as warnings before they write anything:

    partner.example: Required - Verify would have deferred 3 of 120 deliveries in the
    last 7 days: certificate-host-mismatch (mx2.partner.example)
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from engine.tlsstats import texts
from engine.tlsstats.events import INBOUND, OUTBOUND, UNKNOWN, Outcome4
from engine.tlsstats.report import Source, TimeRange
from engine.tlsstats.store import Row
from state.model import Config, TlsFailure, TLSMode
from state.tls_levels import (
    Direction,
    destination_entry,
    destination_tls,
    is_stricter,
    stricter_changes,
)

_CERT_TYPES = ("certificate-host-mismatch", "certificate-expired", "certificate-not-trusted")


def judge(row: Row, level: TLSMode) -> str | None:
    """The result type `row` would get at `level` (None: it would go through)."""
    if level is TLSMode.NO:
        return None
    if row.outcome is Outcome4.CLEAR and row.offered and _never_tried(row):
        return UNKNOWN  # STARTTLS was offered (or we offered it) but never run
    if level in (TLSMode.PREFERRED, TLSMode.PREFERRED_VERIFY):
        return _handshake(row)
    if level is TLSMode.REQUIRED:
        if row.outcome in (Outcome4.CLEAR, Outcome4.REFUSED):
            return "starttls-not-supported"
        return _handshake(row)
    return row.verify_result or None  # Required - Verify: what the record says


def _never_tried(row: Row) -> bool:
    """Outbound at No never issues STARTTLS; an inbound client that did not is a fact."""
    return row.direction == OUTBOUND and row.level is TLSMode.NO


def _handshake(row: Row) -> str | None:
    """A handshake that broke fails Preferred and Required alike, unless only our own
    verification ended it (the certificate types): without Verify it would have held."""
    if row.outcome is not Outcome4.FAILED or row.verify_result in _CERT_TYPES:
        return None
    return row.result_type or "validation-failure"


@dataclass(frozen=True)
class DryRun:
    name: str  # the domain, or the listener and sender group
    direction: str
    level: TLSMode
    total: int
    failed: int
    unknown: int
    reasons: tuple[tuple[str, tuple[str, ...]], ...]  # (result type, MX hosts or domains)
    period: str
    verb: str  # texts.VERBS key

    @property
    def would_fail(self) -> bool:
        return self.failed > 0

    def text(self, level_label: str) -> str:
        """The warning, with the setting's name as the shell shows it (e.g. "Required -
        Verify")."""
        things = texts.THINGS[self.direction]
        if not self.total:
            return texts.DRYRUN_NOTHING.format(name=self.name, level=level_label,
                                               things=things, period=self.period)
        if not self.failed:
            line = texts.DRYRUN_FINE.format(name=self.name, level=level_label,
                                            total=self.total, things=things, period=self.period)
        else:
            line = texts.DRYRUN_WARNING.format(
                name=self.name, level=level_label, verb=texts.VERBS[self.verb],
                failed=self.failed, total=self.total, things=things, period=self.period)
            line += ": " + texts.DRYRUN_REASONS_JOIN.join(
                texts.DRYRUN_REASON.format(result_type=rt, peers=", ".join(peers))
                for rt, peers in self.reasons)
        if self.unknown:
            why = (
                texts.DRYRUN_UNKNOWN_OUT if self.direction == OUTBOUND else texts.DRYRUN_UNKNOWN_IN
            )
            line += texts.DRYRUN_UNKNOWN.format(unknown=self.unknown, why=why)
        return line


def dry_run(rows: Iterable[Row], name: str, direction: str, level: TLSMode, period: str,
            verb: str = "defer") -> DryRun:
    """Count `rows` (one domain's, or one sender group's) at `level`."""
    total = failed = unknown = 0
    reasons: dict[str, dict[str, None]] = {}
    for row in rows:
        total += row.connections
        verdict = judge(row, level)
        if verdict == UNKNOWN:
            unknown += row.connections
        elif verdict is not None:
            failed += row.connections
            reasons.setdefault(verdict, {})[row.peer or row.domain] = None
    ordered = tuple((rt, tuple(sorted(peers))) for rt, peers in sorted(reasons.items()))
    return DryRun(name, direction, level, total, failed, unknown, ordered, period, verb)


def dry_runs(source: Source, base: Config, candidate: Config, span: TimeRange) -> list[DryRun]:
    """A dry run for every destination domain the store knows and every sender group
    whose TLS setting the candidate makes stricter than the base."""
    return [*_outbound(source, base, candidate, span), *_inbound(source, base, candidate, span)]


def _outbound(source: Source, base: Config, candidate: Config, span: TimeRange) -> list[DryRun]:
    rows = source.rows(OUTBOUND, span.start, span.end)
    by_domain: dict[str, list[Row]] = {}
    for row in rows:
        by_domain.setdefault(row.domain, []).append(row)
    found = []
    for domain, mine in sorted(by_domain.items()):
        old = destination_tls(base.destinations, domain)
        new = destination_tls(candidate.destinations, domain)
        if not is_stricter(old, new, Direction.OUTBOUND):
            continue
        failure = destination_entry(candidate.destinations, domain).tls_failure \
            or candidate.destinations.default.tls_failure or TlsFailure.DEFER
        verb = "bounce" if failure is TlsFailure.BOUNCE else "defer"
        found.append(dry_run(mine, domain, OUTBOUND, new, span.name, verb))
    return found


def _inbound(source: Source, base: Config, candidate: Config, span: TimeRange) -> list[DryRun]:
    changes = [c for c in stricter_changes(base, candidate) if c.direction is Direction.INBOUND]
    if not changes:
        return []
    rows = source.rows(INBOUND, span.start, span.end)
    found = []
    for change in changes:
        mine = [r for r in rows if r.listener == change.listener and r.sender_group == change.name]
        name = texts.GROUP_NAME.format(listener=change.listener, group=change.name)
        found.append(dry_run(mine, name, INBOUND, change.new, span.name, "refuse"))
    return found

