"""Taking spooled messages into the queue database, and, once at start, finishing what
a crash (or an older version) left half done.

Spool files that cannot be read as mail are left where they are and reported once to
system_logs (never raw: the name is quoted with its control characters escaped).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from pathlib import Path

from engine.outbound.scheduler import Clock
from engine.queue.store import Done, NewMessage, QueueStore
from engine.spool import Spool, Stray

STRAY_LOG = "Spool file %r ignored: %s"
system_log = logging.getLogger("engine.queue")  # logs/system_logs (esacli/appliance.py)


class Intake:
    """`finished(mid, done)` is told of each message whose outcome is durable already."""

    def __init__(self, spool: Spool, store: QueueStore, clock: Clock,
                 finished: Callable[[int, Done], None]) -> None:
        self.spool, self.store, self.clock, self.finished = spool, store, clock, finished

    async def take(self) -> None:
        """Take what waits in the spool's incoming/: one transaction, then move the files."""
        found, strays = await asyncio.to_thread(self.spool.incoming)
        self._report_strays(strays)
        if not found:
            return
        batch = [
            NewMessage(m.mid, m.sender, m.time, m.size, str(self.spool.queued_place(m)),
                       m.recipients, m.flags.encode())
            for m in found
        ]
        self.store.take_in(batch, self.clock.now())
        await self.store.synced()
        files = list(dict.fromkeys(m.path for m in found))  # a file may hold several
        await asyncio.to_thread(lambda: [self.spool.take(path) for path in files])

    async def recover(self) -> None:
        """Once, at start: finish what a crash (or an older version) left half done, and
        take in messages that were spooled in place by an older version."""
        for mid, done in await asyncio.to_thread(self.store.finish_all):
            self.finished(mid, done)
        queued, strays = await asyncio.to_thread(self.spool.queued)
        self._report_strays(strays)
        known = await asyncio.to_thread(self.store.known_mids)
        untaken = []
        for mid, path in queued.items():
            if known.get(mid):  # done, but the crash came before the file was removed
                await asyncio.to_thread(self.remove, path)
            elif mid not in known:
                untaken.append(path)
        if untaken:
            await self._take_in_place(untaken)

    async def _take_in_place(self, paths: list[Path]) -> None:
        loaded = await asyncio.to_thread(lambda: [(p, self.spool.load(p)) for p in paths])
        self._report_strays([Stray(p, "damaged or unreadable") for p, m in loaded if m is None])
        batch = [NewMessage(m.mid, m.sender, m.time, m.size, str(p), m.recipients,
                            m.flags.encode()) for p, found in loaded for m in found or ()]
        self.store.take_in(batch, self.clock.now())
        await self.store.synced()

    def remove(self, path: Path) -> None:
        """Remove a done message's file unless another message in it is not done yet."""
        if not self.store.referenced(str(path)):
            path.unlink(missing_ok=True)

    def _report_strays(self, strays: list[Stray]) -> None:
        for stray in strays:
            name = stray.path.relative_to(self.spool.root).as_posix()
            system_log.warning(STRAY_LOG, name, stray.why)  # repr: no raw control character
