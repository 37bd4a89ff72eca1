"""What to do with a connection once STARTTLS has run, under a `precedence.Requirement`.

Pure. `Session` holds the facts of one connection (what STARTTLS did, whether the chain
verified against the trusted CAs, the certificate's names, the DANE check, whether the EHLO
after TLS advertised REQUIRETLS); `judge` turns requirement and facts into a `Verdict`
with the RFC 8460 result type of any failure. For a requirement that is the destination
control alone, `judge` says exactly what `policy.decide` says (a test holds them together),
so the integration can switch over without changing any delivery. A TLS verdict on a
VERIFY_FAILED session cannot be carried out on that connection (OpenSSL closed it):
`policy.on_connection` turns it into RECONNECT, and the new connection is judged again.
"""

from __future__ import annotations

from dataclasses import dataclass

from engine.outbound import reasons
from engine.outbound.dane import DaneResult
from engine.outbound.policy import Outcome, TlsResult, match_certificate
from engine.outbound.precedence import Action, Check, Requirement
from state.model import TlsFailure


@dataclass(frozen=True)
class Session:
    outcome: Outcome
    chain_ok: bool = False  # the chain verified against the trusted CAs
    chain_reason: str = ""  # OpenSSL's words when it did not
    san: tuple[str, ...] = ()
    cn: str | None = None
    dane: DaneResult | None = None
    requiretls: bool = False  # the EHLO after TLS advertised REQUIRETLS
    reason: str = ""  # why STARTTLS was not offered, refused or broke

    @classmethod
    def of(cls, result: TlsResult, san: tuple[str, ...] = (), cn: str | None = None,
           dane: DaneResult | None = None, requiretls: bool = False) -> Session:
        """From smtpconn's TlsResult and the peer certificate's names."""
        # A chain OpenSSL refused in the handshake did not verify, whatever else is said.
        chain_ok = result.chain_ok and result.outcome is not Outcome.VERIFY_FAILED
        return cls(result.outcome, chain_ok, result.reason if not chain_ok else "",
                   san, cn, dane, requiretls, result.reason)


@dataclass(frozen=True)
class Verdict:
    action: Action
    reason: str = ""
    result_type: str = ""  # RFC 8460: why the TLS session failed; "" when it did not
    verified: bool = False  # the PKIX check passed (for the logs)
    matched_name: str | None = None
    tried_tls: bool = False  # a TLS session was attempted: it counts in a TLS report

    @property
    def delivers(self) -> bool:
        return self.action in (Action.CLEAR, Action.TLS)


def judge(req: Requirement, session: Session) -> Verdict:
    if req.refuse is not None:
        refusal = req.refuse
        return Verdict(refusal.action, refusal.reason, refusal.result_type)
    if not req.starttls:
        return Verdict(Action.CLEAR)
    if session.outcome in (Outcome.NOT_OFFERED, Outcome.REFUSED_BEFORE_220):
        why = session.reason or reasons.TLS_NOT_OFFERED
        if req.encrypt:
            return _failed(req, why, "starttls-not-supported")
        return Verdict(Action.CLEAR, why, "starttls-not-supported", tried_tls=True)
    if session.outcome is Outcome.FAILED_AFTER_220:
        # Never clear text on a connection whose handshake started: it may be an attack.
        if req.encrypt:
            return _failed(req, session.reason, "validation-failure")
        return Verdict(Action.DEFER, session.reason, "validation-failure", tried_tls=True)
    return _encrypted(req, session)


def _encrypted(req: Requirement, session: Session) -> Verdict:
    match = match_certificate(session.san, session.cn, req.pkix_names) if req.pkix_names else None
    verified = session.chain_ok and match is not None
    name = match[0] if match else None
    if Check.PKIX in req.checks and not verified:
        return _failed(req, _pkix_reason(session, req), pkix_result_type(session, match))
    if Check.DANE in req.checks and not (session.dane and session.dane.ok):
        dane = session.dane or DaneResult(False, reasons.DANE_NO_CHAIN, "validation-failure")
        return _failed(req, dane.reason, dane.result_type)
    if req.requiretls and not session.requiretls:
        why = reasons.REQUIRETLS_NOT_ADVERTISED.format(host=req.mx_host)
        return Verdict(Action.BOUNCE, why, tried_tls=True)
    return Verdict(Action.TLS, verified=verified, matched_name=name, tried_tls=True)


def _failed(req: Requirement, why: str, result_type: str) -> Verdict:
    action = Action.BOUNCE if req.failure is TlsFailure.BOUNCE else Action.DEFER
    if req.requiretls:
        why = reasons.REQUIRETLS_NO_TLS.format(host=req.mx_host, reason=why)
    return Verdict(action, why, result_type, tried_tls=True)


def _pkix_reason(session: Session, req: Requirement) -> str:
    if not session.chain_ok:
        return reasons.TLS_NOT_VERIFIED.format(reason=session.chain_reason or reasons.TLS_UNTRUSTED)
    return reasons.name_mismatch(session.san, session.cn, req.pkix_names)


def pkix_result_type(session: Session, match: tuple[str, str] | None) -> str:
    if not session.chain_ok:
        expired = "expired" in session.chain_reason.lower()
        return "certificate-expired" if expired else "certificate-not-trusted"
    return "" if match else "certificate-host-mismatch"


def would_refuse(req: Requirement, session: Session) -> Verdict | None:
    """MTA-STS testing: the verdict enforce would have given, when it would not deliver.

    None when there is no testing policy or enforce would have delivered. A session that
    never tried TLS (the destination control says No) cannot tell: enforce would have
    demanded TLS, so it counts as refused with starttls-not-supported.
    """
    if req.shadow is None:
        return None
    if not req.starttls:
        return Verdict(Action.DEFER, reasons.STS_TESTING_WOULD_REFUSE.format(
            domain=req.domain, reason=reasons.TLS_OFF), "starttls-not-supported")
    verdict = judge(req.shadow, session)
    if verdict.delivers:
        return None
    why = reasons.STS_TESTING_WOULD_REFUSE.format(domain=req.domain, reason=verdict.reason)
    return Verdict(verdict.action, why, verdict.result_type, tried_tls=verdict.tried_tls)
