"""Which TLS setting is stricter than which (pure; the TLS policy reference's two tables).

A setting is judged by what it refuses: the conditions under which a connection (inbound)
or a delivery (outbound) fails under it that would not fail under no TLS at all. A change
from `old` to `new` makes things stricter when `new` refuses something `old` did not
(`newly_refused`); Preferred - Verify and Required are not ordered, each refuses what the
other allows. `stricter_changes` lists every destination control and sender-group policy a
candidate configuration makes stricter than the base, and `untrusted` the certificate
authorities it stops trusting (every Verify setting trusts them): what `commit check` and
`commit` dry-run over the stored TLS outcomes (engine/tlsstats/dryrun.py).
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

from state.hat_rules import resolve_params, row_tls
from state.model import (
    HAT,
    Authorities,
    Config,
    DestinationControls,
    DestinationEntry,
    PolicyParams,
    TLSMode,
)
from state.validate_outbound import domain_keys, normalise_domain


class Direction(enum.Enum):
    INBOUND = "inbound"
    OUTBOUND = "outbound"


class Refusal(enum.Enum):
    """One reason a TLS setting fails a connection or delivery."""

    HANDSHAKE = "a STARTTLS whose handshake fails"
    NO_TLS = "no TLS (STARTTLS not offered, refused or not attempted)"
    UNVERIFIED = "a server certificate that does not verify"  # outbound Verify
    NO_CLIENT_CERT = "no client certificate"  # inbound Required - Verify
    BAD_CLIENT_CERT = "a client certificate that does not verify"  # inbound Verify settings


_H, _N, _U, _NC, _BC = (Refusal.HANDSHAKE, Refusal.NO_TLS, Refusal.UNVERIFIED,
                        Refusal.NO_CLIENT_CERT, Refusal.BAD_CLIENT_CERT)
_REFUSES: dict[Direction, dict[TLSMode, frozenset[Refusal]]] = {
    Direction.OUTBOUND: {
        TLSMode.NO: frozenset(),
        TLSMode.PREFERRED: frozenset({_H}),
        TLSMode.PREFERRED_VERIFY: frozenset({_H}),  # delivers encrypted anyway
        TLSMode.REQUIRED: frozenset({_H, _N}),
        TLSMode.REQUIRED_VERIFY: frozenset({_H, _N, _U}),
    },
    Direction.INBOUND: {
        TLSMode.NO: frozenset(),
        TLSMode.PREFERRED: frozenset({_H}),
        TLSMode.PREFERRED_VERIFY: frozenset({_H, _BC}),
        TLSMode.REQUIRED: frozenset({_H, _N}),
        TLSMode.REQUIRED_VERIFY: frozenset({_H, _N, _NC, _BC}),
    },
}


def refuses(level: TLSMode, direction: Direction) -> frozenset[Refusal]:
    return _REFUSES[direction][level]


def newly_refused(old: TLSMode, new: TLSMode, direction: Direction) -> frozenset[Refusal]:
    """What `new` refuses that `old` did not (empty: `new` is not stricter)."""
    return refuses(new, direction) - refuses(old, direction)


def is_stricter(old: TLSMode, new: TLSMode, direction: Direction) -> bool:
    return bool(newly_refused(old, new, direction))


def placement_tls(hat: HAT, row: int) -> TLSMode | None:
    """The TLS setting of a client the HAT placed at `row` (-1: no row decided, so the
    listener's default policy); None when that row refuses the connection outright."""
    if row < 0:
        return resolve_params(PolicyParams(), hat.default).tls or TLSMode.NO
    return row_tls(hat.groups[row], hat)


# -- destination controls: which row a domain gets ---------------------------------


def destination_entry(controls: DestinationControls, domain: str) -> DestinationEntry:
    """The row deciding `domain`: exact first, then the nearest `.parent`, then DEFAULT
    (its fields as written: "Default" ones are still None)."""
    table = {normalise_domain(e.domain): e for e in controls.entries}
    return next((table[k] for k in domain_keys(domain) if k in table), controls.default)


def destination_tls(controls: DestinationControls, domain: str) -> TLSMode:
    """The TLS setting delivery to `domain` uses (inheritance from DEFAULT resolved)."""
    return destination_entry(controls, domain).tls or controls.default.tls or TLSMode.NO


# -- what a change makes stricter ---------------------------------------------------


@dataclass(frozen=True)
class StricterChange:
    """One setting the candidate makes stricter. `name` is the destination control's
    domain ("DEFAULT" for every domain without its own TLS setting) or the sender group;
    `listener` is the HAT's listener ("" for a destination control)."""

    direction: Direction
    name: str
    old: TLSMode
    new: TLSMode
    listener: str = ""

    @property
    def refusals(self) -> frozenset[Refusal]:
        return newly_refused(self.old, self.new, self.direction)


def stricter_changes(base: Config, candidate: Config) -> list[StricterChange]:
    """Every destination control and sender group whose TLS the candidate makes stricter.

    A new destination control is compared with what its domain got before (its parent
    entry or DEFAULT); a sender group with the same group on the same listener before. A
    new sender group takes its clients from other rows, so what it was is only known per
    client (the dry run places each recorded client in both HATs); here it is compared
    with No TLS, so that a new group that can refuse anything is listed."""
    return [*_destinations(base, candidate), *_sender_groups(base, candidate)]


def _destinations(base: Config, candidate: Config) -> list[StricterChange]:
    old_c, new_c = base.destinations, candidate.destinations
    found = []
    old_default, new_default = old_c.default.tls or TLSMode.NO, new_c.default.tls or TLSMode.NO
    if is_stricter(old_default, new_default, Direction.OUTBOUND):
        found.append(StricterChange(Direction.OUTBOUND, "DEFAULT", old_default, new_default))
    for entry in new_c.entries:
        domain = normalise_domain(entry.domain)
        old, new = destination_tls(old_c, domain), destination_tls(new_c, domain)
        if entry.tls is not None and is_stricter(old, new, Direction.OUTBOUND):
            found.append(StricterChange(Direction.OUTBOUND, domain, old, new))
    return found


def _sender_groups(base: Config, candidate: Config) -> list[StricterChange]:
    found = []
    before = {li.name: li.hat for li in base.listeners}
    for listener in candidate.listeners:
        old_hat = before.get(listener.name)
        if old_hat is None:
            continue
        old_groups = {g.name: g for g in old_hat.groups if g.name}
        for group in listener.hat.groups:
            if not group.name:  # an unnamed row cannot be told new from old
                continue
            was = old_groups.get(group.name)
            old = TLSMode.NO if was is None else row_tls(was, old_hat)
            new = row_tls(group, listener.hat)
            if old is not None and new is not None and is_stricter(old, new, Direction.INBOUND):
                found.append(StricterChange(Direction.INBOUND, group.name, old, new, listener.name))
    return found


# -- certificate authorities ---------------------------------------------------------


@dataclass(frozen=True)
class Untrusted:
    """What the candidate stops trusting of what the base trusted: the system list (when
    disabled) and custom CAs by name (deleted, replaced by other PEM, or their list
    disabled). `nothing_left`: the candidate trusts no certificate authority at all."""

    system: bool = False
    custom: tuple[str, ...] = ()
    nothing_left: bool = False

    def __bool__(self) -> bool:
        return self.system or bool(self.custom)


def untrusted(base: Authorities, candidate: Authorities) -> Untrusted:
    """The certificate authorities every Verify setting trusts in `base` but not in
    `candidate` (state/authorities.py: the union of the enabled lists)."""
    kept = {ca.pem for ca in candidate.custom} if candidate.custom_enabled else set()
    gone = tuple(ca.name for ca in base.custom if ca.pem not in kept) if base.custom_enabled \
        else ()
    left = candidate.system_enabled or (candidate.custom_enabled and bool(candidate.custom))
    return Untrusted(base.system_enabled and not candidate.system_enabled, gone, not left)
