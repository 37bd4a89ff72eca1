"""The engine: follows the store's head and runs what it describes.

It wires the parts together and starts and stops them in order: the mail log, the ID
counters, the TLS statistics, the listeners, the store follower (engine/versions.py:
each committed version compiled into a RuntimeConfig and swapped in, or kept out with
the reason), the queue and its delivery, and status.json. Each applied version's
listeners are reconciled here.

An engine plays one of three roles (engine/worker.py and esacli/supervisor.py run them
as processes):
  ALL    listeners and queue in one process (tests, tools)
  SMTP   an SMTP worker: listeners only; each message is handed over through
         spool/incoming/; its numbers go to workers/<index>.json
  QUEUE  the queue and delivery, no listener; status.json sums the workers' files

Files (all under the data dir):
  logs/mail_logs          the mail log (§9 format), flushed per line
  spool/incoming/<MID>.msg  accepted messages, fsynced before the 250, not yet queued
  spool/<MID>.msg         queued messages' content (engine/spool.py)
  spool/counters.json     ICID/MID reservation, so IDs never repeat
  queue/queue.db          outbound per-recipient state (engine/queue/store.py)
  status.json             what `status` shows (engine/status.py)
  tlsstats.db             every connection's TLS, rolled up (engine/tlsstats/)
"""

from __future__ import annotations

import asyncio
import contextlib
import enum
import resource
import time
from collections.abc import Callable
from pathlib import Path
from typing import Self

from engine import activation, logfiles, tls, versions, workerstatus
from engine.counters import Counters
from engine.inbound.conversation import Services
from engine.inbound.listeners import ListenerSet
from engine.inbound.shared import SharedCounts
from engine.maillog import MailLog
from engine.outbound.alerts import ALERT, Alert
from engine.queue.manager import LISTENER, QueueManager, QueueOptions
from engine.queue.store import QueueSummary
from engine.runtime import RuntimeConfig
from engine.spool import Spool
from engine.status import INTERVAL as STATUS_INTERVAL
from engine.status import InboundCounts, NotApplied, StatusPublisher
from engine.tlsstats import downgrade
from engine.tlsstats.recorder import Recorder
from state import files
from state.model import Config
from state.secrets import Secrets
from state.store import Store

# Descriptors besides the inbound connections: queue, spool, logs, SSH, the web console
# (outbound connections are capped apart: engine/queue/manager.py OUTBOUND_CONNECTIONS).
SPARE_FILES = 256


