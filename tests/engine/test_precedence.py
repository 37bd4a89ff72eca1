"""The precedence rule as tables: destination control x DANE x MTA-STS -> the requirement,
and the proof that no row lets DNS lower what the administrator set."""

from __future__ import annotations

import dataclasses
import itertools

import pytest

from engine.outbound.dane import DaneResult, TlsaState
from engine.outbound.policy import Action as PolicyAction
from engine.outbound.policy import Outcome, TlsResult, decide
from engine.outbound.precedence import (
    Action,
    Check,
    Facts,
    Mechanism,
    StsMode,
    at_least,
    effective,
    from_destconfig,
)
from engine.outbound.verdict import Session, judge, would_refuse
from state.model import DaneMode, TlsFailure, TLSMode

D, MX = "partner.test", "mx.partner.test"
N, P, R, PV, RV = (TLSMode.NO, TLSMode.PREFERRED, TLSMode.REQUIRED, TLSMode.PREFERRED_VERIFY,
                   TLSMode.REQUIRED_VERIFY)
OPP, MAN = DaneMode.OPPORTUNISTIC, DaneMode.MANDATORY
U, UU, NR, INS, BOG, FAIL = (TlsaState.USABLE, TlsaState.UNUSABLE, TlsaState.NO_RECORDS,
                             TlsaState.INSECURE, TlsaState.BOGUS, TlsaState.FAILED)
NONE, TEST, ENF = StsMode.NONE, StsMode.TESTING, StsMode.ENFORCE
DC, DANE, STS = Mechanism.DESTCONFIG, Mechanism.DANE, Mechanism.MTA_STS
PKIX_, DANE_ = frozenset({Check.PKIX}), frozenset({Check.DANE})
EMPTY = frozenset[Check]()


def facts(level: TLSMode, dane: DaneMode = DaneMode.NO, tlsa: TlsaState = INS,
          sts: StsMode = NONE, match: bool = True, **kw: object) -> Facts:
    return Facts(D, MX, level, dane, tlsa, sts=sts, sts_mx_matches=match, **kw)  # type: ignore[arg-type]


# (level, dane, tlsa, sts, mx matches) -> (decided by, starttls, encrypt, checks, refusal)
ROWS = [
    ((N, DaneMode.NO, U, NONE, True), (DC, False, False, EMPTY, None)),
    ((P, DaneMode.NO, U, NONE, True), (DC, True, False, EMPTY, None)),
    ((RV, DaneMode.NO, INS, NONE, True), (DC, True, True, PKIX_, None)),
    ((N, OPP, U, NONE, True), (DANE, True, True, DANE_, None)),
    ((P, OPP, U, ENF, True), (DANE, True, True, DANE_, None)),  # DANE first, STS ignored
    ((RV, OPP, U, NONE, True), (DANE, True, True, PKIX_ | DANE_, None)),  # both, never less
    ((P, OPP, UU, NONE, True), (DANE, True, True, EMPTY, None)),  # §2.2: encrypt, no auth
    ((P, OPP, NR, NONE, True), (DC, True, False, EMPTY, None)),
    ((P, OPP, INS, ENF, True), (STS, True, True, PKIX_, None)),  # insecure: MTA-STS next
    ((P, OPP, BOG, NONE, True), (DANE, True, False, EMPTY, (Action.DEFER, "dnssec-invalid"))),
    ((N, OPP, BOG, ENF, True), (DANE, False, False, EMPTY, (Action.DEFER, "dnssec-invalid"))),
    ((P, OPP, FAIL, NONE, True), (DANE, True, False, EMPTY, (Action.DEFER, ""))),
    ((P, MAN, U, NONE, True), (DANE, True, True, DANE_, None)),
    ((P, MAN, UU, NONE, True), (DANE, True, False, EMPTY, (Action.DEFER, "dane-required"))),
    ((P, MAN, NR, ENF, True), (DANE, True, False, EMPTY, (Action.DEFER, "dane-required"))),
    ((P, MAN, INS, NONE, True), (DANE, True, False, EMPTY, (Action.DEFER, "dane-required"))),
    ((P, DaneMode.NO, U, ENF, True), (STS, True, True, PKIX_, None)),  # DANE off: STS
    ((N, DaneMode.NO, INS, ENF, True), (STS, True, True, PKIX_, None)),
    ((P, DaneMode.NO, INS, ENF, False),
     (STS, True, False, EMPTY, (Action.DEFER, "validation-failure"))),
    ((RV, DaneMode.NO, INS, ENF, True), (STS, True, True, PKIX_, None)),
    ((P, DaneMode.NO, INS, TEST, False), (DC, True, False, EMPTY, None)),  # testing: as before
    ((R, DaneMode.NO, INS, TEST, True), (DC, True, True, EMPTY, None)),
]


