"""Delivery of queued messages for one destination domain over SMTP (wire.py).

`DomainDelivery.run` resolves the route and the domain's MTA-STS policy, then, for each
kind of message (what it asks of TLS: REQUIRETLS, TLS-Required: No, a report of ours;
nearly all mail is plain, one kind), runs up to the destination's concurrency limit of
workers; each takes a connection (connect.py: the targets in order, each under the TLS
requirement the precedence rule gives for that kind) and sends up to
`max_msgs_per_connection` messages on it before opening a fresh one, holding one of the
appliance's `slots` meanwhile (every domain's delivery shares them: a thousand domains
whose hosts never answer cannot open a thousand sockets at once). So a connection only
ever carries messages its requirement was judged for. Every recipient's result goes
to `report` as soon as the remote reply is known, and the next command on that
connection waits until `report` returns, so the queue makes it durable first.

One message never holds up another: an address that cannot be sent as it is bounces
(addresses.py) without a word to the remote; an unreadable spool file or any
unexpected error defers that message alone, and a connection in an unknown state is
replaced for the messages after it.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import re
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field

from engine.errors import SpoolError
from engine.maillog import MailLog
from engine.messageflags import Flags
from engine.outbound import dnspolicy, reasons, tlsrpt
from engine.outbound.addresses import refused_addresses, sendable_part
from engine.outbound.connect import Connected, Connector, Open, OutboundStats, TlsFailure
from engine.outbound.destinations import Destination
from engine.outbound.dnspolicy import DnsPolicies, Plan
from engine.outbound.jobs import Job, Report, Result
from engine.outbound.resolver import Kind, Resolution, Resolver
from engine.outbound.wire import Client, Malformed, Reply, WireError
from engine.runtime import OutboundRuntime

__all__ = ["DomainDelivery", "Job", "Result", "normalise_crlf"]

_EOL = re.compile(rb"\r\n|\r|\n")
REQUIRETLS = "REQUIRETLS"  # the MAIL FROM parameter (RFC 8689 §4.2.1)
BODY_8BITMIME = "BODY=8BITMIME"  # the MAIL FROM parameter for 8-bit content (RFC 6152)
READ_INLINE = 256 * 1024  # a larger message is read (and checked) off the event loop
TOO_MANY_RECIPIENTS = 452  # RFC 5321 §4.5.3.1.10: the rest go in another transaction
CLOSING = 421  # the server closes the connection (RFC 5321 §3.8): the next message needs a new one


def normalise_crlf(data: bytes) -> bytes:
    """Every line ending CRLF (no bare CR or LF leaves the gateway), ending in CRLF."""
    data = _EOL.sub(b"\r\n", data)
    return data if data.endswith(b"\r\n") else data + b"\r\n"


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
    policies: DnsPolicies = field(default_factory=DnsPolicies)  # MTA-STS cache, TLS-RPT
    connected: Connected = lambda domain, up: None  # each connection attempt (hoststatus)
    held: Callable[[int], bool] = lambda mid: False  # an administrator's request waits for it
    # The appliance's outbound connections, shared by every domain's delivery: a worker
    # holds one while it connects and sends (QueueOptions.connections of them in all).
    slots: asyncio.Semaphore | None = None
    connector: Connector = field(init=False)

    def __post_init__(self) -> None:
        self.connector = Connector(self.outbound, self.destination, self.log, self.next_dcid,
                                   self.tls_failure, self.resolver.lookups, self.stats,
                                   self.policies, self.connected)

    async def run(self, jobs: list[Job]) -> None:
        jobs = await self._refuse_unsendable(jobs)
        if not jobs:
            return
        domain = self.destination.domain
        resolution = await self.resolver.route(self.outbound.routes, domain)
        if resolution.kind is not Kind.TARGETS:
            await self._unroutable(resolution, jobs)
            return
        sts = await dnspolicy.sts_for(self.destination.entry, resolution, domain,
                                      self.policies.sts)
        if sts is not None and sts.policy is None and sts.result_type:
            await self.policies.record(tlsrpt.fetch_failure(domain, sts.result_type, sts.error))
        kinds: dict[Flags, list[Job]] = {}
        for job in jobs:
            kinds.setdefault(job.flags, []).append(job)
        for flags, kind in kinds.items():
            self._log_relaxed(flags, kind)
            await self._deliver(Plan(resolution, sts, flags), kind)

    async def _deliver(self, plan: Plan, jobs: list[Job]) -> None:
        queue = deque(jobs)
        per_conn = self.destination.per_connection
        workers = min(self.destination.concurrency, -(-len(jobs) // per_conn))
        # A TaskGroup, not gather: if a worker fails, the others stop with it rather
        # than deliver on behind the caller's back while it defers what is left.
        async with asyncio.TaskGroup() as group:
            for _ in range(workers):
                group.create_task(self._worker(plan, queue, per_conn))

    def _log_relaxed(self, flags: Flags, jobs: list[Job]) -> None:
        if flags.tls_required_no and not flags.requiretls and not flags.tls_report:
            for job in jobs:
                self.log.tls_required_no(job.mid, self.destination.domain)

    async def _refuse_unsendable(self, jobs: list[Job]) -> list[Job]:
        """Bounce what cannot be sent as it is (no connection needed); the jobs left."""
        left = []
        for job in jobs:
            refused = refused_addresses(job)
            if refused:
                await self.report(job, refused)
            rest = sendable_part(job, refused)
            if rest is not None:
                left.append(rest)
        return left

    async def _unroutable(self, resolution: Resolution, jobs: list[Job]) -> None:
        if resolution.kind is Kind.DEVNULL:
            result = Result("dropped", reasons.ROUTE_DEVNULL)
        elif resolution.kind is Kind.PERMANENT:
            result = Result("bounced", reasons.BAD_DESTINATION(resolution.reason))
        else:
            result = Result("deferred", reasons.ROUTE_FAILURE(resolution.reason))
        for job in jobs:
            await self.report(job, dict.fromkeys(job.rids, result))

    def _unheld(self, queue: deque[Job]) -> bool:
        """Whether a job is left once those an administrator's request waits for (left
        queued, for the request carried out once this run ends) are taken off its front."""
        while queue and self.held(queue[0].mid):
            queue.popleft()
        return bool(queue)

    async def _worker(self, plan: Plan, queue: deque[Job], per_conn: int) -> None:
        while self._unheld(queue):  # no connection for messages it would not send
            async with self.slots or contextlib.nullcontext():
                if not self._unheld(queue) or not await self._connection(plan, queue, per_conn):
                    return

    async def _connection(self, plan: Plan, queue: deque[Job], per_conn: int) -> bool:
        """One connection's messages; False when no target was reachable (then what is
        left was reported for the retry)."""
        first = queue.popleft()  # this connection's: another worker opens none for it meanwhile
        try:
            opened, failed = await self.connector.usable(plan.resolution.targets, plan)
        finally:
            queue.appendleft(first)
        if opened is None:
            while queue:  # nothing reachable: everything left waits for the retry
                job = queue.popleft()
                await self.report(job, dict.fromkeys(job.rids, failed))
            return False
        try:
            sent = 0
            while self._unheld(queue) and sent < per_conn and opened.conn.alive:
                await self._send(opened, queue.popleft(), queue)
                sent += 1
        finally:
            await self.connector.close(opened)
        return True

    async def _send(self, opened: Open, job: Job, queue: deque[Job]) -> None:
        results = await self._attempt(opened, job)
        opened.delivered += any(r.status == "delivered" for r in results.values())
        later = over_limit(job, results)
        if later is not None:  # sent next, on this connection if it goes on
            results = {rid: r for rid, r in results.items() if rid not in later.rids}
            queue.appendleft(later)
        await self.report(job, results)

    async def _attempt(self, opened: Open, job: Job) -> dict[int, Result]:
        """One message's transaction; whatever goes wrong stays with this message."""
        dcid = opened.dcid

        def read() -> bytes:
            return normalise_crlf(job.content())

        try:
            content = read() if job.size < READ_INLINE else await asyncio.to_thread(read)
        except (SpoolError, OSError) as exc:
            why = reasons.CONTENT_UNREADABLE(exc)
            return dict.fromkeys(job.rids, Result("deferred", why, dcid))
        if job.flags.requiretls and not opened.req.requiretls:  # cannot happen: see run()
            why = reasons.INTERNAL_ERROR(REQUIRETLS)
            return dict.fromkeys(job.rids, Result("deferred", why, dcid))
        try:
            results = await _transaction(opened.conn.smtp, job, content, dcid, self.log)
        except Exception as exc:  # noqa: BLE001 (a surprise must not reach the other messages)
            opened.conn.alive = False  # in an unknown state: the next message gets a new one
            name = type(exc).__name__
            self.log.message_delivery_failed(job.mid, dcid, name)
            return dict.fromkeys(job.rids, Result("deferred", reasons.INTERNAL_ERROR(name), dcid))
        # Closed in the transaction (lost, an unexpected reply, a failed RSET), or closing
        # by the server's word: the next message gets a new connection.
        if not opened.conn.smtp.is_connected or any(r.code == CLOSING for r in results.values()):
            opened.conn.alive = False
        return results


