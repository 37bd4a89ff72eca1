"""The engine's side of the TLS statistics: events in, off the event loop, into the store.

`inbound` and `outbound` are called on the event loop at the end of a connection or a
delivery attempt; they copy what they need into an `Event` and queue it, nothing more (a
bounded queue: past MAX_PENDING events are dropped and counted, never waited for). One
thread takes the queue in batches (BATCH events, or what came in FLUSH_SECONDS), judges
the chains the connections did not verify (recordcheck), writes the batch in one
transaction, checks each event for a downgrade, and every MAINTAIN_SECONDS rolls up and
prunes (store.Writer.maintain). Any failure of the statistics (a full disk, a damaged
file, a bug) is logged in system_logs, at most once a minute, and the batch is dropped:
mail never waits for, nor fails because of, the statistics.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import functools
import logging
import threading
import time
from collections import deque
from collections.abc import Callable
from pathlib import Path
from typing import Any

from engine.maillog import MailLog
from engine.outbound import precedence, verdict
from engine.tlsstats import downgrade, events, recordcheck, texts
from engine.tlsstats.downgrade import Best, Downgrade
from engine.tlsstats.events import INBOUND, UNKNOWN, Event
from engine.tlsstats.store import Writer, path_in
from state.model import Authorities, TLSMode

log = logging.getLogger("engine.tlsstats")
BATCH = 256
FLUSH_SECONDS = 0.25
MAX_PENDING = 20_000
MAINTAIN_SECONDS = 600.0
WARN_EVERY = 60.0

OnDowngrade = Callable[[Downgrade], None]


class Recorder:
    def __init__(
        self, data_dir: Path, maillog: MailLog, clock: Callable[[], float] = time.time,
        keep_days: Callable[[], int] = lambda: 30,
        on_downgrade: OnDowngrade = lambda down: None,
    ) -> None:
        self.path = path_in(data_dir)
        self.maillog = maillog
        self.clock = clock
        self.keep_days = keep_days
        self.on_downgrade = on_downgrade
        self.submitted = self.done = self.dropped = 0
        self.maintains = True
        self._pending: deque[Event] = deque()
        self._wake = threading.Condition()
        self._stopping = False
        self._thread: threading.Thread | None = None
        self._writer: Writer | None = None
        self._warned = -WARN_EVERY
        self._maintained = -MAINTAIN_SECONDS

    # -- the event loop's side ---------------------------------------------------
    def inbound(self, session: events.InboundFacts) -> None:
        self._submit(lambda: events.inbound(session, self.clock()))

    def outbound(self, dcid: int, domain: str, level: TLSMode, conn: Any, delivered: int,
                 authorities: Authorities, req: precedence.Requirement | None = None,
                 session: verdict.Session | None = None) -> None:
        self._submit(lambda: events.outbound(dcid, domain, level, conn, delivered, authorities,
                                             self.clock(), req, session))

    def _submit(self, make: Callable[[], Event]) -> None:
        try:
            event = make()
        except Exception as exc:  # noqa: BLE001 (statistics never break mail)
            self._warn(f"event not recorded: {type(exc).__name__}: {exc}")
            return
        with self._wake:
            if len(self._pending) >= MAX_PENDING:
                self.dropped += 1
                self.done += 1
                self.submitted += 1
                return
            self._pending.append(event)
            self.submitted += 1
            if len(self._pending) >= BATCH:
                self._wake.notify()

    @property
    def settled(self) -> bool:
        """Everything submitted so far is written, or given up (tests wait for it)."""
        return self.done == self.submitted

    # -- lifecycle ---------------------------------------------------------------
    def start(self) -> None:
        self._thread = threading.Thread(target=self._run, name="tlsstats", daemon=True)
        self._thread.start()

    async def stop(self) -> None:
        with self._wake:
            self._stopping = True
            self._wake.notify()
        if self._thread is not None:
            await asyncio.to_thread(self._thread.join)

    # -- the writer thread -------------------------------------------------------
    def _run(self) -> None:
        while True:
            with self._wake:
                if not self._pending and not self._stopping:
                    self._wake.wait(FLUSH_SECONDS)
                batch = [self._pending.popleft() for _ in range(min(BATCH, len(self._pending)))]
                stopping = self._stopping and not self._pending
            if batch:
                self._safely(
                    f"{len(batch)} events not recorded", functools.partial(self._write, batch)
                )
                with self._wake:
                    self.done += len(batch)
            self._safely("roll-up not done", self._maintain)
            if stopping:
                break
        self._reopen()

    def _safely(self, what: str, work: Callable[[], None]) -> None:
        try:
            work()
        except Exception as exc:  # noqa: BLE001 (sqlite3.Error, OSError, a bug: all the same)
            self._warn(f"{what}: {type(exc).__name__}: {exc}")
            self._reopen()

    def _warn(self, text: str) -> None:
        now = time.monotonic()
        if now - self._warned >= WARN_EVERY:
            self._warned = now
            log.warning("TLS statistics (%s): %s", self.path.name, text)

    def _reopen(self) -> None:
        if self._writer is not None:
            with contextlib.suppress(Exception):  # reopened at the next batch anyway
                self._writer.close()
            self._writer = None

    def _open(self) -> Writer:
        if self._writer is None:
            self._writer = Writer(self.path)
        return self._writer

    def _write(self, batch: list[Event]) -> None:
        now = dt.datetime.fromtimestamp(self.clock(), dt.UTC)
        for event in batch:
            if event.chain and event.authorities is not None:
                result, name, presented = recordcheck.judge(event.chain, event.authorities,
                                                            event.names, now)
                event.verify_result, event.verified, event.matched_name = result, not result, name
                event.cert_name = event.cert_name or presented
            event.chain = ()
        writer = self._open()
        found: list[Downgrade] = []
        with writer.transaction() as db:
            writer.write(db, batch)
            for event in batch:
                down = self._check(db, event)
                if down is not None:
                    found.append(down)
        for down in found:
            self._tell(down)

    def _check(self, db: Any, event: Event) -> Downgrade | None:
        row = db.execute("SELECT tls, verified, version, seen, alerted FROM best"
                         " WHERE direction = ? AND domain = ?",
                         (event.direction, event.domain)).fetchone()
        best = Best(bool(row[0]), bool(row[1]), str(row[2]), float(row[3]), float(row[4])) \
            if row else None
        if best is None and not event.tls and event.verify_result == UNKNOWN:
            return None  # nothing learnt about this partner yet
        kept, down = downgrade.judge(best, event, event.when)
        db.execute("INSERT OR REPLACE INTO best VALUES (?, ?, ?, ?, ?, ?, ?)",
                   (event.direction, event.domain, int(kept.tls), int(kept.verified),
                    kept.version, kept.seen, kept.alerted))
        return down

    def _tell(self, down: Downgrade) -> None:
        event = down.event
        kind = "ICID" if event.direction == INBOUND else "DCID"
        self.maillog.tls_downgrade(kind, event.conn_id, texts.DIRECTION_WORDS[event.direction],
                                   event.domain, downgrade.log_line(down))
        self.on_downgrade(down)

    def _maintain(self) -> None:
        if not self.maintains:  # an SMTP worker: the queue's process rolls up and prunes
            return
        now = time.monotonic()
        if now - self._maintained < MAINTAIN_SECONDS:
            return
        self._maintained = now
        self._open().maintain(self.clock(), self.keep_days())
