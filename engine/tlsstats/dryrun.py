"""The dry run: what a stricter TLS setting would have done to the connections the store
remembers (pure, over store rows).

`judge` says, for one stored row, what a TLS setting would have made of it: delivered
(None), refused with an RFC 8460 result type, or UNKNOWN when the connection cannot tell
(TLS never tried, a client certificate never asked for). `dry_run` counts a domain's or a
sender group's rows under a setting; `dry_runs` is what `commit check` and `commit` print
before they write anything:

- per recorded destination domain whose TLS setting the candidate makes stricter
  (state/tls_levels.py), and per new or stricter destination control with no deliveries
  recorded (so it is not passed over in silence):

      partner.example: Required - Verify would have deferred 3 of 120 deliveries in the
      last 7 days: certificate-host-mismatch (mx2.partner.example)

- per recorded client: the sender group it gets in the base and in the candidate HAT
  (engine/policy.py's `evaluate_hat`), counted under the candidate's group where its TLS
  gets stricter. A client is placed with the facts the statistics keep: its address when
  it was counted by address (`[ip]`), and the group it was recorded in (it matched that
  row, and none above it). PTR names and DNS lists are not kept, so a new or changed row
  above that needs them is said to leave those clients unjudged;
- per Required - Verify destination with verified deliveries, when the candidate stops
  trusting a certificate authority (`Trust`): the statistics do not keep which CA a
  chain led to, so it names the CAs and says those deliveries may now fail.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field, replace

from engine.tlsstats import placement, texts
from engine.tlsstats.events import INBOUND, OUTBOUND, UNKNOWN, Outcome4
from engine.tlsstats.report import Source, TimeRange
from engine.tlsstats.store import Row
from state.model import HAT, Config, DestinationControls, DestinationEntry, TlsFailure, TLSMode
from state.tls_levels import (
    Direction,
    Refusal,
    StricterChange,
    destination_entry,
    destination_tls,
    is_stricter,
    placement_tls,
    refuses,
    stricter_changes,
    untrusted,
)
from state.validate_outbound import normalise_domain

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
    # inbound: how many of `total` matched another sender group before, and which
    moved: int = 0
    moved_from: tuple[str, ...] = ()
    # inbound: connections a row may take that the recorded facts cannot place, and the
    # facts missing (texts.LACKING keys)
    unplaced: int = 0
    lacking: tuple[str, ...] = ()

    @property
    def would_fail(self) -> bool:
        return self.failed > 0

    @property
    def warns(self) -> bool:
        """Only a line that says something would or may fail is a warning; one that says
        all went through, or that nothing was recorded, is a note."""
        return bool(self.failed or self.unknown or self.unplaced)

    def text(self, level_label: str) -> str:
        """The line, with the setting's name as the shell shows it (e.g. "Required -
        Verify")."""
        things = texts.THINGS[self.direction]
        if self.total:
            line = self._judged(level_label, things)
        elif self.unplaced:
            line = texts.DRYRUN_NONE_KNOWN.format(name=self.name, level=level_label,
                                                  things=things, period=self.period)
        else:
            return texts.DRYRUN_NOTHING.format(name=self.name, level=level_label,
                                               things=things, period=self.period)
        if self.moved:
            line += texts.DRYRUN_MOVED.format(moved=self.moved, groups=", ".join(
                g or texts.NO_GROUP for g in self.moved_from))
        if self.unknown:
            why = (
                texts.DRYRUN_UNKNOWN_OUT if self.direction == OUTBOUND else texts.DRYRUN_UNKNOWN_IN
            )
            line += texts.DRYRUN_UNKNOWN.format(unknown=self.unknown, why=why)
        if self.unplaced:
            line += texts.DRYRUN_UNPLACED.format(unplaced=self.unplaced, things=things, facts=(
                texts.LACKING_JOIN.join(texts.LACKING[k] for k in self.lacking)))
        return line

    def _judged(self, level_label: str, things: str) -> str:
        if not self.failed:
            return texts.DRYRUN_FINE.format(name=self.name, level=level_label,
                                            verb=texts.VERBS[self.verb], total=self.total,
                                            things=things, period=self.period)
        line = texts.DRYRUN_WARNING.format(
            name=self.name, level=level_label, verb=texts.VERBS[self.verb],
            failed=self.failed, total=self.total, things=things, period=self.period)
        return line + ": " + texts.DRYRUN_REASONS_JOIN.join(
            texts.DRYRUN_REASON.format(result_type=rt, peers=", ".join(peers))
            for rt, peers in self.reasons)


