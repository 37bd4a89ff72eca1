"""The outbound STARTTLS table (engine/outbound/policy.py) as a table: every TLS level
against every way STARTTLS can end, and what delivery does next."""

from __future__ import annotations

import pytest

from engine.outbound.policy import (
    Action,
    Outcome,
    TlsResult,
    after_starttls,
    decide,
    on_connection,
)
from state.model import TLSMode

N, P, PV, R, RV = (TLSMode.NO, TLSMode.PREFERRED, TLSMode.PREFERRED_VERIFY, TLSMode.REQUIRED,
                   TLSMode.REQUIRED_VERIFY)
CLEAR, TLS, DEFER, RECONNECT = Action.CLEAR, Action.TLS, Action.DEFER, Action.RECONNECT

RESULTS = {
    "not offered": TlsResult(Outcome.NOT_OFFERED, reason="STARTTLS command not supported"),
    "refused": TlsResult(Outcome.REFUSED_BEFORE_220, reason="454 TLS not available"),
    "broke after 220": TlsResult(Outcome.FAILED_AFTER_220, reason="handshake failure"),
    "chain refused": TlsResult(Outcome.VERIFY_FAILED, reason="self-signed certificate"),
    "tls, name mismatch": TlsResult(Outcome.OK, chain_ok=True, reason="names differ"),
    "tls, verified": TlsResult(Outcome.OK, verified=True, chain_ok=True, matched_name="mx"),
    "tls, not checked": TlsResult(Outcome.OK),
}

#                          N      P          PV         R          RV
TABLE = {
    "not offered":        (CLEAR, CLEAR,     CLEAR,     DEFER,     DEFER),
    "refused":            (CLEAR, CLEAR,     CLEAR,     DEFER,     DEFER),
    "broke after 220":    (CLEAR, DEFER,     DEFER,     DEFER,     DEFER),
    "chain refused":      (CLEAR, RECONNECT, RECONNECT, RECONNECT, DEFER),
    "tls, name mismatch": (CLEAR, TLS,       TLS,       TLS,       DEFER),
    "tls, verified":      (CLEAR, TLS,       TLS,       TLS,       TLS),
    "tls, not checked":   (CLEAR, TLS,       TLS,       TLS,       DEFER),
}


@pytest.mark.parametrize("name", list(TABLE))
def test_after_starttls(name: str) -> None:
    got = tuple(after_starttls(level, RESULTS[name]) for level in (N, P, PV, R, RV))
    assert got == TABLE[name]


def test_every_outcome_is_in_the_table() -> None:
    assert {r.outcome for r in RESULTS.values()} == set(Outcome)


def test_reconnect_only_where_the_control_allows_tls() -> None:
    """RECONNECT is decide's TLS on a connection OpenSSL closed, nothing else."""
    for level in TLSMode:
        for result in RESULTS.values():
            action = after_starttls(level, result)
            if action is RECONNECT:
                assert decide(level, result) is TLS and result.outcome is Outcome.VERIFY_FAILED
            else:
                assert action is decide(level, result)


def test_on_connection_changes_only_tls_after_a_refused_chain() -> None:
    for action in Action:
        for outcome in Outcome:
            wanted = RECONNECT if (action, outcome) == (TLS, Outcome.VERIFY_FAILED) else action
            assert on_connection(action, outcome) is wanted
