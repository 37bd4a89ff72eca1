"""What the running engine publishes for operators: `<data_dir>/status.json`.

The shell never talks to the engine (ARCHITECTURE.md); its `status` command reads this
file. It is rewritten atomically (temp file, then os.replace, so a reader never
sees half of it) when the engine starts, after every applied configuration
version and listener reconciliation, every INTERVAL seconds for the counters,
and a last time on a clean stop.

Format 1, a plain JSON object:

    format      1
    state       "running", or "stopped" (the last write of a clean stop)
    pid         the engine's process id (a reader checks it is alive)
    started     epoch seconds when the engine started
    updated     epoch seconds of this write (a reader treats an old one as dead)
    version     the applied configuration version, null before one applies (with SMTP
                workers: the oldest any of them or the queue's process runs)
    hostname    the applied configuration's hostname, null likewise
    not_applied {"version": n, "reason": why}: a newer committed version the engine
                could not apply (at boot it runs the newest one it can), else null
    listeners   {name: {"address": "ip:port", "state": "running" | "failed" | "stopped"
                        | "disabled" | "suspended", "reason": why it failed or is disabled, or why a
                        running listener is still on this (old) address, else ""}}
                (disabled: the machine lacks the listener's interface, address "")
    counters    since `started`: messages_received, recipients_received,
                rejected_recipients_rat, rejected_recipients_hat (delayed HAT reject),
                rejected_recipients_rate_limit, rejected_recipients_limit (over the
                per-message limit), rejected_recipients_invalid (control characters),
                rejected_messages (refused after DATA), rejected_connections (HAT
                REJECT or TCPREFUSE, connection limits), timed_out_connections (closed
                by a timeout or to make room), refused_commands (every other 4xx/5xx
                reply), delivered_recipients,
                hard_bounced_recipients, deleted_recipients (/dev/null route),
                soft_bounced_events (deferrals)
    gauges      now: inbound_connections, active_recipients (queued),
                messages_in_queue (not done), oldest_message (arrival epoch or null)

Only standard-library imports at run time: the shell imports `status_path` and
FORMAT from here without pulling in the SMTP engine.
"""

from __future__ import annotations

import asyncio
import dataclasses
import json
import os
import sqlite3
import time
from collections.abc import Callable, Mapping
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from state import files

if TYPE_CHECKING:
    from engine.maillog import MailLog
    from engine.queue.store import QueueSummary
    from engine.runtime import RuntimeConfig

FORMAT = 1
STATUS_FILE = "status.json"
INTERVAL = 2.0
RUNNING, STOPPED, FAILED, DISABLED = "running", "stopped", "failed", "disabled"
SUSPENDED = "suspended"  # listening, refusing new connections (suspendlistener)
# Queue statuses (engine/queue/store.py), repeated so this module stays import-light.
_DELIVERED, _BOUNCED, _DROPPED, _QUEUED = "delivered", "bounced", "dropped", "queued"


def status_path(data_dir: Path) -> Path:
    return Path(data_dir) / STATUS_FILE


@dataclass
class InboundCounts:
    """Counted by the inbound sessions as things happen (nothing else records them)."""

    messages_received: int = 0
    recipients_received: int = 0
    rejected_recipients_rat: int = 0
    rejected_recipients_hat: int = 0
    rejected_recipients_rate_limit: int = 0
    rejected_recipients_limit: int = 0
    rejected_recipients_invalid: int = 0
    rejected_messages: int = 0
    rejected_connections: int = 0
    timed_out_connections: int = 0
    refused_commands: int = 0

    def received(self, recipients: int) -> None:
        self.messages_received += 1
        self.recipients_received += recipients


@dataclass(frozen=True)
class NotApplied:
    """The newest committed version, which the engine could not apply, and why."""

    version: int
    reason: str


class Published(Protocol):
    """What status.json reports of a running engine (engine/service.py's Engine is one).

    `queue_summary` is called off the event loop; None when there is no queue yet.
    With SMTP workers, the inbound numbers and listener states are every worker's
    (engine/workerstatus.py)."""

    @property
    def runtime(self) -> RuntimeConfig | None: ...
    @property
    def serving_version(self) -> int | None: ...
    @property
    def not_applied(self) -> NotApplied | None: ...
    @property
    def inbound_totals(self) -> InboundCounts: ...
    @property
    def inbound_connections(self) -> int: ...
    @property
    def failed_listeners(self) -> Mapping[str, str]: ...
    @property
    def stuck_listeners(self) -> Mapping[str, str]: ...
    @property
    def maillog(self) -> MailLog: ...

    def bound_address(self, name: str) -> tuple[str, int] | None: ...

    def queue_summary(self) -> QueueSummary | None: ...