def _classify(reply: Reply, dcid: int) -> Result:
    if reply.ok:
        return Result("delivered", str(reply), dcid, reply.code)
    if reply.code >= 500:
        return Result("bounced", reasons.REMOTE_REFUSED(reply.text, reply.code), dcid, reply.code)
    return Result("deferred", reasons.REMOTE_DEFERRED(reply.text, reply.code), dcid, reply.code)


def over_limit(job: Job, results: dict[int, Result]) -> Job | None:
    """The recipients a server refused with 452 (too many recipients, RFC 5321
    §4.5.3.1.10) in a transaction that delivered to others: they go in the next
    transaction at once, not at the retry. None when there are none, or nothing was
    taken (then the 452 is the server's state, and the retry's backoff applies)."""
    if not any(r.status == "delivered" for r in results.values()):
        return None
    left = [i for i, rid in enumerate(job.rids) if (r := results.get(rid)) is not None
            and r.status == "deferred" and r.code == TOO_MANY_RECIPIENTS]
    if not left:
        return None
    return dataclasses.replace(job, rids=[job.rids[i] for i in left],
                               addresses=[job.addresses[i] for i in left])


async def _transaction(
    smtp: Client, job: Job, content: bytes, dcid: int, log: MailLog
) -> dict[int, Result]:
    log.delivery_start(dcid, job.mid, job.rids)
    results: dict[int, Result] = {}
    try:
        reply = await _exchange(smtp, job, content, dcid, results)
    except (WireError, OSError) as exc:
        smtp.close()  # out of step (an unexpected reply) or gone: not used again
        lost = Result("deferred", reasons.CONNECTION_LOST(exc), dcid)
        return {rid: results.get(rid, lost) for rid in job.rids}
    if reply is None:
        await _reset(smtp)  # leave the connection clean for the next message
        return results
    accepted = [rid for rid in job.rids if rid not in results]
    log.message_done(dcid, job.mid, accepted)
    log.response(job.mid, accepted, str(reply))
    results.update(dict.fromkeys(accepted, Result("delivered", str(reply), dcid)))
    return results


