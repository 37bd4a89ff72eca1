"""The precedence rule: what TLS one delivery to one MX requires, given the destination
control, the domain's DANE state and its MTA-STS policy, and what to do once STARTTLS has
run. Pure: the facts come in typed, nothing here touches DNS, sockets or the clock.

The rule (issue 12; written once, here):

1. The destination control is the administrator's floor. DANE and MTA-STS apply only where
   the control enables them (DANE support, MTA-STS), and they can only raise it: every field
   of the result is at least as strict as the control alone (`at_least`).
2. DANE decides when the MX and its TLSA records are DNSSEC-validated and one record is
   usable: TLS is mandatory and the chain must match a TLSA record (RFC 7672). Secure TLSA
   records that are all unusable still make TLS mandatory, unauthenticated (§2.2). A bogus
   TLSA answer or a failed lookup behind a secure MX: no delivery to that MX (deferred,
   never in clear). Mandatory DANE without usable TLSA: no delivery (dane-required).
3. Otherwise MTA-STS, when a valid policy is cached: enforce makes TLS mandatory with a
   certificate that chains to a trusted CA and names the MX host, and refuses an MX outside
   the policy's `mx` patterns; testing changes nothing and `shadow` says what enforce would
   have required, so the refusal can be recorded (TLS-RPT) without refusing.
4. Otherwise the destination control alone.
5. A message with `TLS-Required: No` (RFC 8689 §4.1) or one of our own TLS reports
   (RFC 8460 §5.3) gets the destination control alone: DNS policy is not applied to it,
   and nothing goes below the control. A REQUIRETLS message (RFC 8689) may go only to an
   MX that DANE or an MTA-STS enforce policy authenticates, over TLS that passed those
   checks, whose EHLO advertises REQUIRETLS; otherwise it is bounced, never deferred.

A failure to meet a requirement defers or bounces as the control's TLS failure setting
says; a DNS problem (bogus, lookup failure) always defers: it is not a TLS failure.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, replace

from engine.outbound import reasons
from engine.outbound.dane import TlsaState
from engine.outbound.policy import Action, is_required, wants_starttls
from state.model import DaneMode, TlsFailure, TLSMode


class Mechanism(enum.Enum):
    DESTCONFIG = "destination control"
    DANE = "DANE"
    MTA_STS = "MTA-STS"


class Check(enum.Enum):
    PKIX = "PKIX"  # chain to a trusted CA and a reference name in the certificate
    DANE = "DANE"  # the chain matches a usable TLSA record


class StsMode(enum.Enum):
    NONE = "none"  # no valid policy (or MTA-STS not enabled for the destination)
    TESTING = "testing"
    ENFORCE = "enforce"


@dataclass(frozen=True)
class Facts:
    domain: str
    mx_host: str
    level: TLSMode  # the destination control's TLS setting, inheritance resolved
    dane: DaneMode = DaneMode.NO
    tlsa: TlsaState = TlsaState.INSECURE
    tlsa_reason: str = ""  # why a TLSA lookup was bogus or failed
    sts: StsMode = StsMode.NONE
    sts_mx_matches: bool = False
    failure: TlsFailure = TlsFailure.DEFER
    requiretls: bool = False
    tls_required_no: bool = False  # the message's TLS-Required: No header
    tls_report: bool = False  # the message is a TLS-RPT report of ours


@dataclass(frozen=True)
class Refusal:
    """Do not deliver to this MX at all (before connecting)."""

    action: Action  # DEFER or BOUNCE
    reason: str
    result_type: str = ""  # RFC 8460 result type; "" when it is none
    dns_problem: bool = False  # bogus or failed DNS: always retried, never a TLS failure


@dataclass(frozen=True)
class Requirement:
    domain: str
    mx_host: str
    starttls: bool  # issue STARTTLS at all
    encrypt: bool  # no clear text: a missing or failed STARTTLS fails the delivery
    checks: frozenset[Check]  # must all pass
    pkix_names: tuple[str, ...]  # reference names of the PKIX check (and its logging)
    dane_names: tuple[str, ...]  # reference names of DANE-TA
    log_verify: bool  # verify the chain for the logs, deliver anyway (Preferred - Verify)
    decided_by: Mechanism
    failure: TlsFailure
    policy_type: str = "no-policy-found"  # RFC 8460 policy-type of this delivery
    refuse: Refusal | None = None
    shadow: Requirement | None = None  # MTA-STS testing: what enforce would require
    requiretls: bool = False
    relaxed: bool = False  # TLS-Required: No (or a report) set DNS policy aside
    report_mail: bool = False  # a TLS-RPT report of ours: never itself reported


def from_destconfig(level: TLSMode, domain: str, mx_host: str, failure: TlsFailure) -> Requirement:
    """The destination control alone: the table in `policy.py`."""
    verify = level in (TLSMode.PREFERRED_VERIFY, TLSMode.REQUIRED_VERIFY)
    return Requirement(
        domain=domain, mx_host=mx_host,
        starttls=wants_starttls(level), encrypt=is_required(level),
        checks=frozenset({Check.PKIX}) if level is TLSMode.REQUIRED_VERIFY else frozenset(),
        pkix_names=(domain, mx_host) if verify else (), dane_names=(),
        log_verify=level is TLSMode.PREFERRED_VERIFY, decided_by=Mechanism.DESTCONFIG,
        failure=failure,
    )


def _raise(base: Requirement, by: Mechanism, checks: frozenset[Check],
           pkix_names: tuple[str, ...] = (), dane_names: tuple[str, ...] = ()) -> Requirement:
    """`base` made at least as strict as mandatory TLS with `checks`."""
    if Check.PKIX in checks and Check.PKIX in base.checks:
        names = tuple(n for n in base.pkix_names if n in pkix_names) or pkix_names
    else:
        names = pkix_names if Check.PKIX in checks else base.pkix_names
    return replace(
        base, starttls=True, encrypt=True, checks=base.checks | checks, pkix_names=names,
        dane_names=dane_names or base.dane_names, decided_by=by,
    )


def _refuse(base: Requirement, by: Mechanism, refusal: Refusal, policy_type: str) -> Requirement:
    return replace(base, decided_by=by, refuse=refusal, policy_type=policy_type)


def effective(facts: Facts) -> Requirement:
    """The requirement for one delivery to one MX."""
    base = from_destconfig(facts.level, facts.domain, facts.mx_host, facts.failure)
    base = replace(base, report_mail=facts.tls_report)
    if (facts.tls_required_no or facts.tls_report) and not facts.requiretls:
        return replace(base, relaxed=True)
    found = _by_dane(base, facts)
    if found is None:
        found = _by_sts(base, facts)
    if facts.requiretls:
        return _requiretls(found, facts)
    return found


def _by_dane(base: Requirement, facts: Facts) -> Requirement | None:
    if facts.dane is DaneMode.NO:
        return None
    host, state = facts.mx_host, facts.tlsa
    if state is TlsaState.USABLE:
        return replace(_raise(base, Mechanism.DANE, frozenset({Check.DANE}),
                              dane_names=(facts.mx_host, facts.domain)), policy_type="tlsa")
    if state is TlsaState.BOGUS:
        why = reasons.DANE_BOGUS.format(host=host, reason=facts.tlsa_reason)
        refusal = Refusal(Action.DEFER, why, "dnssec-invalid", dns_problem=True)
        return _refuse(base, Mechanism.DANE, refusal, "tlsa")
    if state is TlsaState.FAILED:
        why = reasons.DANE_LOOKUP_FAILED.format(host=host, reason=facts.tlsa_reason)
        refusal = Refusal(Action.DEFER, why, dns_problem=True)
        return _refuse(base, Mechanism.DANE, refusal, "tlsa")
    if facts.dane is DaneMode.MANDATORY:
        refusal = Refusal(_fail(facts.failure), reasons.DANE_REQUIRED.format(host=host),
                          "dane-required")
        return _refuse(base, Mechanism.DANE, refusal, "tlsa")
    if state is TlsaState.UNUSABLE:
        return replace(_raise(base, Mechanism.DANE, frozenset()), policy_type="tlsa")
    return None  # insecure or no TLSA records: DANE does not apply


def _by_sts(base: Requirement, facts: Facts) -> Requirement:
    if facts.sts is StsMode.NONE:
        return base
    enforce = _sts_enforce(base, facts)
    if facts.sts is StsMode.ENFORCE:
        return enforce
    testing = base
    if base.starttls and Check.PKIX not in base.checks:
        # Verify for the record, deliver as before (encrypted anyway, as Preferred - Verify).
        testing = replace(base, log_verify=True, pkix_names=base.pkix_names or (facts.mx_host,))
    return replace(testing, shadow=enforce, policy_type="sts")


def _sts_enforce(base: Requirement, facts: Facts) -> Requirement:
    if not facts.sts_mx_matches:
        why = reasons.STS_MX_MISMATCH.format(domain=facts.domain, host=facts.mx_host)
        refusal = Refusal(_fail(facts.failure), why, "validation-failure")
        return _refuse(base, Mechanism.MTA_STS, refusal, "sts")
    raised = _raise(base, Mechanism.MTA_STS, frozenset({Check.PKIX}), pkix_names=(facts.mx_host,))
    return replace(raised, policy_type="sts")


def _requiretls(found: Requirement, facts: Facts) -> Requirement:
    if found.refuse is not None and found.refuse.dns_problem:
        return replace(found, requiretls=True)  # retried: the MX may yet prove itself
    authenticated = found.refuse is None and (
        Check.DANE in found.checks
        or (found.decided_by is Mechanism.MTA_STS and Check.PKIX in found.checks)
    )
    if not authenticated:
        why = reasons.REQUIRETLS_NO_POLICY.format(host=facts.mx_host)
        return replace(found, refuse=Refusal(Action.BOUNCE, why), requiretls=True)
    return replace(found, requiretls=True, failure=TlsFailure.BOUNCE)


def at_least(mine: Requirement, floor: Requirement) -> bool:
    """Is `mine` at least as strict as `floor` in every respect? (The rule's first line.)"""
    if mine.refuse is not None:
        return True  # no delivery at all is the strictest
    if floor.refuse is not None:
        return False
    names_ok = Check.PKIX not in floor.checks or set(mine.pkix_names) <= set(floor.pkix_names)
    verify_ok = not floor.log_verify or mine.log_verify or Check.PKIX in mine.checks
    return (
        (mine.starttls or not floor.starttls)
        and (mine.encrypt or not floor.encrypt)
        and floor.checks <= mine.checks
        and names_ok
        and verify_ok
        and (mine.failure is floor.failure or mine.requiretls)
    )


def _fail(failure: TlsFailure) -> Action:
    return Action.BOUNCE if failure is TlsFailure.BOUNCE else Action.DEFER