def raise_open_files_limit() -> int:
    """Raise the soft limit on open files to the hard one (often 1024 against 1048576):
    each inbound connection is a descriptor and a listener allows 1000 by default."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if hard == resource.RLIM_INFINITY or soft < hard:
        wanted = 1 << 20 if hard == resource.RLIM_INFINITY else hard
        with contextlib.suppress(ValueError, OSError):
            resource.setrlimit(resource.RLIMIT_NOFILE, (wanted, hard))
    return resource.getrlimit(resource.RLIMIT_NOFILE)[0]


def mail_logs_path(data_dir: Path) -> Path:
    return Path(data_dir) / "logs" / "mail_logs"


def spool_path(data_dir: Path) -> Path:
    return Path(data_dir) / "spool"


class Role(enum.Enum):
    ALL = "all"
    SMTP = "smtp"
    QUEUE = "queue"


# The QUEUE engine polls twice as often: a commit from another process is then served by
# every SMTP worker within one poll interval of its return, the workers' build included.
POLLS_PER_INTERVAL = {Role.ALL: 1, Role.SMTP: 1, Role.QUEUE: 2}


class Engine:
    def __init__(
        self,
        data_dir: Path,
        store: Store,
        secrets: Secrets,
        *,
        poll_interval: float = versions.POLL_INTERVAL,
        serial: str | None = None,
        outbound: QueueOptions | None = None,
        status_interval: float = STATUS_INTERVAL,
        interfaces_optional: Callable[[], bool] | None = None,
        role: Role = Role.ALL,
        worker: int = 0,
    ) -> None:
        self.role, self.worker = role, worker
        self.data_dir = Path(data_dir)
        self.outbound_options = outbound
        self.queue: QueueManager | None = None
        self.store = store
        self.secrets = secrets
        self.serial = serial
        self.maillog_path = mail_logs_path(self.data_dir)
        self.spool = Spool(spool_path(self.data_dir))
        self._owns_store = False
        self._running = False
        self._loop: asyncio.AbstractEventLoop | None = None
        smtp = role is Role.SMTP  # woken by its supervisor, which says "not applied" once
        self.versions = versions.VersionFollower(
            store, secrets, lambda: self.maillog, self._applied, self._status_soon,
            poll_interval=None if smtp else poll_interval / POLLS_PER_INTERVAL[role],
            interfaces_optional=interfaces_optional or (lambda: False), quiet=smtp,
        )
        self.active = activation.ActiveVersion(activation.path_in(self.data_dir)) if smtp \
            else None
        self._maillog: MailLog | None = None
        self._counters: Counters | None = None
        self._listeners: ListenerSet | None = None
        self.inbound_counts = InboundCounts()
        self.workers = workerstatus.WorkerFiles(self.data_dir)  # QUEUE: the workers' numbers
        self._status: StatusPublisher | workerstatus.WorkerPublisher = (
            workerstatus.WorkerPublisher(self, self.data_dir, worker) if role is Role.SMTP
            else StatusPublisher(self, self.data_dir, status_interval))
        self._open_files = 0
        self.stats: Recorder | None = None
        self._side: set[asyncio.Future[None]] = set()
        self._rebinding: asyncio.Task[None] | None = None
        self.on_applied: list[Callable[[RuntimeConfig], None]] = []  # the worker supervisor

    @classmethod
    def from_config(cls, data_dir: Path, config: Config, **kwargs: object) -> Engine:
        """An engine on a fresh data dir holding `config` as version 1 (for tests)."""
        store = Store(Path(data_dir))
        if store.is_empty():
            store.write(config, None, "test", "test", "engine test")
        engine = cls(Path(data_dir), store, Secrets(Path(data_dir)), **kwargs)  # type: ignore[arg-type]
        engine._owns_store = True
        return engine

    # -- lifecycle -------------------------------------------------------
    async def start(self) -> None:
        self._loop = asyncio.get_running_loop()
        tls.limit_tls_read_buffer()
        self._open_files = raise_open_files_limit()
        self._maillog = MailLog(self.maillog_path, self.serial, loop=self._loop)
        self._counters = Counters(self.spool.root / "counters.json",
                                  owner=self.role is not Role.SMTP)
        self.stats = Recorder(self.data_dir, self._maillog, self._clock, self._stats_days,
                              self._downgraded)
        self.stats.maintains = self.role is not Role.SMTP  # one process rolls up
        self.stats.start()
        if self.role is not Role.QUEUE:
            self._listeners = ListenerSet(
                Services(self._maillog, self.spool, self._counters, spooled=self._spooled,
                         counts=self.inbound_counts, stats=self.stats,
                         shared_counts=self._shared_counts()),
                reuse_port=self.role is Role.SMTP,
                gate=self.active.read if self.active is not None else None,
            )
        self._running = True
        await self.versions.start()
        if self._listeners is not None:
            self._rebinding = asyncio.create_task(self._listeners.keep_binding(
                self.versions.lock, self._status.publish_soon))
        if self.role is not Role.SMTP:
            self.queue = QueueManager(
                self.data_dir, self.spool, self._maillog, self._counters,
                lambda: self.runtime, self.outbound_options,
            )
            self.queue.stats = self.stats
            self.queue.start()
        await self._status.start()

    async def stop(self) -> None:
        self._running = False
        if self._rebinding is not None:  # ended before the listeners close: none binds after
            self._rebinding.cancel()
            await asyncio.gather(self._rebinding, return_exceptions=True)
        await self.versions.stop()
        async with self.versions.lock:
            if self._listeners is not None:
                await self._listeners.close()
        await self._status.stop()  # first: the queue's last numbers go in the final status
        if self.queue is not None:  # after the listeners: nothing new can arrive
            await self.queue.stop()
        if self.stats is not None:  # last: the connections closed above are recorded
            await self.stats.stop()
        self.spool.close()
        if self._counters is not None:
            self._counters.close()
        if self.active is not None:
            self.active.close()
        if self._maillog is not None:
            self._maillog.close()
        if self._owns_store:
            self.store.close()

    async def __aenter__(self) -> Self:
        await self.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()

    # -- TLS statistics ------------------------------------------------------
    def _clock(self) -> float:
        """The queue's clock (tests move it), for the statistics' time too."""
        options = self.outbound_options
        return options.clock.now() if options is not None else time.time()

    def _stats_days(self) -> int:
        return self.runtime.config.reporting.tls_stats_days if self.runtime else 30

    def _downgraded(self, down: downgrade.Downgrade) -> None:
        """From the statistics thread: a partner's TLS got weaker (mail_logs has it)."""
        loop = self._loop
        if loop is not None and not loop.is_closed():
            with contextlib.suppress(RuntimeError):  # loop closing under us
                loop.call_soon_threadsafe(self._downgrade_alert, down)

    def _downgrade_alert(self, down: downgrade.Downgrade) -> None:
        if self.runtime is None or not self._running:
            return
        alert = downgrade.alert(self.runtime.config, down, self._clock())
        if alert is None:
            return
        if self.queue is not None:
            self.queue.send_alert(alert)
        elif self._counters is not None:  # an SMTP worker: the queue's process takes it in
            task = asyncio.ensure_future(spool_alert(self.spool, self._counters, self.maillog,
                                                     alert, self._clock()))
            self._side.add(task)
            task.add_done_callback(self._side.discard)

    def _shared_counts(self) -> Callable[[tuple[str, int]], SharedCounts] | None:
        """An SMTP worker counts connections with the others (engine/inbound/shared.py)."""
        if self.role is not Role.SMTP:
            return None
        run = files.private_dir(self.data_dir / "run")
        return lambda address: SharedCounts(run, address, self.worker)

    def _spooled(self) -> None:
        """A message was spooled: the queue takes it now rather than at its next poll."""
        if self.queue is not None:
            self.queue.wake()

    # -- status ------------------------------------------------------------
    @property
    def runtime(self) -> RuntimeConfig | None:
        """The applied version, compiled (None before one applies)."""
        return self.versions.runtime

    @property
    def serving_version(self) -> int | None:
        """The version every part of the engine runs (the oldest, with SMTP workers)."""
        version = self.runtime.version if self.runtime is not None else None
        if self.role is Role.QUEUE and version is not None:
            workers = [v for v in self.workers.summary().versions.values() if v is not None]
            return min([version, *workers])
        return version

    @property
    def not_applied(self) -> NotApplied | None:
        return self.versions.not_applied

    def _status_soon(self) -> None:
        self._status.publish_soon()

    @property
    def maillog(self) -> MailLog:
        assert self._maillog is not None, "engine not started"
        return self._maillog

    @property
    def failed_listeners(self) -> dict[str, str]:
        """Listener name -> why it is not running (e.g. "Already in use")."""
        if self.role is Role.QUEUE:
            return self.workers.summary().failed
        return dict(self._listeners.failed) if self._listeners else {}

    @property
    def stuck_listeners(self) -> dict[str, str]:
        """Listener name -> why it still listens on its old address (it could not move)."""
        if self.role is Role.QUEUE:
            return self.workers.summary().stuck
        return dict(self._listeners.stuck) if self._listeners else {}

    @property
    def running_listeners(self) -> list[str]:
        return sorted(self._listeners.running) if self._listeners else []

    @property
    def inbound_connections(self) -> int:
        """Open inbound connections on the running listeners (a `status` gauge)."""
        if self.role is Role.QUEUE:
            return self.workers.summary().connections
        running = self._listeners.running.values() if self._listeners else ()
        return sum(listener.tracker.total for listener in running)

    @property
    def inbound_totals(self) -> InboundCounts:
        """The inbound counters, of every worker in the QUEUE role."""
        if self.role is Role.QUEUE:
            return self.workers.summary().counts
        return self.inbound_counts

    def queue_summary(self) -> QueueSummary | None:
        """The queue database's totals (blocking: call it off the loop)."""
        return self.queue.store.summary() if self.queue is not None else None

    def bound_port(self, name: str) -> int | None:
        address = self.bound_address(name)
        return address[1] if address else None

    def bound_address(self, name: str) -> tuple[str, int] | None:
        """(ip, port) listener `name` really listens on (its old one while `stuck`)."""
        if self.role is Role.QUEUE:
            return self.workers.summary().bound.get(name)
        return self._listeners.bound_address(name) if self._listeners else None

    # -- following the store ---------------------------------------------
    async def prepare(self, number: int) -> bool:
        """An SMTP worker builds version `number` and stages it (engine/activation.py)."""
        runtime = await self.versions.prepare(number)
        if runtime is not None and self._listeners is not None:
            self._listeners.stage(runtime)
        return runtime is not None

    async def _applied(self, runtime: RuntimeConfig) -> None:
        """A new version runs (VersionFollower swapped it in): reconcile the listeners."""
        self.maillog.rotation = logfiles.rotation_for(runtime.config.logs, "mail_logs")
        if self._listeners is not None:
            await self._listeners.apply(runtime)
            self._check_open_files(runtime)
        if self.role is not Role.SMTP:  # said once, not by every worker
            for name, reason in runtime.disabled.items():
                self.maillog.listener_disabled(name, reason)
        for hook in self.on_applied:
            hook(runtime)
        self._status.publish_soon()

    def _check_open_files(self, runtime: RuntimeConfig) -> None:
        wanted = sum(spec.max_connections for spec in runtime.listeners.values()) + SPARE_FILES
        if wanted > self._open_files:
            self.maillog.open_files_limited(self._open_files, wanted)


async def spool_alert(spool: Spool, counters: Counters, log: MailLog, alert: Alert,
                      when: float) -> None:
    """An alert made where there is no queue (an SMTP worker): spooled into incoming/ as
    the queue's own messages are, for the queue's process to take in."""
    mid = counters.next_mid()
    await spool.store(mid, 0, LISTENER, alert.sender, list(alert.recipients), alert.content, when)
    log.queued(mid, ALERT, alert.sender, list(alert.recipients))