@dataclass(frozen=True)
class Trust:
    """A Required - Verify destination's verified deliveries when the candidate stops
    trusting certificate authorities (`certain`: it trusts none at all)."""

    name: str
    level: TLSMode
    verified: int
    total: int
    cas: tuple[str, ...]
    certain: bool
    period: str
    verb: str  # texts.VERBS key

    @property
    def would_fail(self) -> bool:
        return self.certain

    @property
    def warns(self) -> bool:
        return True

    def text(self, level_label: str) -> str:
        cas = texts.CAS_JOIN.join(self.cas)
        verb = texts.VERBS[self.verb]
        cause = (texts.TRUST_NONE_LEFT.format(cas=cas, verb=verb)
                 if self.certain else texts.TRUST_MAY.format(cas=cas, verb=verb))
        return texts.TRUST.format(name=self.name, level=level_label, verified=self.verified,
                                  total=self.total, things=texts.THINGS[OUTBOUND],
                                  period=self.period, cause=cause)


Finding = DryRun | Trust


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


def dry_runs(source: Source, base: Config, candidate: Config, span: TimeRange) -> list[Finding]:
    """Every line of the dry run of `candidate` against `base` (see the module's text)."""
    by_domain: dict[str, list[Row]] = {}
    for row in source.rows(OUTBOUND, span.start, span.end):
        by_domain.setdefault(row.domain, []).append(row)
    return [*_outbound(by_domain, base, candidate, span.name),
            *_trust(by_domain, base, candidate, span.name),
            *_inbound(source, base, candidate, span)]


# -- outbound ------------------------------------------------------------------------


def _verb(controls: DestinationControls, entry: DestinationEntry) -> str:
    """What the control does with a delivery its TLS setting fails (texts.VERBS key)."""
    failure = entry.tls_failure or controls.default.tls_failure or TlsFailure.DEFER
    return "bounce" if failure is TlsFailure.BOUNCE else "defer"


def _control(controls: DestinationControls, name: str) -> DestinationEntry:
    """The destination control stricter_changes calls `name` (a domain, `.parent`, DEFAULT)."""
    return controls.default if name == "DEFAULT" else destination_entry(controls, name)


def _name(controls: DestinationControls, entry: DestinationEntry) -> str:
    return "DEFAULT" if entry is controls.default else normalise_domain(entry.domain)


def _outbound(by_domain: dict[str, list[Row]], base: Config, candidate: Config,
              period: str) -> list[DryRun]:
    found, judged = [], set()
    controls = candidate.destinations
    for domain, mine in sorted(by_domain.items()):
        old = destination_tls(base.destinations, domain)
        new = destination_tls(controls, domain)
        if is_stricter(old, new, Direction.OUTBOUND):
            entry = destination_entry(controls, domain)
            judged.add(_name(controls, entry))
            found.append(dry_run(mine, domain, OUTBOUND, new, period, _verb(controls, entry)))
    # a new or stricter control that decided none of the recorded deliveries: said so
    for change in stricter_changes(base, candidate):
        if change.direction is Direction.OUTBOUND and change.name not in judged:
            verb = _verb(controls, _control(controls, change.name))
            found.append(DryRun(change.name, OUTBOUND, change.new, 0, 0, 0, (), period, verb))
    return found


def _trust(by_domain: dict[str, list[Row]], base: Config, candidate: Config,
           period: str) -> list[Trust]:
    gone = untrusted(base.authorities, candidate.authorities)
    if not gone:
        return []
    cas = (*gone.custom, *((texts.SYSTEM_CAS,) if gone.system else ()))
    controls, found = candidate.destinations, []
    for domain, mine in sorted(by_domain.items()):
        level = destination_tls(controls, domain)
        verified = sum(r.connections for r in mine if r.verified)
        # Only a setting that refuses an unverified server fails for it: Preferred -
        # Verify delivers over TLS anyway (state/tls_levels.py).
        if verified and Refusal.UNVERIFIED in refuses(level, Direction.OUTBOUND):
            verb = _verb(controls, destination_entry(controls, domain))
            found.append(Trust(domain, level, verified, sum(r.connections for r in mine), cas,
                               gone.nothing_left, period, verb))
    return found


