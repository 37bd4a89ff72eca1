"""What each SMTP worker publishes for the queue's process: `<data_dir>/workers/<index>.json`.

A worker (engine/service.py, role SMTP) rewrites its file atomically when its numbers
change (at most every INTERVAL seconds) and after each applied version; the queue's
process sums the files into the one status.json that `status` and the metrics
endpoint read (engine/status.py), so several workers show as one appliance:

    pid, index, updated    the worker process, and when it wrote
    version                the configuration version it runs
    counters               its inbound counters (engine/status.InboundCounts) since it started
    connections            inbound connections open now
    failed, stuck          listener name -> why (as engine/inbound/listeners.py says)
    bound                  listener name -> [ip, port] it listens on

A worker restarted under the same index starts its counters from zero: the reader keeps
what the previous process had counted, so the appliance's totals never go back. A file
written before the reader was made is the previous appliance run's: not counted, so every
Uptime counter starts with the run.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import time
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path
from typing import TYPE_CHECKING, Any

from state import files

if TYPE_CHECKING:
    from engine.service import Engine

from engine.status import InboundCounts, write_atomically

INTERVAL = 0.5
FOLDER = "workers"


def folder(data_dir: Path) -> Path:
    return Path(data_dir) / FOLDER


def alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return False
    return state not in ("Z", "X")


class WorkerPublisher:
    """Writes one worker's file: now, when asked (`publish_soon`), and on change."""

    def __init__(self, engine: Engine, data_dir: Path, index: int) -> None:
        self.engine, self.index = engine, index
        self.path = files.private_dir(folder(data_dir)) / f"{index}.json"
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._stopping = False
        self._last: dict[str, Any] | None = None

    async def start(self) -> None:
        self.publish(force=True)
        self._task = asyncio.create_task(self._run())

    def publish_soon(self) -> None:
        self._wake.set()

    async def stop(self) -> None:
        self._stopping = True
        self._wake.set()
        if self._task is not None:
            await self._task
        self.publish(force=True, stopping=True)

    async def _run(self) -> None:
        while not self._stopping:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), INTERVAL)
            self._wake.clear()
            with contextlib.suppress(OSError):  # a full disk: the next turn tries again
                self.publish()

    def document(self, stopping: bool = False) -> dict[str, Any]:
        engine = self.engine
        runtime = engine.runtime
        names = runtime.listeners if runtime is not None else {}
        bound = {name: list(address) for name in names
                 if (address := engine.bound_address(name)) is not None}
        return {
            "pid": os.getpid(), "index": self.index,
            "version": runtime.version if runtime else None,
            "counters": asdict(engine.inbound_counts),
            "connections": 0 if stopping else engine.inbound_connections,
            "failed": engine.failed_listeners, "stuck": engine.stuck_listeners,
            "bound": bound,
        }

    def publish(self, force: bool = False, stopping: bool = False) -> None:
        document = self.document(stopping)
        if not force and document == self._last:
            return
        self._last = document
        write_atomically(self.path, {**document, "updated": time.time()})


@dataclass
class Summary:
    """Every worker's numbers added up (gauges and listeners: live workers only)."""

    counts: InboundCounts = field(default_factory=InboundCounts)
    connections: int = 0
    failed: dict[str, str] = field(default_factory=dict)
    stuck: dict[str, str] = field(default_factory=dict)
    bound: dict[str, tuple[str, int]] = field(default_factory=dict)
    versions: dict[int, int | None] = field(default_factory=dict)  # index -> version (live)
    pids: dict[int, int] = field(default_factory=dict)  # index -> pid (live)


class WorkerFiles:
    """The queue's process reads the workers' files (cached for a moment: status asks
    for several properties in a row)."""

    def __init__(self, data_dir: Path, cache: float = 0.1) -> None:
        self.path = folder(data_dir)
        self.cache = cache
        self._retired = InboundCounts()  # counted by processes that are gone
        self._last: dict[int, tuple[int, dict[str, int]]] = {}  # index -> (pid, counters)
        self._summary: tuple[float, Summary] | None = None
        self.since = time.time()

    def clear(self) -> None:
        """Before the workers start: the files of a previous run do not count."""
        if self.path.is_dir():
            for old in self.path.glob("*.json"):
                old.unlink(missing_ok=True)
        self._summary = None

    def summary(self) -> Summary:
        now = time.monotonic()
        if self._summary is not None and now - self._summary[0] < self.cache:
            return self._summary[1]
        result = Summary(counts=InboundCounts(**asdict(self._retired)))
        for doc in self._documents():
            self._add(result, doc)
        self._summary = (now, result)
        return result

    def _documents(self) -> list[dict[str, Any]]:
        found = []
        for path in sorted(self.path.glob("*.json")) if self.path.is_dir() else ():
            with contextlib.suppress(OSError, ValueError, TypeError):
                doc = json.loads(path.read_text())
                if isinstance(doc, dict) and float(doc.get("updated", 0)) >= self.since:
                    found.append(doc)
        return found

    def _add(self, result: Summary, doc: dict[str, Any]) -> None:
        index, pid = int(doc.get("index", 0)), int(doc.get("pid", 0))
        counters = {f.name: int(doc.get("counters", {}).get(f.name, 0))
                    for f in fields(InboundCounts)}
        previous = self._last.get(index)
        if previous is not None and previous[0] != pid:  # restarted: keep what it had counted
            _add_counts(self._retired, previous[1])
            _add_counts(result.counts, previous[1])
        self._last[index] = (pid, counters)
        _add_counts(result.counts, counters)
        if not alive(pid):
            return
        result.pids[index] = pid
        result.versions[index] = doc.get("version")
        result.connections += int(doc.get("connections", 0))
        result.failed.update(doc.get("failed", {}))
        result.stuck.update(doc.get("stuck", {}))
        for name, (ip, port) in doc.get("bound", {}).items():
            result.bound.setdefault(name, (str(ip), int(port)))


def _add_counts(total: InboundCounts, counters: dict[str, int]) -> None:
    for name, value in counters.items():
        setattr(total, name, getattr(total, name) + value)