@pytest.mark.parametrize(("given", "wanted"), ROWS, ids=[str(i) for i in range(len(ROWS))])
def test_precedence_table(given: tuple[object, ...], wanted: tuple[object, ...]) -> None:
    level, dane, tlsa, sts, match = given
    req = effective(facts(level, dane, tlsa, sts, match))  # type: ignore[arg-type]
    refusal = (req.refuse.action, req.refuse.result_type) if req.refuse else None
    assert (req.decided_by, req.starttls, req.encrypt, req.checks, refusal) == wanted


def test_names_each_mechanism_checks() -> None:
    assert effective(facts(RV)).pkix_names == (D, MX)  # the Verify algorithm
    assert effective(facts(P, sts=ENF)).pkix_names == (MX,)  # RFC 8461 §4.1: the MX only
    assert effective(facts(RV, sts=ENF)).pkix_names == (MX,)  # both: what both accept
    assert effective(facts(P, OPP, U)).dane_names == (MX, D)  # RFC 7672 §3.2.2
    assert effective(facts(P, sts=TEST)).pkix_names == (MX,)  # verified for the record


ALL_FACTS = [
    facts(level, dane, tlsa, sts, match, failure=failure, requiretls=rt, tls_required_no=no)
    for level, dane, tlsa, sts, match, failure, rt, no in itertools.product(
        TLSMode, DaneMode, TlsaState, StsMode, (True, False), TlsFailure, (False, True),
        (False, True))
]


def test_no_row_lowers_the_destination_control() -> None:
    assert len(ALL_FACTS) == 5 * 3 * 6 * 3 * 2 * 2 * 2 * 2
    for f in ALL_FACTS:
        base = from_destconfig(f.level, D, MX, f.failure)
        assert at_least(effective(f), base), f


def test_the_floor_check_can_fail() -> None:
    required = from_destconfig(RV, D, MX, TlsFailure.DEFER)
    for lower in (N, P, R, PV):
        assert not at_least(from_destconfig(lower, D, MX, TlsFailure.DEFER), required)
    assert not at_least(from_destconfig(RV, D, MX, TlsFailure.BOUNCE), required)


def sessions() -> list[Session]:
    found = [Session(Outcome.NOT_OFFERED, reason="STARTTLS command not supported"),
             Session(Outcome.REFUSED_BEFORE_220, reason="454 TLS not available"),
             Session(Outcome.FAILED_AFTER_220, reason="handshake failure")]
    danes = (None, DaneResult(True), DaneResult(False, "no match", "tlsa-invalid"))
    for chain_ok, names, dane, rtls in itertools.product(
            (True, False), ((MX,), (D,), ("other.test",)), danes, (True, False)):
        reason = "" if chain_ok else "certificate has expired"
        found.append(Session(Outcome.OK, chain_ok, reason, names, None, dane, rtls))
    return found


def test_dns_never_delivers_where_the_control_would_not() -> None:
    """Over every row and every kind of session: delivery under the rule implies delivery
    under the control alone, and clear text under the rule implies clear text there."""
    every = sessions()
    for f in ALL_FACTS:
        req = effective(f)
        base = from_destconfig(f.level, D, MX, f.failure)
        for session in every:
            mine, floor = judge(req, session), judge(base, session)
            if mine.delivers:
                assert floor.delivers, (f, session)
            if mine.action is Action.CLEAR:
                assert floor.action is Action.CLEAR, (f, session)


def test_the_control_alone_judges_as_policy_decide() -> None:
    as_policy = {Action.CLEAR: PolicyAction.CLEAR, Action.TLS: PolicyAction.TLS,
                 Action.DEFER: PolicyAction.DEFER}
    for level in TLSMode:
        for outcome, chain_ok, name in itertools.product(Outcome, (True, False), (MX, "x.test")):
            verified = outcome is Outcome.OK and chain_ok and name == MX
            result = TlsResult(outcome, verified=verified, chain_ok=chain_ok)
            session = Session.of(result, san=(name,))
            mine = judge(from_destconfig(level, D, MX, TlsFailure.DEFER), session)
            assert as_policy[mine.action] is decide(level, result), (level, result)


def test_tls_failure_bounce_bounces_only_tls_failures() -> None:
    bounce = effective(facts(RV, failure=TlsFailure.BOUNCE))
    assert judge(bounce, Session(Outcome.NOT_OFFERED)).action is Action.BOUNCE
    assert judge(bounce, Session(Outcome.OK, False, "self-signed certificate", (MX,))).action \
        is Action.BOUNCE
    bogus = effective(facts(P, OPP, BOG, failure=TlsFailure.BOUNCE))
    assert bogus.refuse is not None and bogus.refuse.action is Action.DEFER  # DNS, not TLS
    mandatory = effective(facts(P, MAN, NR, failure=TlsFailure.BOUNCE))
    assert mandatory.refuse is not None and mandatory.refuse.action is Action.BOUNCE


