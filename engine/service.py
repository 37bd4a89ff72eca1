"""The engine: follows the store's head and runs the listeners it describes.

The store is the only channel from the shell (ARCHITECTURE.md): commits made through
the same Store object arrive by `subscribe` (possibly on another thread), and
commits made by another process on the same data dir are noticed by polling
`head_number()`. Each new version is compiled into a RuntimeConfig off the
event loop; on success the single `runtime` reference is swapped and the
listeners are reconciled, on failure the old runtime stays and mail_logs says
why. At boot there is no old runtime: when the head cannot be applied the
engine starts on the newest version that can (`not_applied` says which version
was passed over and why; the console, system_logs and `status` show it), so no
committed version can stop the appliance from booting.

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
import logging
import resource
import sqlite3
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Self

from engine import tls
from engine.counters import Counters
from engine.errors import RuntimeBuildError
from engine.inbound.listeners import ListenerSet
from engine.inbound.session import Services
from engine.maillog import MailLog
from engine.queue.manager import QueueManager, QueueOptions
from engine.runtime import RuntimeConfig, build_runtime
from engine.spool import Spool
from engine.status import INTERVAL as STATUS_INTERVAL
from engine.status import InboundCounts, StatusPublisher
from engine.tlsstats import downgrade
from engine.tlsstats.recorder import Recorder
from state.errors import StateError
from state.model import Config
from state.secrets import Secrets
from state.store import Store

POLL_INTERVAL = 0.5
# Descriptors besides the inbound connections: queue, spool, logs, outbound, SSH.
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


log = logging.getLogger("engine")


@dataclass(frozen=True)
class NotApplied:
    """The newest committed version, which the engine could not apply, and why."""

    version: int
    reason: str


def mail_logs_path(data_dir: Path) -> Path:
    return Path(data_dir) / "logs" / "mail_logs"


def spool_path(data_dir: Path) -> Path:
    return Path(data_dir) / "spool"


class Engine:
    def __init__(
        self,
        data_dir: Path,
        store: Store,
        secrets: Secrets,
        *,
        poll_interval: float = POLL_INTERVAL,
        serial: str | None = None,
        outbound: QueueOptions | None = None,
        status_interval: float = STATUS_INTERVAL,
        interfaces_optional: Callable[[], bool] | None = None,
    ) -> None:
        self.data_dir = Path(data_dir)
        self.outbound_options = outbound
        self.queue: QueueManager | None = None
        self.store = store
        self.secrets = secrets
        self.poll_interval = poll_interval
        # asked at each build: in a cluster a listener may name an interface this
        # machine lacks, and runs disabled rather than failing the whole version
        self.interfaces_optional = interfaces_optional or (lambda: False)
        self.serial = serial
        self.runtime: RuntimeConfig | None = None
        self.maillog_path = mail_logs_path(self.data_dir)
        self.spool = Spool(spool_path(self.data_dir))
        self._seen = 0  # highest version tried, applied or not
        self.not_applied: NotApplied | None = None
        self._owns_store = False
        self._running = False
        self._loop: asyncio.AbstractEventLoop | None = None
        self._lock = asyncio.Lock()
        self._poller: asyncio.Task[None] | None = None
        self._tasks: set[asyncio.Future[None]] = set()
        self._maillog: MailLog | None = None
        self._counters: Counters | None = None
        self._listeners: ListenerSet | None = None
        self.inbound_counts = InboundCounts()
        self._status = StatusPublisher(self, status_interval)
        self._open_files = 0
        self.stats: Recorder | None = None

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
        self._maillog = MailLog(self.maillog_path, self.serial)
        self._counters = Counters(self.spool.root / "counters.json")
        self.stats = Recorder(self.data_dir, self._maillog, self._clock, self._stats_days,
                              self._downgraded)
        self.stats.start()
        self._listeners = ListenerSet(
            Services(self._maillog, self.spool, self._counters, spooled=self._spooled,
                     counts=self.inbound_counts, stats=self.stats)
        )
        self._running = True
        self.store.subscribe(self._on_commit)
        await self._boot()
        self._poller = asyncio.create_task(self._poll())
        self.queue = QueueManager(
            self.data_dir, self.spool, self._maillog, self._counters, self.secrets,
            lambda: self.runtime, self.outbound_options,
        )
        self.queue.stats = self.stats
        self.queue.start()
        await self._status.start()

    async def stop(self) -> None:
        self._running = False
        self.store.unsubscribe(self._on_commit)
        if self._poller is not None:
            self._poller.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._poller
        for task in list(self._tasks):
            with contextlib.suppress(asyncio.CancelledError):
                await task
        async with self._lock:
            if self._listeners is not None:
                await self._listeners.close()
        if self.queue is not None:  # after the listeners: nothing new can arrive
            await self._status.stop()  # first: the queue's last numbers go in the final status
            await self.queue.stop()
        if self.stats is not None:  # last: the connections closed above are recorded
            await self.stats.stop()
        if self._counters is not None:
            self._counters.close()
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
        if self.runtime is None or self.queue is None or not self._running:
            return
        alert = downgrade.alert(self.runtime.config, down, self._clock())
        if alert is not None:
            self.queue.send_alert(alert)

    def _spooled(self) -> None:
        """A message was spooled: the queue takes it now rather than at its next poll."""
        if self.queue is not None:
            self.queue.wake()

    # -- status ------------------------------------------------------------
    @property
    def maillog(self) -> MailLog:
        assert self._maillog is not None, "engine not started"
        return self._maillog

    @property
    def failed_listeners(self) -> dict[str, str]:
        """Listener name -> why it is not running (e.g. "Already in use")."""
        return dict(self._listeners.failed) if self._listeners else {}

    @property
    def stuck_listeners(self) -> dict[str, str]:
        """Listener name -> why it still listens on its old address (it could not move)."""
        return dict(self._listeners.stuck) if self._listeners else {}

    @property
    def running_listeners(self) -> list[str]:
        return sorted(self._listeners.running) if self._listeners else []

    @property
    def inbound_connections(self) -> int:
        """Open inbound connections on the running listeners (a `status` gauge)."""
        running = self._listeners.running.values() if self._listeners else ()
        return sum(listener.tracker.total for listener in running)

    def bound_port(self, name: str) -> int | None:
        return self._listeners.port(name) if self._listeners else None

    def bound_address(self, name: str) -> tuple[str, int] | None:
        """(ip, port) listener `name` really listens on (its old one while `stuck`)."""
        return self._listeners.bound_address(name) if self._listeners else None

    # -- following the store ---------------------------------------------
    def _on_commit(self, number: int) -> None:
        loop = self._loop
        if not self._running or loop is None or loop.is_closed():
            return
        with contextlib.suppress(RuntimeError):  # loop closing under us
            loop.call_soon_threadsafe(self._schedule, number)

    def _schedule(self, number: int) -> None:
        if self._running:
            task = asyncio.ensure_future(self.apply(number))
            self._tasks.add(task)  # hold a reference until it finishes
            task.add_done_callback(self._tasks.discard)

    async def _poll(self) -> None:
        while True:
            await asyncio.sleep(self.poll_interval)
            try:
                head = self.store.head_number()
            except sqlite3.Error as exc:  # a locked or vanished database must not kill the engine
                self.maillog.warning(f"Configuration store unreadable: {type(exc).__name__}")
                continue
            if head > self._seen:
                await self.apply(head)

    async def _boot(self) -> None:
        """Apply the head or, if it cannot be applied, the newest version that can."""
        async with self._lock:
            head = self.store.head_number()
            self._seen = head
            for number in range(head, 0, -1):
                runtime = await self._build(number)
                if runtime is not None:
                    await self._switch(runtime)
                    break
            if self.not_applied is not None:
                applied = self.runtime.version if self.runtime else None
                log.error("Configuration version %d not applied (%s); running version %s",
                          self.not_applied.version, self.not_applied.reason, applied)

    async def apply(self, number: int) -> None:
        """Build version `number` and switch to it; keep the old runtime on any error."""
        async with self._lock:
            if not self._running or number <= self._seen:
                return
            self._seen = number
            runtime = await self._build(number)
            if runtime is not None:
                await self._switch(runtime)
            else:
                self._status.publish_soon()

    async def _switch(self, runtime: RuntimeConfig) -> None:
        self.runtime = runtime
        if self.not_applied is not None and self.not_applied.version <= runtime.version:
            self.not_applied = None
        assert self._listeners is not None
        await self._listeners.apply(runtime)
        for name, reason in runtime.disabled.items():
            self.maillog.warning(f"Listener {name} disabled: {reason}")
        self._check_open_files(runtime)
        self._status.publish_soon()

    def _check_open_files(self, runtime: RuntimeConfig) -> None:
        wanted = sum(spec.max_connections for spec in runtime.listeners.values()) + SPARE_FILES
        if wanted > self._open_files:
            self.maillog.warning(
                f"Open files limited to {self._open_files}: the listeners' connection limits"
                f" need about {wanted}; raise the limit (ulimit -n) or lower Max Concurrent"
                " Connections"
            )

    async def _build(self, number: int) -> RuntimeConfig | None:
        """Version `number` compiled, or None (logged, and kept in `not_applied` when it
        is newer than what runs): no error of one version may stop the engine."""
        try:
            config = self.store.load(number)
            return await asyncio.to_thread(
                build_runtime, config, number, self.secrets,
                interfaces_optional=self.interfaces_optional(),
            )
        except RuntimeBuildError as exc:
            reason = "; ".join(exc.errors)
        except StateError as exc:
            reason = str(exc)
        except Exception as exc:  # noqa: BLE001 (an undecodable or unforeseen version)
            reason = f"{type(exc).__name__}: {exc}"
        self.maillog.critical(f"Configuration version {number} not applied: {reason}")
        if self.not_applied is None or number > self.not_applied.version:
            self.not_applied = NotApplied(number, reason)
        return None
