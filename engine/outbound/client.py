"""Delivery of queued messages for one destination domain over SMTP (aiosmtplib).

`DomainDelivery.run` resolves the route, then runs up to the destination's
concurrency limit of workers; each opens a connection (trying the targets in
order), applies the STARTTLS table of `policy.after_starttls` and sends up to
`max_msgs_per_connection` messages on it before opening a fresh one. Every
recipient's result goes to `report` as soon as the remote reply is known, and
the next command on that connection waits until `report` returns, so the queue
makes it durable first.

One message never holds up another: an address that cannot be put on a command
line as it is (a control character, say, left by an older version) bounces that
recipient, or the whole message for a bad sender, without a word to the remote;
an unreadable spool file or any unexpected error defers that message alone, and
a connection in an unknown state is replaced for the messages after it.
"""

from __future__ import annotations

import asyncio
import re
from collections import deque
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, Protocol

import aiosmtplib
from aiosmtplib.email import quote_address

from engine.errors import ConnectError, SpoolError
from engine.maillog import MailLog
from engine.outbound import policy, smtpconn
from engine.outbound.destinations import Destination
from engine.outbound.policy import Action, Outcome
from engine.outbound.resolver import Kind, Resolution, Resolver, Target
from engine.runtime import OutboundRuntime
from state.controls import has_control
from state.model import Authorities, TLSMode

_EOL = re.compile(rb"\r\n|\r|\n")
READ_INLINE = 256 * 1024  # a larger message is read (and checked) off the event loop


def normalise_crlf(data: bytes) -> bytes:
    """Every line ending CRLF (no bare CR or LF leaves the gateway), ending in CRLF."""
    data = _EOL.sub(b"\r\n", data)
    return data if data.endswith(b"\r\n") else data + b"\r\n"


def unsendable(address: str) -> str | None:
    """Why `address` cannot go on a MAIL or RCPT command as it is, or None if it can.

    aiosmtplib refuses control characters and parses the rest with
    `email.utils.parseaddr`, which would quietly send another address (`a,b@x`
    goes out as `<a>`): anything it would change is refused here instead.
    """
    if has_control(address):
        return "address contains a control character"
    if not address.isascii():
        return "address is not ASCII (SMTPUTF8 is not supported)"
    try:
        quoted = quote_address(address)
    except ValueError:
        return "address cannot be sent as it is"
    return None if quoted == f"<{address}>" else "address cannot be sent as it is"


@dataclass
class Job:
    """One message's recipients in one domain."""

    mid: int
    sender: str
    rids: list[int]
    addresses: list[str]
    content: Callable[[], bytes]
    size: int = 0  # of the content, as spooled


@dataclass(frozen=True)
class Result:
    status: str  # "delivered", "deferred", "bounced", "dropped"
    reply: str  # the remote reply or our reason
    dcid: int | None = None


Report = Callable[[Job, dict[int, Result]], Awaitable[None]]
TlsFailure = Callable[[str, str], None]  # (domain, reason) when required TLS failed


class OutboundStats(Protocol):
    """Told each delivery attempt's TLS when its connection ends (engine/tlsstats)."""

    def outbound(self, dcid: int, domain: str, level: TLSMode, conn: Any, delivered: int,
                 authorities: Authorities) -> None: ...


