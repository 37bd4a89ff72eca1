"""Pure outbound policy: what each STARTTLS outcome means under each TLS level (the
outbound table below) and which name of a certificate matches. No sockets, clock or DNS
in here: the whole table is testable. Which destination control applies to a domain is
destinations.py's.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

from state.model import TLSMode
from state.validate_outbound import normalise_domain

# -- the STARTTLS outcome table ---------------------------------------------


class Outcome(enum.Enum):
    NOT_OFFERED = "not offered"  # EHLO did not list STARTTLS
    REFUSED_BEFORE_220 = "refused"  # STARTTLS answered with anything but 220
    FAILED_AFTER_220 = "failed"  # the handshake broke after the 220
    # A verifying handshake whose chain OpenSSL refused: TLS never came up, and OpenSSL
    # has closed the connection (only the verifying context, Verify levels, gives it).
    VERIFY_FAILED = "verify failed"
    OK = "ok"  # TLS is up (the certificate may or may not verify)


@dataclass(frozen=True)
class TlsResult:
    outcome: Outcome
    verified: bool = False  # chain ends at an enabled CA AND a name matched
    chain_ok: bool = False
    matched_name: str | None = None
    reason: str = ""


class Action(enum.Enum):
    """What delivery does after STARTTLS: the one vocabulary of this table and of the
    DNS-policy verdict (verdict.py). `decide` gives CLEAR, TLS or DEFER; `on_connection`
    adds RECONNECT; only a verdict under a DNS policy or a TLS-failure setting BOUNCEs."""

    CLEAR = "deliver in clear"
    TLS = "deliver over TLS"
    DEFER = "defer"
    BOUNCE = "bounce"
    # TLS without verification is acceptable but this connection is gone (VERIFY_FAILED):
    # close it and deliver on a new connection with the context that does not verify.
    RECONNECT = "deliver over TLS on a new connection that does not verify"


def wants_starttls(level: TLSMode) -> bool:
    return level is not TLSMode.NO


def wants_verify(level: TLSMode) -> bool:
    return level in (TLSMode.PREFERRED_VERIFY, TLSMode.REQUIRED_VERIFY)


def is_required(level: TLSMode) -> bool:
    return level in (TLSMode.REQUIRED, TLSMode.REQUIRED_VERIFY)


def decide(level: TLSMode, result: TlsResult) -> Action:
    """What the destination control allows after STARTTLS ended in `result`: CLEAR,
    TLS or DEFER (precedence.py's `judge` says the same for the control alone)."""
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


def after_starttls(level: TLSMode, result: TlsResult) -> Action:
    """What delivery does next with the connection STARTTLS left, under the destination
    control alone: the whole STARTTLS decision; the client only carries it out."""
    return on_connection(decide(level, result), result.outcome)


def on_connection(action: Action, outcome: Outcome) -> Action:
    """`action` as it can be carried out on the connection STARTTLS left: TLS after
    VERIFY_FAILED cannot go on that (closed) connection, so it is RECONNECT. (A DNS-policy
    verdict goes through here too; the new connection is judged again.)"""
    if action is Action.TLS and outcome is Outcome.VERIFY_FAILED:
        return Action.RECONNECT
    return action


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