def queue_counters(base: QueueSummary | None, now: QueueSummary | None) -> dict[str, int]:
    """Outbound counters since start: the queue database's lifetime totals now, less
    those it held when the engine started."""
    def since(status: str) -> int:
        if now is None:
            return 0
        return now.by_status.get(status, 0) - (base.by_status.get(status, 0) if base else 0)

    deferrals = (now.deferrals - (base.deferrals if base else 0)) if now else 0
    return {
        "delivered_recipients": since(_DELIVERED),
        "hard_bounced_recipients": since(_BOUNCED),
        "deleted_recipients": since(_DROPPED),
        "soft_bounced_events": deferrals,
    }


def queue_gauges(now: QueueSummary | None) -> dict[str, Any]:
    return {
        "active_recipients": now.by_status.get(_QUEUED, 0) if now else 0,
        "messages_in_queue": now.messages if now else 0,
        "oldest_message": now.oldest if now else None,
    }


def listener_states(engine: Published, state: str) -> dict[str, dict[str, str]]:
    """Every listener of the applied version: running, failed (with why), or stopped."""
    runtime = engine.runtime
    if runtime is None:
        return {}
    failed, stuck = engine.failed_listeners, engine.stuck_listeners
    result = {}
    for name, spec in sorted(runtime.listeners.items()):
        ip, port = engine.bound_address(name) or (spec.ip, spec.port)
        if state == STOPPED:
            entry = {"state": STOPPED, "reason": ""}
        elif name in failed:
            entry = {"state": FAILED, "reason": failed[name]}
        elif spec.suspended:
            entry = {"state": SUSPENDED, "reason": ""}
        else:
            entry = {"state": RUNNING, "reason": stuck.get(name, "")}
        result[name] = {"address": f"{ip}:{port}", **entry}
    for name, reason in sorted(runtime.disabled.items()):
        result[name] = {"address": "", "state": DISABLED, "reason": reason}
    return dict(sorted(result.items()))


def write_atomically(path: Path, document: dict[str, Any]) -> None:
    tmp = path.with_name(f".{path.name}.tmp")
    with open(tmp, "w", encoding="utf-8", opener=files.open_private) as handle:
        handle.write(json.dumps(document, indent=1, sort_keys=True) + "\n")
    os.replace(tmp, path)


class StatusPublisher:
    """Writes status.json for one engine: now (`publish`), soon (`publish_soon`),
    every `interval` s (between `start` and `stop`), and "stopped" at `stop`."""

    def __init__(
        self, engine: Published, data_dir: Path, interval: float = INTERVAL,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.engine = engine
        self.interval = interval
        self.clock = clock
        self.path = status_path(data_dir)
        self.started = clock()
        self._base: QueueSummary | None = None
        self._last: QueueSummary | None = None
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._stopping = False
        self._warned = False

    async def start(self) -> None:
        """Take the queue's totals as the zero of the counters, publish, then keep publishing."""
        self._base = await self._summary()
        await self.publish(RUNNING)
        self._task = asyncio.create_task(self._run())

    def publish_soon(self) -> None:
        self._wake.set()

    async def stop(self) -> None:
        """Stop the periodic writes and write the final "stopped" status.
        Call it before the queue closes, so the last counters are still readable."""
        # Ended by a flag, not a cancel (as the queue manager: wait_for can eat a cancel).
        self._stopping = True
        self._wake.set()
        if self._task is not None:
            await self._task
        await self.publish(STOPPED)

    async def _run(self) -> None:
        while not self._stopping:
            waiter = asyncio.ensure_future(self._wake.wait())
            await asyncio.wait({waiter}, timeout=self.interval)
            waiter.cancel()
            self._wake.clear()
            if self._stopping:
                return
            try:
                await self.publish(RUNNING)
            except Exception as exc:  # noqa: BLE001 (a bug here must not end the engine's stop)
                self.engine.maillog.status_error(exc)

    async def _summary(self) -> QueueSummary | None:
        try:
            summary = await asyncio.to_thread(self.engine.queue_summary)
        except sqlite3.Error:
            return self._last  # a busy or closing database: keep the last numbers rather than stop
        if summary is not None:
            self._last = summary
        return summary

    async def publish(self, state: str) -> None:
        document = self.document(state, await self._summary())
        try:
            await asyncio.to_thread(write_atomically, self.path, document)
        except OSError as exc:
            if not self._warned:  # once: a full disk must not fill the log too
                self._warned = True
                self.engine.maillog.status_not_published(str(exc.strerror or exc))

    def document(self, state: str, summary: QueueSummary | None) -> dict[str, Any]:
        engine = self.engine
        runtime = engine.runtime
        counters: dict[str, int] = asdict(engine.inbound_totals)
        counters.update(queue_counters(self._base, summary))
        gauges = {"inbound_connections": engine.inbound_connections if state == RUNNING else 0}
        gauges.update(queue_gauges(summary))
        return {
            "format": FORMAT,
            "state": state,
            "pid": os.getpid(),
            "started": self.started,
            "updated": self.clock(),
            "version": engine.serving_version,
            "hostname": runtime.config.hostname if runtime else None,
            "not_applied": dataclasses.asdict(engine.not_applied) if engine.not_applied else None,
            "listeners": listener_states(engine, state),
            "counters": counters,
            "gauges": gauges,
        }