@dataclass
class DomainDelivery:
    """Delivery to one domain under one version's outbound half (`outbound`), with the
    destination control the caller looked up for it (`destination`)."""

    outbound: OutboundRuntime
    destination: Destination
    resolver: Resolver
    log: MailLog
    next_dcid: Callable[[], int]
    report: Report
    tls_failure: TlsFailure = lambda domain, reason: None
    stats: OutboundStats | None = None

    @property
    def domain(self) -> str:
        return self.destination.domain

    @property
    def level(self) -> TLSMode:
        return self.destination.level

    async def run(self, jobs: list[Job]) -> None:
        jobs = await self._refuse_unsendable(jobs)
        if not jobs:
            return
        resolution = await self.resolver.route(self.outbound.routes, self.domain)
        if resolution.kind is not Kind.TARGETS:
            await self._unroutable(resolution, jobs)
            return
        queue = deque(jobs)
        per_conn = self.destination.per_connection
        workers = min(self.destination.concurrency, -(-len(jobs) // per_conn))
        # A TaskGroup, not gather: if a worker fails, the others stop with it rather
        # than deliver on behind the caller's back while it defers what is left.
        async with asyncio.TaskGroup() as group:
            for _ in range(workers):
                group.create_task(self._worker(resolution.targets, queue, per_conn))

    async def _refuse_unsendable(self, jobs: list[Job]) -> list[Job]:
        """Bounce what cannot be sent as it is (no connection needed); the jobs left."""
        left = []
        for job in jobs:
            refused = _refused_addresses(job)
            if refused:
                await self.report(job, refused)
            keep = [i for i, rid in enumerate(job.rids) if rid not in refused]
            if keep:
                left.append(Job(job.mid, job.sender, [job.rids[i] for i in keep],
                                [job.addresses[i] for i in keep], job.content, job.size))
        return left

    async def _unroutable(self, resolution: Resolution, jobs: list[Job]) -> None:
        if resolution.kind is Kind.DEVNULL:
            result = Result("dropped", "route /dev/null")
        elif resolution.kind is Kind.PERMANENT:
            result = Result("bounced", f"5.1.2 - Bad destination host ('000', ['{resolution.reason}'])")
        else:
            result = Result("deferred", f"4.4.0 - DNS or route failure ('000', ['{resolution.reason}'])")
        for job in jobs:
            await self.report(job, dict.fromkeys(job.rids, result))

    async def _worker(self, targets: tuple[Target, ...], queue: deque[Job], per_conn: int) -> None:
        while queue:
            conn, failed = await self._usable_connection(targets)
            if conn is None:
                while queue:  # nothing reachable: everything left waits for the retry
                    job = queue.popleft()
                    await self.report(job, dict.fromkeys(job.rids, failed))
                return
            dcid = conn.dcid
            try:
                sent = 0
                while queue and sent < per_conn and conn.conn.alive:
                    await self._send(conn, queue.popleft())
                    sent += 1
            finally:
                await conn.conn.quit()
                self.log.close_dcid(dcid)
                self._recorded(conn)

    async def _usable_connection(
        self, targets: tuple[Target, ...]
    ) -> tuple[_Open | None, Result]:
        """A connection mail may go on, or the deferral of the last target tried."""
        failed = Result("deferred", "4.4.1 - no mail exchanger reachable")
        for target in targets:
            opened, result = await self._open(target)
            if opened is not None:
                return opened, failed
            failed = result
        return None, failed

    async def _open(self, target: Target) -> tuple[_Open | None, Result]:
        """A connection to `target` mail may go on, or the deferral of the attempt.

        One connection, or two when `policy.after_starttls` says RECONNECT: the chain
        failed a verifying handshake under a level that delivers unverified anyway, and
        the connection without verification that follows is the attempt."""
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

    async def _connect(self, target: Target) -> _Open | Result:
        """A new connection, greeted, or the deferral of a failed one."""
        dcid = self.next_dcid()
        try:
            conn = await smtpconn.connect(target, self.outbound.hostname)
        except ConnectError as exc:
            self.log.dcid_connect_failed(dcid, target.ip, target.port, exc.reason)
            why = f"4.4.1 - Connection failed ('000', ['{exc.reason}'])"
            return Result("deferred", why, dcid)
        local = conn.smtp.get_transport_info("sockname")
        self.log.new_dcid(dcid, local[0] if local else "0.0.0.0", target.ip, target.port)
        return _Open(conn, dcid)

    async def _negotiate(self, opened: _Open, verifying: bool) -> tuple[Action, str]:
        """STARTTLS as the level asks, and what `policy.after_starttls` makes of it (with
        the deferral reason when it defers)."""
        level, conn, dcid = self.level, opened.conn, opened.dcid
        if not policy.wants_starttls(level):
            return Action.CLEAR, ""
        candidates = (self.domain, conn.target.host)
        context = self.outbound.contexts.for_verify(verifying)
        result = await smtpconn.starttls(conn, context, verifying, candidates)
        self._log_tls(dcid, conn, result, verifying)
        action = policy.after_starttls(level, result)
        if action is Action.DEFER:
            return action, self._tls_deferred(dcid, conn.target, result)
        return action, ""

    def _tls_deferred(self, dcid: int, target: Target, result: policy.TlsResult) -> str:
        reason = result.reason or "certificate does not verify"
        if policy.is_required(self.level):
            self.log.dcid_tls_required(dcid, target.ip)
            self.tls_failure(self.domain, reason)
        kind = "TLS required" if policy.is_required(self.level) else "TLS failed"
        return f"4.7.5 - {kind} ('000', ['{reason}'])"

    def _log_tls(self, dcid: int, conn: smtpconn.Connection, result: policy.TlsResult, verifying: bool) -> None:
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

    def _recorded(self, opened: _Open) -> None:
        if self.stats is not None:
            self.stats.outbound(opened.dcid, self.domain, self.level, opened.conn,
                                opened.delivered, self.outbound.authorities)

    async def _send(self, opened: _Open, job: Job) -> None:
        results = await self._attempt(opened, job)
        opened.delivered += any(r.status == "delivered" for r in results.values())
        await self.report(job, results)

    async def _attempt(self, opened: _Open, job: Job) -> dict[int, Result]:
        """One message's transaction; whatever goes wrong stays with this message."""
        dcid = opened.dcid

        def read() -> bytes:
            return normalise_crlf(job.content())

        try:
            content = read() if job.size < READ_INLINE else await asyncio.to_thread(read)
        except (SpoolError, OSError) as exc:
            why = f"4.3.0 - Message content unreadable ('000', ['{exc}'])"
            return dict.fromkeys(job.rids, Result("deferred", why, dcid))
        try:
            results = await _transaction(opened.conn.smtp, job, content, dcid, self.log)
        except Exception as exc:  # noqa: BLE001 (a surprise must not reach the other messages)
            opened.conn.alive = False  # in an unknown state: the next message gets a new one
            name = type(exc).__name__
            self.log.message_delivery_failed(job.mid, dcid, name)
            why = f"4.3.0 - Internal error ('000', ['{name}'])"
            return dict.fromkeys(job.rids, Result("deferred", why, dcid))
        if any(r.status == "deferred" and r.reply.startswith("4.4.2") for r in results.values()):
            opened.conn.alive = False
        return results


@dataclass
class _Open:
    conn: smtpconn.Connection
    dcid: int
    delivered: int = 0  # messages delivered on this connection


def _refused_addresses(job: Job) -> dict[int, Result]:
    """Bounces for what cannot be sent: every recipient for a bad sender, else each bad
    recipient (RFC 3463: 5.1.7 bad sender, 5.1.3 bad destination address syntax)."""
    why = unsendable(job.sender)
    if why is not None:
        reply = f"5.1.7 - Bad sender address syntax ('000', ['{why}'])"
        return dict.fromkeys(job.rids, Result("bounced", reply))
    results = {}
    for rid, address in zip(job.rids, job.addresses, strict=True):
        why = unsendable(address)
        if why is not None:
            reply = f"5.1.3 - Bad destination mailbox address syntax ('000', ['{why}'])"
            results[rid] = Result("bounced", reply)
    return results


def _classify(code: int, text: str, dcid: int) -> Result:
    reply = f"('{code}', ['{text}'])"
    if 200 <= code < 300:
        return Result("delivered", f"{code} {text}", dcid)
    if code >= 500:
        return Result("bounced", f"5.1.0 - Unknown address error {reply}", dcid)
    return Result("deferred", f"4.0.0 - Temporary error {reply}", dcid)


async def _transaction(
    smtp: aiosmtplib.SMTP, job: Job, content: bytes, dcid: int, log: MailLog
) -> dict[int, Result]:
    log.delivery_start(dcid, job.mid, job.rids)
    results: dict[int, Result] = {}
    try:
        await smtp.mail(job.sender)
        for rid, address in zip(job.rids, job.addresses, strict=True):
            try:
                await smtp.rcpt(address)
            except aiosmtplib.SMTPRecipientRefused as exc:
                results[rid] = _classify(exc.code, exc.message, dcid)
        accepted = [rid for rid in job.rids if rid not in results]
        if not accepted:
            await smtp.rset()
            return results
        reply = await smtp.data(content)
    except aiosmtplib.SMTPResponseException as exc:
        verdict = _classify(exc.code, exc.message, dcid)
        for rid in job.rids:
            results.setdefault(rid, verdict)
        if smtp.is_connected:  # leave the connection clean for the next message
            try:
                await smtp.rset()
            except (aiosmtplib.SMTPException, OSError):
                pass
        return results
    except (aiosmtplib.SMTPException, OSError) as exc:
        lost = Result("deferred", f"4.4.2 - Connection lost ('000', ['{exc}'])", dcid)
        for rid in job.rids:
            results.setdefault(rid, lost)
        return results
    log.message_done(dcid, job.mid, accepted)
    log.response(job.mid, accepted, f"{reply.code} {reply.message}")
    for rid in accepted:
        results[rid] = Result("delivered", f"{reply.code} {reply.message}", dcid)
    return results
