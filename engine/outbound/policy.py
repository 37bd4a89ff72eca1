"""Pure outbound policy: which destination control applies, what each STARTTLS outcome
means under each TLS level (the outbound table below) and which name of
a certificate matches. No sockets, clock or DNS in here: the whole table is testable.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from typing import TypeVar

from state.model import (
    DaneMode,
    DestinationControls,
    DestinationEntry,
    TlsFailure,
    TLSMode,
    replace,
)
from state.tls_levels import destination_entry
from state.validate_outbound import normalise_domain

V = TypeVar("V")


def lookup(controls: DestinationControls, domain: str) -> DestinationEntry:
    """The entry for `domain`: exact first, then the nearest `.parent` entry, then DEFAULT.

    The result is complete: fields the entry leaves unset (None, i.e. "Default")
    are filled from the DEFAULT row, so callers never resolve inheritance again.
    """
    return _filled(destination_entry(controls, domain), controls.default)


def _filled(entry: DestinationEntry, default: DestinationEntry) -> DestinationEntry:
    # A recipient limit stays the entry's own: "no limit" is a valid choice per domain.
    return replace(
        entry,
        tls=entry.tls or default.tls or TLSMode.NO,
        dane=entry.dane or default.dane or DaneMode.NO,
        mta_sts=_pick(entry.mta_sts, default.mta_sts) or False,
        tls_failure=entry.tls_failure or default.tls_failure or TlsFailure.DEFER,
        max_concurrency=_pick(entry.max_concurrency, default.max_concurrency),
        max_msgs_per_connection=_pick(
            entry.max_msgs_per_connection, default.max_msgs_per_connection
        ),
    )


def _pick(mine: V | None, theirs: V | None) -> V | None:
    return theirs if mine is None else mine


# -- the STARTTLS outcome table ---------------------------------------------


class Outcome(enum.Enum):
    NOT_OFFERED = "not offered"  # EHLO did not list STARTTLS
    REFUSED_BEFORE_220 = "refused"  # STARTTLS answered with anything but 220
    FAILED_AFTER_220 = "failed"  # the handshake broke after the 220
    OK = "ok"  # TLS is up (the certificate may or may not verify)


@dataclass(frozen=True)
class TlsResult:
    outcome: Outcome
    verified: bool = False  # chain ends at an enabled CA AND a name matched
    chain_ok: bool = False
    matched_name: str | None = None
    reason: str = ""


class Action(enum.Enum):
    CLEAR = "deliver in clear"
    TLS = "deliver over TLS"
    DEFER = "defer"


def wants_starttls(level: TLSMode) -> bool:
    return level is not TLSMode.NO


def wants_verify(level: TLSMode) -> bool:
    return level in (TLSMode.PREFERRED_VERIFY, TLSMode.REQUIRED_VERIFY)


def is_required(level: TLSMode) -> bool:
    return level in (TLSMode.REQUIRED, TLSMode.REQUIRED_VERIFY)


def decide(level: TLSMode, result: TlsResult) -> Action:
    """What to do with the connection after STARTTLS ended in `result`."""
    if level is TLSMode.NO:
        return Action.CLEAR
    if result.outcome in (Outcome.NOT_OFFERED, Outcome.REFUSED_BEFORE_220):
        return Action.DEFER if is_required(level) else Action.CLEAR
    if result.outcome is Outcome.FAILED_AFTER_220:
        # Never clear text on a connection whose handshake started: it may be an attack.
        return Action.DEFER
    if level is TLSMode.REQUIRED_VERIFY and not result.verified:
        return Action.DEFER
    return Action.TLS


# -- certificate names ------------------------------------------------------


def name_matches(pattern: str, name: str) -> bool:
    """RFC 6125 matching with a wildcard only as the whole left-most label."""
    pattern, name = normalise_domain(pattern), normalise_domain(name)
    if not pattern or not name:
        return False
    if not pattern.startswith("*."):
        return pattern == name
    rest = pattern[2:]
    if "*" in rest or rest.count(".") < 1:  # no "*.com" style wildcards
        return False
    head, _, tail = name.partition(".")
    return bool(head) and tail == rest


def match_certificate(
    san_dns: tuple[str, ...], common_name: str | None, candidates: tuple[str, ...]
) -> tuple[str, str] | None:
    """(presented name, candidate) of the first match, or None.

    The CN counts only when the certificate has no SAN dNSName (RFC 6125).
    """
    presented = san_dns if san_dns else ((common_name,) if common_name else ())
    for candidate in candidates:
        for name in presented:
            if name_matches(name, candidate):
                return name, candidate
    return None
