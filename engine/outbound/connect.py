"""The connection delivery to one domain goes on: each target in order, under the TLS
requirement the precedence rule gives for it (precedence.py: the destination control as
the floor, raised by DANE or MTA-STS, shaped by what the messages ask), STARTTLS with the
context that requirement needs, and the verdict (verdict.py) carried out here with the
mail_logs line of each step.

Per target, before connecting: the facts (its TLSA records, the MTA-STS policy) and the
requirement; one that refuses the MX (a bogus or failed TLSA lookup, Mandatory DANE
without TLSA, an MX outside an MTA-STS enforce policy, REQUIRETLS to an MX nothing
authenticates) opens no connection at all. After STARTTLS: the verdict. An attempt is one
connection, or two when the verdict cannot be carried out on the first one (RECONNECT: a
verifying handshake failed where verification was only for the record); the second is
judged again, DANE and all. A target that bounces lets the next one be tried; the mail
bounces only when every target did. Every connection gets its own DCID; when one ends, the
TLS statistics are told what it did (`OutboundStats`), and each attempt counts for the
day's TLS report (dnspolicy.DnsPolicies).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Protocol

from engine.errors import ConnectError
from engine.maillog import MailLog
from engine.messageflags import Flags
from engine.outbound import dnspolicy, policy, precedence, reasons, smtpconn, tlsrpt
from engine.outbound.dane import TlsaLookup
from engine.outbound.destinations import Destination
from engine.outbound.dnspolicy import DnsPolicies, Plan
from engine.outbound.dnssec import SecureLookups
from engine.outbound.jobs import Result
from engine.outbound.policy import Action, Outcome, TlsResult
from engine.outbound.precedence import Check, Mechanism, Requirement
from engine.outbound.resolver import Target
from engine.outbound.verdict import Session, Verdict, judge, would_refuse
from engine.runtime import OutboundRuntime
from state.model import Authorities, TLSMode

TlsFailure = Callable[[str, str], None]  # (domain, reason) when required TLS failed
Connected = Callable[[str, bool], None]  # (domain, greeted) after each attempt: hoststatus
_OWN_STATUS = ("5.7.10 ", "5.7.30 ")  # REQUIRETLS reasons carry RFC 8689's codes
REQUIRETLS = "REQUIRETLS"


class OutboundStats(Protocol):
    """Told each delivery attempt's TLS when its connection ends (engine/tlsstats)."""

    def outbound(self, dcid: int, domain: str, level: TLSMode, conn: Any, delivered: int,
                 authorities: Authorities, req: Requirement | None = None,
                 session: Session | None = None) -> None: ...


@dataclass
class Open:
    """A connection mail may go on, and the requirement it was judged under."""

    conn: smtpconn.Connection
    dcid: int
    req: Requirement
    delivered: int = 0  # messages delivered on this connection
    session: Session | None = None


@dataclass(frozen=True)
class Judged:
    """One connection's STARTTLS under its requirement."""

    action: Action
    verdict: Verdict
    would: Verdict | None  # MTA-STS testing: what enforce would have refused
    session: Session | None


