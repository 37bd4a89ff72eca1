"""Delivery of queued messages for one destination domain over SMTP (aiosmtplib).

`DomainDelivery.run` resolves the route, then runs up to the destination's
concurrency limit of workers; each takes a connection (connect.py: the targets in
order, STARTTLS as the destination's table says) and sends up to
`max_msgs_per_connection` messages on it before opening a fresh one. Every
recipient's result goes to `report` as soon as the remote reply is known, and
the next command on that connection waits until `report` returns, so the queue
makes it durable first.

One message never holds up another: an address that cannot be sent as it is bounces
(addresses.py) without a word to the remote; an unreadable spool file or any
unexpected error defers that message alone, and a connection in an unknown state is
replaced for the messages after it.
"""

from __future__ import annotations

import asyncio
import contextlib
import re
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field

import aiosmtplib

from engine.errors import SpoolError
from engine.maillog import MailLog
from engine.outbound import reasons
from engine.outbound.addresses import refused_addresses, sendable_part
from engine.outbound.connect import Connector, Open, OutboundStats, TlsFailure
from engine.outbound.destinations import Destination
from engine.outbound.jobs import Job, Report, Result
from engine.outbound.resolver import Kind, Resolution, Resolver, Target
from engine.runtime import OutboundRuntime

__all__ = ["DomainDelivery", "Job", "Result", "normalise_crlf"]

_EOL = re.compile(rb"\r\n|\r|\n")
READ_INLINE = 256 * 1024  # a larger message is read (and checked) off the event loop


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
    connector: Connector = field(init=False)

    def __post_init__(self) -> None:
        self.connector = Connector(self.outbound, self.destination, self.log, self.next_dcid,
                                   self.tls_failure, self.stats)

    async def run(self, jobs: list[Job]) -> None:
        jobs = await self._refuse_unsendable(jobs)
        if not jobs:
            return
        resolution = await self.resolver.route(self.outbound.routes, self.destination.domain)
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

    async def _worker(self, targets: tuple[Target, ...], queue: deque[Job], per_conn: int) -> None:
        while queue:
            opened, failed = await self.connector.usable(targets)
            if opened is None:
                while queue:  # nothing reachable: everything left waits for the retry
                    job = queue.popleft()
                    await self.report(job, dict.fromkeys(job.rids, failed))
                return
            try:
                sent = 0
                while queue and sent < per_conn and opened.conn.alive:
                    await self._send(opened, queue.popleft())
                    sent += 1
            finally:
                await self.connector.close(opened)

    async def _send(self, opened: Open, job: Job) -> None:
        results = await self._attempt(opened, job)
        opened.delivered += any(r.status == "delivered" for r in results.values())
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
        try:
            results = await _transaction(opened.conn.smtp, job, content, dcid, self.log)
        except Exception as exc:  # noqa: BLE001 (a surprise must not reach the other messages)
            opened.conn.alive = False  # in an unknown state: the next message gets a new one
            name = type(exc).__name__
            self.log.message_delivery_failed(job.mid, dcid, name)
            return dict.fromkeys(job.rids, Result("deferred", reasons.INTERNAL_ERROR(name), dcid))
        lost = reasons.CONNECTION_LOST.status
        if any(r.status == "deferred" and r.reply.startswith(lost) for r in results.values()):
            opened.conn.alive = False
        return results


def _classify(code: int, text: str, dcid: int) -> Result:
    if 200 <= code < 300:
        return Result("delivered", f"{code} {text}", dcid)
    if code >= 500:
        return Result("bounced", reasons.REMOTE_REFUSED(text, code), dcid)
    return Result("deferred", reasons.REMOTE_DEFERRED(text, code), dcid)


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
            with contextlib.suppress(aiosmtplib.SMTPException, OSError):
                await smtp.rset()
        return results
    except (aiosmtplib.SMTPException, OSError) as exc:
        lost = Result("deferred", reasons.CONNECTION_LOST(exc), dcid)
        for rid in job.rids:
            results.setdefault(rid, lost)
        return results
    log.message_done(dcid, job.mid, accepted)
    log.response(job.mid, accepted, f"{reply.code} {reply.message}")
    for rid in accepted:
        results[rid] = Result("delivered", f"{reply.code} {reply.message}", dcid)
    return results
