"""Which destination control decides a recipient domain, compiled once per version.

The rule (the appliance's domain lookup): the exact entry first, then the nearest
`.parent` entry, then DEFAULT; every field an entry leaves "Default" (None) is filled
from the DEFAULT row, so nothing after the lookup resolves inheritance again.
`DestinationTable.compile` does the filling once for a whole version (engine/runtime.py
holds the table in the RuntimeConfig), `lookup` once per delivery.

A `Destination` carries what delivery follows: the TLS level, the connection limits and
the settings of the DNS-published policies exactly as `precedence.Facts` takes them
(DANE mode, MTA-STS, what a TLS failure does). Delivery decides by the TLS level alone
today; `precedence.effective` is where the others will join it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import TypeVar

from state.edit.destinations import default_dane, default_mta_sts, default_tls_failure
from state.model import (
    DaneMode,
    DestinationControls,
    DestinationEntry,
    TlsFailure,
    TLSMode,
    replace,
)
from state.validate_outbound import domain_keys, normalise_domain

V = TypeVar("V")


@dataclass(frozen=True)
class Destination:
    """One recipient domain and the destination control that decides it."""

    domain: str  # the recipient domain, as the queue holds it
    entry: DestinationEntry  # the deciding row, every "Default" field filled

    @property
    def control(self) -> str:
        """The row that decides: "DEFAULT", "partner.test" or ".partner.test"."""
        return self.entry.domain

    @property
    def level(self) -> TLSMode:
        return self.entry.tls or TLSMode.NO

    @property
    def dane(self) -> DaneMode:
        return self.entry.dane or DaneMode.NO

    @property
    def mta_sts(self) -> bool:
        return bool(self.entry.mta_sts)

    @property
    def failure(self) -> TlsFailure:
        return self.entry.tls_failure or TlsFailure.DEFER

    @property
    def concurrency(self) -> int:
        """Connections at once to the domain (at least one)."""
        return max(1, self.entry.max_concurrency or 1)

    @property
    def per_connection(self) -> int:
        """Messages sent on one connection before a fresh one (at least one)."""
        return max(1, self.entry.max_msgs_per_connection or 1)


@dataclass(frozen=True)
class DestinationTable:
    rows: Mapping[str, DestinationEntry]  # normalised key ("x.test", ".x.test") -> filled row
    default: DestinationEntry  # DEFAULT, filled

    @classmethod
    def compile(cls, controls: DestinationControls) -> DestinationTable:
        default = controls.default
        # Later rows win a key written twice, as they always have.
        rows = {normalise_domain(e.domain): filled(e, default) for e in controls.entries}
        return cls(MappingProxyType(rows), filled(default, default))

    def lookup(self, domain: str) -> Destination:
        row = next((self.rows[k] for k in domain_keys(domain) if k in self.rows), self.default)
        return Destination(domain, row)


def lookup(controls: DestinationControls, domain: str) -> DestinationEntry:
    """The filled entry for `domain` under `controls` not compiled (a candidate
    configuration, a trace): the same rule as `DestinationTable.lookup`."""
    return DestinationTable.compile(controls).lookup(domain).entry


def filled(entry: DestinationEntry, default: DestinationEntry) -> DestinationEntry:
    """`entry` with every "Default" field taken from the DEFAULT row."""
    # A recipient limit stays the entry's own: "no limit" is a valid choice per domain.
    return replace(
        entry,
        tls=entry.tls or default.tls or TLSMode.NO,
        dane=entry.dane or default_dane(default),
        mta_sts=_pick(entry.mta_sts, default_mta_sts(default)),
        tls_failure=entry.tls_failure or default_tls_failure(default),
        max_concurrency=_pick(entry.max_concurrency, default.max_concurrency),
        max_msgs_per_connection=_pick(
            entry.max_msgs_per_connection, default.max_msgs_per_connection
        ),
    )


def _pick(mine: V | None, theirs: V | None) -> V | None:
    return theirs if mine is None else mine
