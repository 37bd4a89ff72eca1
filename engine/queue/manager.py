"""The queue manager: takes spooled messages, delivers them, retries and bounces.

Each tick (every `poll_interval` s of real time, or at once when woken) it takes
what waits in the spool's incoming/ into the queue database (intake.py), asks the
database for the recipients now due (an index on the next attempt: the cost is what
is due, not what is queued; domains already in delivery are left out), bounces
those past the queue lifetime and starts one delivery task per destination
domain, under the RuntimeConfig current at that tick. Results are made durable as
each remote reply arrives, before the next command on that connection (results.py,
store.py, writer.py). At start it finishes what a crash left half done. Beside delivery,
at most once a minute of its clock, a background round keeps the DNS-published TLS
policies (upkeep.py: MTA-STS policies refreshed before they expire, the day's TLS
reports sent). Time for retries, lifetimes and reports comes from the injectable clock;
only the tick itself is real time.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from engine.counters import Counters
from engine.errors import SpoolError
from engine.maillog import MailLog
from engine.messageflags import PLAIN_MESSAGE, Flags
from engine.outbound import reasons
from engine.outbound.alerts import ALERT, Alert, TlsAlerts
from engine.outbound.client import DomainDelivery
from engine.outbound.connect import OutboundStats
from engine.outbound.destinations import Destination
from engine.outbound.jobs import Job, Result
from engine.outbound.mtasts import HTTPS_PORT
from engine.outbound.resolver import SMTP_PORT, Resolver
from engine.outbound.scheduler import Clock, RateWindow, SystemClock, expired
from engine.queue import requests
from engine.queue.intake import Intake
from engine.queue.results import Results
from engine.queue.store import QueueStore, Recipient
from engine.queue.upkeep import Upkeep
from engine.runtime import RuntimeConfig
from engine.spool import Spool
from engine.spoolformat import FileContents
from state.model import Config

LISTENER = "(queue)"  # spool "listener" of messages the queue makes itself (bounces, alerts)
DUE_LIMIT = 5000  # recipients taken per tick: a huge backlog goes out in slices
# Outbound connections at once: each is a descriptor of this process, which also holds the
# shell, SSH and the web console; above it, deliveries wait for a connection to end.
OUTBOUND_CONNECTIONS = 1000


@dataclass
class QueueOptions:
    """Deployment parameters of outbound delivery (not configuration)."""

    mx_port: int = SMTP_PORT
    clock: Clock = field(default_factory=SystemClock)
    poll_interval: float = 0.2
    https_port: int = HTTPS_PORT  # of MTA-STS policy hosts (tests run theirs on a free port)
    connections: int = OUTBOUND_CONNECTIONS  # at once, every domain together


class QueueManager:
    def __init__(
        self, data_dir: Path, spool: Spool, log: MailLog, counters: Counters,
        runtime: Callable[[], RuntimeConfig | None], options: QueueOptions | None = None,
    ) -> None:
        self.options = options or QueueOptions()
        self.clock = self.options.clock
        self.spool, self.log, self.counters = spool, log, counters
        self._runtime = runtime
        self.store = QueueStore(Path(data_dir) / "queue" / "queue.db")
        self._recovered = False
        self.results = Results(self.store, log, self.clock, self._inject)
        self.intake = Intake(spool, self.store, self.clock, self.results.finished)
        self.upkeep = Upkeep(Path(data_dir), self.clock, self._inject, self.options.mx_port,
                             self.options.https_port)
        self._upkeep: asyncio.Task[None] | None = None
        self._busy: dict[str, asyncio.Task[None]] = {}
        self._slots = asyncio.Semaphore(self.options.connections)
        self._rates = RateWindow()
        self._alerts = TlsAlerts()
        self.stats: OutboundStats | None = None  # the engine's TLS statistics recorder
        self._task: asyncio.Task[None] | None = None
        self._wake = asyncio.Event()
        # One tick at a time: a tick run from outside (tests after moving the clock)
        # while the loop's own runs would take the same incoming files in twice.
        self._ticking = asyncio.Lock()
        self._side: set[asyncio.Future[None]] = set()
        self._stopping = False

    # -- lifecycle -----------------------------------------------------------
    def start(self) -> None:
        self._task = asyncio.create_task(self._run())

    async def stop(self) -> None:
        # The loop ends by a flag, not by cancellation: Python 3.11's wait_for can swallow
        # a cancel that races with its own completion, which would hang the stop.
        self._stopping = True
        self._wake.set()
        if self._task is not None:
            await self._task
        tasks = [*self._busy.values(), *self._side, *([self._upkeep] if self._upkeep else [])]
        for task in tasks:
            task.cancel()
        for task in tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task
        self.store.close()  # fsyncs what is written, removes the files that waited for it
        self.upkeep.close()

    @property
    def delivering(self) -> frozenset[str]:
        """Domains with a delivery in progress (a status fact for tests and operators)."""
        return frozenset(self._busy)

    def wake(self) -> None:
        """Run a tick now (tests after moving the clock; the engine after a spool write)."""
        self._wake.set()

    async def _run(self) -> None:
        while not self._stopping:
            try:
                await self.tick()
            except (OSError, SpoolError) as exc:  # a bad disk must not end delivery for good
                self.log.queue_trouble(exc)
            except Exception as exc:  # noqa: BLE001 (a bug must not stop delivery for good)
                self.log.queue_error(exc)
            if self._stopping:
                return
            waiter = asyncio.ensure_future(self._wake.wait())
            await asyncio.wait({waiter}, timeout=self.options.poll_interval)
            waiter.cancel()
            self._wake.clear()

    async def tick(self) -> None:
        async with self._ticking:
            await self._tick()

    async def _tick(self) -> None:
        if not self._recovered:
            await self.intake.recover()
            self._recovered = True
        runtime = self._runtime()
        if runtime is None:
            return
        await self.intake.take()
        busy = set(self._busy)
        await requests.carry_out(self.store, self.results, self.log, runtime.config, busy,
                                 self.clock.now())
        delivery = runtime.config.delivery
        if delivery.suspended:  # suspenddel: everything waits (state/operations.py)
            return
        skip = busy | set(delivery.suspended_domains)
        due = await asyncio.to_thread(self.store.due, self.clock.now(), DUE_LIMIT, skip)
        await self._dispatch(runtime, due)
        idle = self._upkeep is None or self._upkeep.done()
        if idle and self.upkeep.due():
            self._upkeep = asyncio.create_task(self.upkeep.run(runtime))

    # -- dispatch ------------------------------------------------------------
    async def _dispatch(self, runtime: RuntimeConfig, due: list[Recipient]) -> None:
        """Bounce what expired; start one delivery per domain (looked up once, here)."""
        config, now = runtime.config, self.clock.now()
        by_domain: dict[str, list[Recipient]] = {}
        for rcpt in due:
            if expired(rcpt.arrived, now, config.delivery):
                await self._expire(config, rcpt)
            elif rcpt.domain not in self._busy:
                by_domain.setdefault(rcpt.domain, []).append(rcpt)
        for domain, rcpts in by_domain.items():
            destination = runtime.outbound.destinations.lookup(domain)
            rcpts = self._rate_limited(destination, rcpts, now)
            if rcpts:
                self._start(runtime, destination, rcpts)

    async def _expire(self, config: Config, rcpt: Recipient) -> None:
        """Bounce a recipient past the queue lifetime. Should that fail (a bug in making
        its bounce), it is deferred like any failed delivery: it would otherwise come
        first again on every tick and stop the queue's every other delivery."""
        expiry = Result("bounced", reasons.EXPIRED(reasons.QUEUE_LIFETIME))
        try:
            await self.results.bounce(config, rcpt.mid, {rcpt.rid: expiry})
        except Exception as exc:  # noqa: BLE001 (one message's bug must not stop the rest)
            name = _name_of(exc)
            self.log.message_delivery_failed(rcpt.mid, 0, name)
            failed = Result("deferred", reasons.INTERNAL_ERROR(name))
            await self.results.report(config, rcpt.mid, {rcpt.rid: failed},
                                      {(rcpt.mid, rcpt.rid): rcpt.attempts})

    def _rate_limited(
        self, destination: Destination, rcpts: list[Recipient], now: float
    ) -> list[Recipient]:
        domain, entry = destination.domain, destination.entry
        allowed = self._rates.allowed(domain, entry.recipient_limit, entry.recipient_minutes, now)
        if allowed is not None:
            rcpts = rcpts[:allowed]  # the rest stay queued, untouched, for a later window
            self._rates.record(domain, len(rcpts), now)
        return rcpts

    def _start(
        self, runtime: RuntimeConfig, destination: Destination, rcpts: list[Recipient]
    ) -> None:
        domain = destination.domain
        jobs: dict[int, Job] = {}
        files: dict[str, FileContents] = {}  # the messages of a shared file: read once
        for r in rcpts:
            reader = files.setdefault(r.path, FileContents(Path(r.path)))
            content = functools.partial(reader.content, r.mid)
            job = jobs.setdefault(
                r.mid, Job(r.mid, r.sender, [], [], content, r.size, Flags.decode(r.flags)))
            job.rids.append(r.rid)
            job.addresses.append(r.address)
        attempts = {(r.mid, r.rid): r.attempts for r in rcpts}
        task = asyncio.create_task(
            self._deliver(runtime, destination, list(jobs.values()), attempts)
        )
        self._busy[domain] = task
        task.add_done_callback(lambda t: self._done(domain))

    async def _deliver(
        self, runtime: RuntimeConfig, destination: Destination, jobs: list[Job],
        attempts: dict[tuple[int, int], int],
    ) -> None:
        config, domain = runtime.config, destination.domain
        reported: set[tuple[int, int]] = set()

        async def report(job: Job, results: dict[int, Result]) -> None:
            # Delivered, dropped and deferred first, then the bounces; each counts as
            # reported only once recorded, so what failed (a bounce that could not be made,
            # a write refused) is left for the deferral below, never due again at once.
            for part in _recorded_first(results):
                await self.results.report(config, job.mid, part, attempts)
                reported.update((job.mid, rid) for rid in part)

        resolver = Resolver(config.dns, self.options.mx_port)
        delivery = DomainDelivery(
            runtime.outbound, destination, resolver, self.log,
            self.store.next_dcid, report, lambda d, reason: self._tls_alert(config, d, reason),
            stats=self.stats,
            policies=self.upkeep.policies(runtime, resolver, destination.mta_sts),
            connected=lambda domain, up: self.store.connection(domain, up, self.clock.now()),
            held=self.store.requested, slots=self._slots,
        )
        try:
            await delivery.run(jobs)
        except Exception as exc:  # noqa: BLE001 (a bug must defer, never loop or lose)
            # Unreported recipients would be due again at once: defer them like any
            # temporary failure, so the retry backoff applies.
            name = _name_of(exc)
            self.log.delivery_failed(domain, name)
            failed = Result("deferred", reasons.INTERNAL_ERROR(name))
            for job in jobs:
                left = {rid: failed for rid in job.rids if (job.mid, rid) not in reported}
                if left:
                    await self.results.report(config, job.mid, left, attempts)

    def _done(self, domain: str) -> None:
        self._busy.pop(domain, None)
        self._wake.set()

    async def _inject(self, sender: str, recipients: list[str], content: bytes,
                      flags: Flags, why: str) -> None:
        mid = self.counters.next_mid()
        await self.spool.store(mid, 0, LISTENER, sender, recipients, content, self.clock.now(),
                               flags)
        self.log.queued(mid, why, sender, recipients)
        self._wake.set()  # an alert spooled after the last tick must not wait for the poll

    def _tls_alert(self, config: Config, domain: str, reason: str) -> None:
        alert = self._alerts.due(config, domain, reason, self.clock.now())
        if alert is not None:
            self.send_alert(alert)

    def send_alert(self, alert: Alert) -> None:
        """Queue an alert message (any alert class; its text is the caller's)."""
        injected = self._inject(alert.sender, list(alert.recipients), alert.content,
                                PLAIN_MESSAGE, ALERT)
        task = asyncio.ensure_future(injected)
        self._side.add(task)  # hold a reference until the alert is spooled
        task.add_done_callback(self._side.discard)


def _recorded_first(results: dict[int, Result]) -> list[dict[int, Result]]:
    """`results` as Results.report records them: what needs no bounce, then the bounces."""
    plain = {rid: r for rid, r in results.items() if r.status != "bounced"}
    bounced = {rid: r for rid, r in results.items() if r.status == "bounced"}
    return [part for part in (plain, bounced) if part]


def _name_of(exc: BaseException) -> str:
    """The exception's type name; for a TaskGroup's group, the first real one."""
    while isinstance(exc, BaseExceptionGroup) and exc.exceptions:
        exc = exc.exceptions[0]
    return type(exc).__name__