# -- inbound: each recorded client placed in both HATs -------------------------------


@dataclass
class _Tally:
    """What one sender group of the candidate gets of the recorded clients."""

    name: str
    level: TLSMode
    rows: list[Row] = field(default_factory=list)  # the clients whose TLS gets stricter
    moved: int = 0
    moved_from: dict[str, None] = field(default_factory=dict)
    placed: int = 0  # connections placed in it, stricter or not
    unplaced: int = 0
    lacking: dict[str, None] = field(default_factory=dict)
    changed: bool = False  # a new group, or one whose own TLS setting got stricter

    def dry_run(self, period: str) -> DryRun:
        found = dry_run(self.rows, self.name, INBOUND, self.level, period, "refuse")
        return replace(found, moved=self.moved, moved_from=tuple(self.moved_from),
                       unplaced=self.unplaced, lacking=tuple(self.lacking))


def _inbound(source: Source, base: Config, candidate: Config, span: TimeRange) -> list[DryRun]:
    before = {li.name: li.hat for li in base.listeners}
    hats = {li.name: (before[li.name], li.hat) for li in candidate.listeners
            if li.name in before and before[li.name] != li.hat}
    if not hats:
        return []
    tallies: dict[tuple[str, int], _Tally] = {}
    placed: dict[tuple[str, str, str], placement.Placed | None] = {}
    for row in source.rows(INBOUND, span.start, span.end):
        if row.listener in hats:
            key = (row.listener, row.domain, row.sender_group)
            if key not in placed:
                placed[key] = placement.place(row, *hats[row.listener])
            _count(tallies, row, placed[key], hats[row.listener])
    return _lines(tallies, hats, stricter_changes(base, candidate), span.name)


def _tally(tallies: dict[tuple[str, int], _Tally], listener: str, hat: HAT,
           row: int) -> _Tally:
    key = (listener, row)
    if key not in tallies:
        group = hat.groups[row] if row >= 0 else None
        name = texts.DEFAULT_POLICY_NAME.format(listener=listener) if group is None else \
            texts.GROUP_NAME.format(listener=listener, group=group.name or ", ".join(group.senders))
        tallies[key] = _Tally(name, placement_tls(hat, row) or TLSMode.NO)
    return tallies[key]


def _group(hat: HAT, row: int) -> str:
    return hat.groups[row].name if row >= 0 else ""


def _count(tallies: dict[tuple[str, int], _Tally], row: Row, placed: placement.Placed | None,
           hats: tuple[HAT, HAT]) -> None:
    if placed is None:
        return
    old_hat, new_hat = hats
    tally = _tally(tallies, row.listener, new_hat, placed.new)
    tally.placed += row.connections
    if placed.stricter:
        tally.rows.append(row)
        was = _group(old_hat, placed.old)
        if was != _group(new_hat, placed.new):
            tally.moved += row.connections
            tally.moved_from[was] = None
    elif placed.doubt is not None:
        index, lacking = placed.doubt
        doubted = _tally(tallies, row.listener, new_hat, index)
        doubted.unplaced += row.connections
        doubted.lacking.update(dict.fromkeys(lacking))


def _lines(tallies: dict[tuple[str, int], _Tally], hats: dict[str, tuple[HAT, HAT]],
           changes: list[StricterChange], period: str) -> list[DryRun]:
    """A line per group that gets stricter clients or may take some, and per new or
    stricter group with no clients recorded in it at all."""
    for change in changes:
        if change.direction is Direction.INBOUND and change.listener in hats:
            hat = hats[change.listener][1]
            index = next(i for i, g in enumerate(hat.groups) if g.name == change.name)
            _tally(tallies, change.listener, hat, index).changed = True
    return [tally.dry_run(period) for _, tally in sorted(tallies.items(), key=lambda kv: kv[0])
            if tally.rows or tally.unplaced or (tally.changed and not tally.placed)]