@pytest.mark.parametrize(
    ("session", "action", "rtype"),
    [
        (Session(Outcome.NOT_OFFERED), Action.DEFER, "starttls-not-supported"),
        (Session(Outcome.OK, False, "certificate has expired", (MX,)), Action.DEFER,
         "certificate-expired"),
        (Session(Outcome.OK, False, "self-signed certificate", (MX,)), Action.DEFER,
         "certificate-not-trusted"),
        (Session(Outcome.OK, True, "", (D,)), Action.DEFER, "certificate-host-mismatch"),
        (Session(Outcome.OK, True, "", ("*.partner.test",)), Action.TLS, ""),
    ],
)
def test_mta_sts_enforce_outcomes(session: Session, action: Action, rtype: str) -> None:
    verdict = judge(effective(facts(P, sts=ENF)), session)
    assert (verdict.action, verdict.result_type) == (action, rtype)


def test_testing_delivers_as_before_and_says_what_enforce_would_refuse() -> None:
    req = effective(facts(P, sts=TEST))
    bad = Session(Outcome.OK, False, "self-signed certificate", (MX,))
    assert judge(req, bad).action is Action.TLS
    would = would_refuse(req, bad)
    assert would is not None and would.result_type == "certificate-not-trusted"
    assert "testing" in would.reason
    assert would_refuse(req, Session(Outcome.OK, True, "", (MX,))) is None
    outside = effective(facts(P, sts=TEST, match=False))
    assert judge(outside, Session(Outcome.NOT_OFFERED)).action is Action.CLEAR
    refused = would_refuse(outside, Session(Outcome.OK, True, "", (MX,)))
    assert refused is not None and refused.result_type == "validation-failure"
    off = would_refuse(effective(facts(N, sts=TEST)), Session(Outcome.NOT_OFFERED))
    assert off is not None and off.result_type == "starttls-not-supported"
    assert would_refuse(effective(facts(P)), bad) is None


def test_tls_required_no_sets_dns_aside_but_never_the_control() -> None:
    relaxed = effective(facts(RV, OPP, U, ENF, tls_required_no=True))
    assert relaxed == dataclasses.replace(from_destconfig(RV, D, MX, TlsFailure.DEFER),
                                          relaxed=True)
    report = effective(facts(P, MAN, NR, ENF, False, tls_report=True))
    assert report.refuse is None and report.decided_by is DC and report.relaxed


@pytest.mark.parametrize(
    ("given", "refused", "session", "action", "code"),
    [
        # DANE-authenticated, REQUIRETLS advertised: delivered.
        (facts(P, OPP, U), False, Session(Outcome.OK, dane=DaneResult(True), requiretls=True),
         Action.TLS, ""),
        # Authenticated, but the MX does not advertise REQUIRETLS.
        (facts(P, OPP, U), False, Session(Outcome.OK, dane=DaneResult(True)), Action.BOUNCE,
         "5.7.30"),
        # DANE mismatch: bounced, not deferred.
        (facts(P, OPP, U), False,
         Session(Outcome.OK, dane=DaneResult(False, "no match", "tlsa-invalid"), requiretls=True),
         Action.BOUNCE, "5.7.10"),
        (facts(P, sts=ENF), False, Session(Outcome.OK, True, "", (MX,), requiretls=True),
         Action.TLS, ""),
        (facts(P, sts=ENF), False, Session(Outcome.NOT_OFFERED), Action.BOUNCE, "5.7.10"),
        # Not authenticated by either: bounced before connecting, whatever the control says.
        (facts(RV), True, None, Action.BOUNCE, "5.7.10"),
        (facts(P, sts=TEST), True, None, Action.BOUNCE, "5.7.10"),
        (facts(P, OPP, UU), True, None, Action.BOUNCE, "5.7.10"),
        # TLS-Required: No is ignored for a REQUIRETLS message (RFC 8689 §4.1).
        (facts(P, tls_required_no=True), True, None, Action.BOUNCE, "5.7.10"),
        # A DNS failure behind a secure MX is retried.
        (facts(P, OPP, FAIL), True, None, Action.DEFER, ""),
    ],
)
def test_requiretls(given: Facts, refused: bool, session: Session | None, action: Action,
                    code: str) -> None:
    req = effective(dataclasses.replace(given, requiretls=True))
    assert req.requiretls and (req.refuse is not None) is refused
    verdict = judge(req, session or Session(Outcome.OK))
    assert verdict.action is action
    assert verdict.reason.startswith(code)
