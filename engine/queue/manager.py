"""The queue manager: takes spooled messages, delivers them, retries and bounces.

Each tick (every `poll_interval` s of real time) it takes new spool files into
the queue database, bounces recipients past the queue lifetime, and starts one
delivery task per destination domain with due recipients (a domain already in
delivery waits for the next tick). Results are made durable as each remote
reply arrives (store.py). Time for retries and lifetimes comes from the
injectable clock; only the tick itself is real time.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from engine.counters import Counters
from engine.errors import SpoolError, TlsSetupError
from engine.maillog import MailLog
from engine.outbound import policy
from engine.outbound.alerts import Alert, TlsAlerts
from engine.outbound.client import DomainDelivery, Job, OutboundStats, Result
from engine.outbound.resolver import SMTP_PORT, Resolver
from engine.outbound.scheduler import (
    Clock,
    Failure,
    RateWindow,
    SystemClock,
    build_dsn,
    expired,
    retry_delay,
    status_of,
)
from engine.outbound.tlsctx import ClientContexts, build_contexts
from engine.queue.store import BOUNCED, DELIVERED, DROPPED, QueueStore, Recipient
from engine.runtime import RuntimeConfig
from engine.spool import SUFFIX, Spool, SpooledMessage
from state.model import Config
from state.secrets import Secrets

LISTENER = "(queue)"  # spool "listener" of messages the queue makes itself (bounces, alerts)


@dataclass
class QueueOptions:
    """Deployment parameters of outbound delivery (not configuration)."""

    mx_port: int = SMTP_PORT
    clock: Clock = field(default_factory=SystemClock)
    poll_interval: float = 0.2


class QueueManager:
    def __init__(
        self, data_dir: Path, spool: Spool, log: MailLog, counters: Counters, secrets: Secrets,
        runtime: Callable[[], RuntimeConfig | None], options: QueueOptions | None = None,
    ) -> None:
        self.options = options or QueueOptions()
        self.clock = self.options.clock
        self.spool, self.log, self.counters, self.secrets = spool, log, counters, secrets
        self._runtime = runtime
        self.store = QueueStore(Path(data_dir) / "queue" / "queue.db")
        self._messages: dict[int, SpooledMessage] = {}
        self._busy: dict[str, asyncio.Task[None]] = {}
        self._contexts: tuple[int, ClientContexts] | None = None
        self._rates = RateWindow()
        self._alerts = TlsAlerts()
        self.stats: OutboundStats | None = None  # the engine's TLS statistics recorder
        self._task: asyncio.Task[None] | None = None
        self._wake = asyncio.Event()
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
        tasks = [*self._busy.values(), *self._side]
        for task in tasks:
            task.cancel()
        for task in tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task
        await asyncio.to_thread(self.store.close)

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
                self.log.warning(f"Queue manager: {exc}")
            except Exception as exc:  # noqa: BLE001 (a bug must not stop delivery for good)
                self.log.critical(f"Queue manager error: {type(exc).__name__}: {exc}")
            if self._stopping:
                return
            waiter = asyncio.ensure_future(self._wake.wait())
            await asyncio.wait({waiter}, timeout=self.options.poll_interval)
            waiter.cancel()
            self._wake.clear()

    async def tick(self) -> None:
        runtime = self._runtime()
        if runtime is None:
            return
        await self._intake()
        await self._finish()
        contexts = await self._client_contexts(runtime)
        if contexts is None:
            return
        due = await asyncio.to_thread(self.store.due, self.clock.now())
        await self._dispatch(runtime.config, contexts, due)

    # -- intake and clean-up -------------------------------------------------
    async def _intake(self) -> None:
        names = {p.name for p in self.spool.root.glob("*" + SUFFIX)}
        wanted = {int(n[: -len(SUFFIX)]) for n in names if n[: -len(SUFFIX)].isdigit()}
        if not wanted - set(self._messages):
            return
        spooled = await asyncio.to_thread(self.spool.messages)
        known = await asyncio.to_thread(self.store.known_mids)
        for message in spooled:
            if message.mid in self._messages:
                continue
            if known.get(message.mid):  # done, but a crash came before the file was removed
                message.path.unlink(missing_ok=True)
                continue
            self._messages[message.mid] = message
            if message.mid not in known:
                await asyncio.to_thread(
                    self.store.add_message, message.mid, message.sender, message.time,
                    message.size, str(message.path), message.recipients, self.clock.now(),
                )

    async def _finish(self) -> None:
        for mid, path in await asyncio.to_thread(self.store.finished_messages):
            await asyncio.to_thread(self.store.mark_done, mid)
            self.log.message_finished(mid)
            # The outcome is durable; only now may the content go.
            Path(path).unlink(missing_ok=True)
            self._messages.pop(mid, None)

    async def _client_contexts(self, runtime: RuntimeConfig) -> ClientContexts | None:
        if self._contexts is not None and self._contexts[0] == runtime.version:
            return self._contexts[1]
        try:
            contexts = await asyncio.to_thread(build_contexts, runtime.config, self.secrets)
        except TlsSetupError as exc:
            self.log.critical(f"Outbound TLS not usable, delivery paused: {exc}")
            return None
        self._contexts = (runtime.version, contexts)
        return contexts

    # -- dispatch ------------------------------------------------------------
    async def _dispatch(self, config: Config, contexts: ClientContexts, due: list[Recipient]) -> None:
        now = self.clock.now()
        by_domain: dict[str, list[Recipient]] = {}
        for rcpt in due:
            if expired(rcpt.arrived, now, config.delivery):
                reason = "5.4.7 - Delivery expired (message too old) ('000', ['queue lifetime exceeded'])"
                await self._bounce(config, rcpt.mid, {rcpt.rid: Result("bounced", reason)})
            elif rcpt.domain not in self._busy and rcpt.mid in self._messages:
                by_domain.setdefault(rcpt.domain, []).append(rcpt)
        for domain, rcpts in by_domain.items():
            rcpts = self._rate_limited(config, domain, rcpts, now)
            if rcpts:
                self._start(config, contexts, domain, rcpts)

    def _rate_limited(self, config: Config, domain: str, rcpts: list[Recipient], now: float) -> list[Recipient]:
        entry = policy.lookup(config.destinations, domain)
        allowed = self._rates.allowed(domain, entry.recipient_limit, entry.recipient_minutes, now)
        if allowed is not None:
            rcpts = rcpts[:allowed]  # the rest stay queued, untouched, for a later window
            self._rates.record(domain, len(rcpts), now)
        return rcpts

    def _start(self, config: Config, contexts: ClientContexts, domain: str, rcpts: list[Recipient]) -> None:
        jobs: dict[int, Job] = {}
        for r in rcpts:
            message = self._messages[r.mid]
            job = jobs.setdefault(r.mid, Job(r.mid, r.sender, [], [], message.content))
            job.rids.append(r.rid)
            job.addresses.append(r.address)
        task = asyncio.create_task(self._deliver(config, contexts, domain, list(jobs.values())))
        self._busy[domain] = task
        task.add_done_callback(lambda t: self._done(domain))

    async def _deliver(
        self, config: Config, contexts: ClientContexts, domain: str, jobs: list[Job]
    ) -> None:
        reported: set[tuple[int, int]] = set()

        async def report(job: Job, results: dict[int, Result]) -> None:
            reported.update((job.mid, rid) for rid in results)
            await self._report(config, job, results)

        delivery = DomainDelivery(
            config, domain, contexts, Resolver(config.dns, self.options.mx_port), self.log,
            self.store.next_dcid, report, lambda d, reason: self._tls_alert(config, d, reason),
            stats=self.stats,
        )
        try:
            await delivery.run(jobs)
        except Exception as exc:  # noqa: BLE001 (a bug must defer, never loop or lose)
            # Unreported recipients would be due again at once: defer them like any
            # temporary failure, so the retry backoff applies.
            self.log.warning(f"Delivery to {domain} failed: {type(exc).__name__}")
            failed = Result("deferred", f"4.3.0 - Internal error ('000', ['{type(exc).__name__}'])")
            for job in jobs:
                left = {rid: failed for rid in job.rids if (job.mid, rid) not in reported}
                if left:
                    await self._report(config, job, left)

    def _done(self, domain: str) -> None:
        self._busy.pop(domain, None)
        self._wake.set()

    # -- results -------------------------------------------------------------
    async def _report(self, config: Config, job: Job, results: dict[int, Result]) -> None:
        delivered = [rid for rid, r in results.items() if r.status == "delivered"]
        if delivered:  # first, and alone: this is the one-fsync window after the 250
            await asyncio.to_thread(self.store.set_final, job.mid, delivered, DELIVERED, "")
        dropped = [rid for rid, r in results.items() if r.status == "dropped"]
        if dropped:
            await asyncio.to_thread(self.store.set_final, job.mid, dropped, DROPPED, "/dev/null")
        bounced = {rid: r for rid, r in results.items() if r.status == "bounced"}
        if bounced:
            await self._bounce(config, job.mid, bounced)
        for rid, result in results.items():
            if result.status == "deferred":
                await self._defer(config, job.mid, rid, result)
        self._wake.set()

    async def _defer(self, config: Config, mid: int, rid: int, result: Result) -> None:
        attempts = await asyncio.to_thread(self.store.attempts, mid, rid) + 1
        when = self.clock.now() + retry_delay(attempts, config.delivery)
        self.log.delayed(result.dcid, mid, rid, result.reply)
        await asyncio.to_thread(self.store.defer, mid, [rid], when, result.reply)

    async def _bounce(self, config: Config, mid: int, results: dict[int, Result]) -> None:
        message = self._messages.get(mid)
        failures = []
        for rid, result in results.items():
            self.log.bounced(result.dcid, mid, rid, result.reply)
            address = message.recipients[rid] if message else ""
            failures.append(Failure(address, status_of(result.reply), f"smtp; {result.reply}"))
        if message is not None and message.sender.strip("<>"):  # never a bounce for a bounce
            await self._queue_dsn(config, message, failures)
        await asyncio.to_thread(
            self.store.set_final, mid, list(results), BOUNCED, "; ".join(r.reply for r in results.values())
        )

    async def _queue_dsn(self, config: Config, message: SpooledMessage, failures: list[Failure]) -> None:
        content = build_dsn(
            config.hostname, message.sender, failures, message.content(), message.time,
            self.clock.now(), message.mid,
        )
        await self._inject("", [message.sender], content)

    async def _inject(self, sender: str, recipients: list[str], content: bytes) -> None:
        mid = self.counters.next_mid()
        await self.spool.store(mid, 0, LISTENER, sender, recipients, content, self.clock.now())
        self.log.info(f"MID {mid} queued for delivery")
        self._wake.set()  # an alert spooled after the last tick must not wait for the poll

    def _tls_alert(self, config: Config, domain: str, reason: str) -> None:
        alert = self._alerts.due(config, domain, reason, self.clock.now())
        if alert is not None:
            self.send_alert(alert)

    def send_alert(self, alert: Alert) -> None:
        """Queue an alert message (any alert class; its text is the caller's)."""
        task = asyncio.ensure_future(self._inject(alert.sender, list(alert.recipients), alert.content))
        self._side.add(task)  # hold a reference until the alert is spooled
        task.add_done_callback(self._side.discard)