async def _exchange(
    smtp: Client, job: Job, content: bytes, dcid: int, results: dict[int, Result]
) -> Reply | None:
    """MAIL, the RCPTs, DATA and the content, each refusal put in `results`; the final
    reply if the message was taken, else None (the transaction is to be reset). A
    message larger than the server's SIZE bounces unsent."""
    limit = smtp.size_limit
    if limit and len(content) > limit:
        detail = reasons.TOO_BIG_DETAIL.format(size=len(content), limit=limit)
        results.update(dict.fromkeys(job.rids, Result("bounced", reasons.TOO_BIG(detail), dcid)))
        return None
    mail = f"MAIL FROM:<{job.sender}>" + "".join(f" {p}" for p in _mail_params(smtp, job, content))
    sent = await smtp.envelope(mail, [f"RCPT TO:<{a}>" for a in job.addresses])
    if not sent.mail.ok:
        results.update(dict.fromkeys(job.rids, _classify(sent.mail, dcid)))
    else:
        for rid, rcpt in zip(job.rids, sent.rcpts, strict=True):
            if rcpt is not None and not rcpt.ok:
                results[rid] = _classify(rcpt, dcid)
    accepted = [rid for rid in job.rids if rid not in results]
    if sent.data is None:
        return None
    if sent.data.code != 354:
        if sent.data.code < 400:  # "250" to DATA: the content was never sent, nothing taken
            raise Malformed(f"Unexpected reply to DATA: {sent.data.code}")
        results.update(dict.fromkeys(accepted, _classify(sent.data, dcid)))
        return None
    if not accepted:  # pipelined, and DATA taken with nothing to send: end it empty
        await smtp.content(b"")
        return None
    reply = await smtp.content(content)
    if not reply.ok:
        results.update(dict.fromkeys(accepted, _classify(reply, dcid)))
        return None
    return reply


def _mail_params(smtp: Client, job: Job, content: bytes) -> list[str]:
    """SIZE where the server offers it (RFC 1870 §6: a server may refuse a message too big
    for it now at MAIL, before the content is sent), BODY=8BITMIME for 8-bit content where
    it offers 8BITMIME (RFC 6152; where it does not, the content goes as it came, as
    Postfix sends a message that is not MIME), REQUIRETLS where the message asks."""
    eight_bit = smtp.supports("8BITMIME") and not content.isascii()
    return [*([f"SIZE={len(content)}"] if smtp.supports("SIZE") else []),
            *([BODY_8BITMIME] if eight_bit else []),
            *([REQUIRETLS] if job.flags.requiretls else [])]


async def _reset(smtp: Client) -> None:
    """RSET, so that the next message starts clean. A connection whose RSET fails or is
    refused is closed: the next message gets a new one."""
    if not smtp.is_connected:
        return
    try:
        reply = await smtp.command("RSET")
    except (WireError, OSError):
        reply = None
    if reply is None or not reply.ok:
        smtp.close()
