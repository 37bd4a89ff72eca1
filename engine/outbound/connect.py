"""The connection delivery to one domain goes on: each target in order, STARTTLS as the
destination's TLS level asks, and what the STARTTLS table (`policy.after_starttls`)
answers, carried out here with the mail_logs line of each step.

An attempt is one connection, or two when the table says RECONNECT: the chain failed a
verifying handshake under a level that delivers unverified anyway, and the connection
without verification that follows is the attempt. Every connection gets its own DCID;
when one ends, the TLS statistics are told what it did (`OutboundStats`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol

from engine.errors import ConnectError
from engine.maillog import MailLog
from engine.outbound import policy, reasons, smtpconn
from engine.outbound.destinations import Destination
from engine.outbound.jobs import Result
from engine.outbound.policy import Action, Outcome, TlsResult
from engine.outbound.resolver import Target
from engine.runtime import OutboundRuntime
from state.model import Authorities, TLSMode

TlsFailure = Callable[[str, str], None]  # (domain, reason) when required TLS failed


class OutboundStats(Protocol):
    """Told each delivery attempt's TLS when its connection ends (engine/tlsstats)."""

    def outbound(self, dcid: int, domain: str, level: TLSMode, conn: Any, delivered: int,
                 authorities: Authorities) -> None: ...


@dataclass
class Open:
    """A connection mail may go on."""

    conn: smtpconn.Connection
    dcid: int
    delivered: int = 0  # messages delivered on this connection


@dataclass
class Connector:
    outbound: OutboundRuntime
    destination: Destination
    log: MailLog
    next_dcid: Callable[[], int]
    tls_failure: TlsFailure
    stats: OutboundStats | None = None

    @property
    def level(self) -> TLSMode:
        return self.destination.level

    async def usable(self, targets: tuple[Target, ...]) -> tuple[Open | None, Result]:
        """A connection mail may go on, or the deferral of the last target tried."""
        failed = Result("deferred", reasons.NO_MX_REACHABLE)
        for target in targets:
            opened, result = await self._open(target)
            if opened is not None:
                return opened, failed
            failed = result
        return None, failed

    async def close(self, opened: Open) -> None:
        await opened.conn.quit()
        self.log.close_dcid(opened.dcid)
        self._recorded(opened)

    async def _open(self, target: Target) -> tuple[Open | None, Result]:
        verifying = policy.wants_verify(self.level)
        while True:
            opened = await self._connect(target)
            if isinstance(opened, Result):
                return None, opened
            action, why = await self._negotiate(opened, verifying)
            if action in (Action.CLEAR, Action.TLS):
                return opened, Result("deferred", "", opened.dcid)
            await opened.conn.quit()
            self.log.close_dcid(opened.dcid)
            if action is Action.RECONNECT and verifying:  # (never twice: see Outcome)
                verifying = False
                continue
            self._recorded(opened)
            return None, Result("deferred", why, opened.dcid)

    async def _connect(self, target: Target) -> Open | Result:
        """A new connection, greeted, or the deferral of a failed one."""
        dcid = self.next_dcid()
        try:
            conn = await smtpconn.connect(target, self.outbound.hostname)
        except ConnectError as exc:
            self.log.dcid_connect_failed(dcid, target.ip, target.port, exc.reason)
            return Result("deferred", reasons.CONNECTION_FAILED(exc.reason), dcid)
        local = conn.smtp.get_transport_info("sockname")
        self.log.new_dcid(dcid, local[0] if local else "0.0.0.0", target.ip, target.port)
        return Open(conn, dcid)

    async def _negotiate(self, opened: Open, verifying: bool) -> tuple[Action, str]:
        """STARTTLS as the level asks, and what the table makes of it (with the
        deferral reason when it defers)."""
        level, conn, dcid = self.level, opened.conn, opened.dcid
        if not policy.wants_starttls(level):
            return Action.CLEAR, ""
        candidates = (self.destination.domain, conn.target.host)
        context = self.outbound.contexts.for_verify(verifying)
        result = await smtpconn.starttls(conn, context, verifying, candidates)
        self._log_tls(dcid, conn, result, verifying)
        action = policy.after_starttls(level, result)
        if action is Action.DEFER:
            return action, self._tls_deferred(dcid, conn.target, result)
        return action, ""

    def _tls_deferred(self, dcid: int, target: Target, result: TlsResult) -> str:
        reason = result.reason or reasons.CHAIN_NOT_VERIFIED
        required = policy.is_required(self.level)
        if required:
            self.log.dcid_tls_required(dcid, target.ip)
            self.tls_failure(self.destination.domain, reason)
        return (reasons.TLS_REQUIRED_FAILED if required else reasons.TLS_FAILED)(reason)

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
                                opened.delivered, self.outbound.authorities)