@dataclass
class Connector:
    outbound: OutboundRuntime
    destination: Destination
    log: MailLog
    next_dcid: Callable[[], int]
    tls_failure: TlsFailure
    lookups: SecureLookups  # the resolver's, for TLSA records
    stats: OutboundStats | None = None
    policies: DnsPolicies = field(default_factory=DnsPolicies)
    connected: Connected = lambda domain, up: None
    _known: dict[tuple[str, Flags], tuple[Requirement, TlsaLookup]] = field(
        default_factory=dict, init=False)

    @property
    def level(self) -> TLSMode:
        return self.destination.level

    async def usable(self, targets: tuple[Target, ...], plan: Plan) -> tuple[Open | None, Result]:
        """A connection mail may go on, or why there is none: bounced only when every
        target bounced, else the last deferral."""
        failures: list[Result] = []
        for target in targets:
            opened, result = await self._open(target, plan)
            if opened is not None:
                return opened, result
            failures.append(result)
        kept = [r for r in failures if r.status != "bounced"] or failures
        return None, kept[-1] if kept else Result("deferred", reasons.NO_MX_REACHABLE)

    async def close(self, opened: Open) -> None:
        await opened.conn.quit()
        self.log.close_dcid(opened.dcid)
        self._recorded(opened)

    async def _requirement(self, target: Target, plan: Plan) -> tuple[Requirement, TlsaLookup]:
        """What delivering to `target` requires (looked up once per run and kind of message)."""
        key = (f"{target.host}\0{target.ip}", plan.flags)
        if key not in self._known:
            facts, tlsa = await dnspolicy.facts_for(
                self.destination.entry, self.destination.domain, plan.resolution, target,
                plan.sts, self.lookups, plan.flags)
            self._known[key] = (precedence.effective(facts), tlsa)
        return self._known[key]

    async def _open(self, target: Target, plan: Plan) -> tuple[Open | None, Result]:
        req, tlsa = await self._requirement(target, plan)
        if req.refuse is not None:
            return None, await self._refused(target, req, tlsa, plan)
        verify, first_would = True, None
        while True:
            opened = await self._connect(target, req)
            if isinstance(opened, Result):
                return None, opened
            try:
                judged = await self._negotiate(opened, tlsa, verify)
                would = first_would or judged.would
                where = _where(opened.conn)  # (read before the connection may be closed)
                if judged.action in (Action.CLEAR, Action.TLS):
                    opened.session = judged.session
                    await self._record(req, judged.verdict, would, where, tlsa, plan)
                    return opened, Result("deferred", "", opened.dcid)
            except BaseException:  # cancelled (engine stop): the connection is not kept
                opened.conn.smtp.close()
                self.log.close_dcid(opened.dcid)
                raise
            again = judged.action is Action.RECONNECT and verify  # (never twice: see Outcome)
            failed = None if again else self._failed(opened, judged)
            await opened.conn.quit()
            self.log.close_dcid(opened.dcid)
            if failed is None:
                verify, first_would = False, judged.would
                continue
            opened.session = judged.session
            self._recorded(opened)
            await self._record(req, judged.verdict, would, where, tlsa, plan)
            return None, failed

    async def _connect(self, target: Target, req: Requirement) -> Open | Result:
        """A new connection, greeted, or the deferral of a failed one."""
        dcid = self.next_dcid()
        try:
            conn = await smtpconn.connect(target, self.outbound.hostname)
        except ConnectError as exc:
            self.log.dcid_connect_failed(dcid, target.ip, target.port, exc.reason)
            self.connected(self.destination.domain, False)
            code = "000" if exc.code is None else exc.code  # the server's, where it replied
            return Result("deferred", reasons.CONNECTION_FAILED(exc.detail, code), dcid)
        self.connected(self.destination.domain, True)
        self.log.new_dcid(dcid, _local_ip(conn), target.ip, target.port)
        self.log.dcid_tls_policy(dcid, self._decided_by(req), precedence.describe(req))
        return Open(conn, dcid, req)

    def _decided_by(self, req: Requirement) -> str:
        if req.decided_by is Mechanism.DESTCONFIG:
            return f"{req.decided_by.value} {self.destination.control}"
        return req.decided_by.value

    async def _negotiate(self, opened: Open, tlsa: TlsaLookup, verify: bool) -> Judged:
        """STARTTLS as the requirement asks (`verify`: a verifying context may be used), and
        the verdict, as it can be carried out on this connection."""
        req, conn, dcid = opened.req, opened.conn, opened.dcid
        if not req.starttls:
            session = Session(Outcome.NOT_OFFERED)
            return Judged(Action.CLEAR, judge(req, session), would_refuse(req, session), None)
        context, verifying = dnspolicy.context_for(req, self.outbound.contexts)
        if not verify:
            context, verifying = self.outbound.contexts.plain, False
        result = await smtpconn.starttls(conn, context, verifying, req.pkix_names)
        self._log_tls(dcid, conn, result, verifying)
        session = dnspolicy.session_of(conn, result, req, tlsa, dt.datetime.now(dt.UTC))
        verdict, would = judge(req, session), would_refuse(req, session)
        self._log_dns_policy(dcid, req, session, would)
        return Judged(policy.on_connection(verdict.action, result.outcome), verdict, would,
                      session)

    def _failed(self, opened: Open, judged: Judged) -> Result:
        """The result of a connection its verdict does not deliver on."""
        req, verdict = opened.req, judged.verdict
        bounce = verdict.action is Action.BOUNCE
        detail = verdict.reason
        if not req.requiretls and judged.session is not None and judged.session.reason:
            detail = judged.session.reason  # OpenSSL's or the server's own words
        detail = detail or reasons.CHAIN_NOT_VERIFIED
        if req.encrypt and verdict.result_type:  # required TLS could not be had
            self.log.dcid_tls_required(opened.dcid, opened.conn.target.ip)
            self.tls_failure(self.destination.domain, detail)
        return Result("bounced" if bounce else "deferred", self._reason(req, bounce, detail),
                      opened.dcid)

    def _reason(self, req: Requirement, bounce: bool, detail: str) -> str:
        if detail.startswith(_OWN_STATUS):
            return detail
        if req.decided_by is not Mechanism.DESTCONFIG:
            return reasons.tls_required_by(req.decided_by.value, bounce)(detail)
        if bounce:
            return reasons.TLS_REQUIRED_BOUNCED(detail)
        return (reasons.TLS_REQUIRED_FAILED if req.encrypt else reasons.TLS_FAILED)(detail)

    async def _refused(self, target: Target, req: Requirement, tlsa: TlsaLookup,
                       plan: Plan) -> Result:
        """No connection to `target`: the requirement refuses it (logged, reported)."""
        refusal = req.refuse
        assert refusal is not None
        domain = self.destination.domain
        bounce = refusal.action is Action.BOUNCE
        if refusal.dns_problem:
            self.log.dns_lookup_failure(domain, target.host, refusal.reason)
            reason = reasons.DNS_LOOKUP_FAILURE(refusal.reason)
        else:  # (a REQUIRETLS refusal has no RFC 8460 type: no DNS policy refused it)
            by = self._decided_by(req) if refusal.result_type else REQUIRETLS
            self.log.mx_refused(domain, target.host, by, refusal.reason)
            reason = self._reason(req, bounce, refusal.reason)
            if refusal.result_type:  # a TLS requirement that cannot be met, not REQUIRETLS's
                self.tls_failure(domain, refusal.reason)
        verdict = judge(req, Session(Outcome.OK))
        await self._record(req, verdict, None, tlsrpt.Where(receiving_ip=target.ip), tlsa, plan)
        return Result("bounced" if bounce else "deferred", reason)

    async def _record(self, req: Requirement, verdict: Verdict, would: Verdict | None,
                      where: tlsrpt.Where, tlsa: TlsaLookup, plan: Plan) -> None:
        if self.policies.reports is None or not self.outbound.tlsrpt.enabled:
            return
        policy_string, mx = dnspolicy.policy_of(req, tlsa, plan.sts)
        await self.policies.record(
            tlsrpt.session_result(req, verdict, would, where, policy_string, mx))

    def _log_dns_policy(self, dcid: int, req: Requirement, session: Session,
                        would: Verdict | None) -> None:
        if Check.DANE in req.checks and session.outcome is Outcome.OK:
            dane = session.dane
            if dane is not None and dane.ok and dane.matched is not None:
                self.log.dcid_dane_success(dcid, self.destination.domain, dane.matched.text())
            else:
                why = dane.reason if dane is not None else reasons.DANE_NO_CHAIN
                self.log.dcid_dane_failed(dcid, self.destination.domain, why)
        if would is not None:
            self.log.dcid_sts_would_refuse(dcid, would.reason)

    def _log_tls(self, dcid: int, conn: smtpconn.Connection, result: TlsResult,
                 verifying: bool) -> None:
        if result.outcome is Outcome.NOT_OFFERED:
            self.log.dcid_no_starttls(dcid)
        elif result.outcome is not Outcome.OK:
            self.log.dcid_tls_failed(dcid, result.reason)
        else:
            self.log.dcid_tls_success(dcid, conn.protocol, conn.cipher)
            if result.verified:
                self.log.dcid_tls_verified(dcid, result.matched_name or "")
            elif verifying:
                self.log.dcid_tls_not_verified(dcid, result.reason)

    def _recorded(self, opened: Open) -> None:
        if self.stats is not None:
            self.stats.outbound(opened.dcid, self.destination.domain, self.level, opened.conn,
                                opened.delivered, self.outbound.authorities, opened.req,
                                opened.session)


def _local_ip(conn: smtpconn.Connection) -> str:
    return conn.local_ip or "0.0.0.0"


def _where(conn: smtpconn.Connection) -> tlsrpt.Where:
    """The connection's ends, and the name the MX gave in its EHLO reply (TLS-RPT's
    receiving-mx-helo), while the connection is still there."""
    response = conn.smtp.ehlo_reply
    words = response.text.split(None, 1) if response is not None else []
    return tlsrpt.Where(_local_ip(conn), conn.target.ip, words[0] if words else "")

