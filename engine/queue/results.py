"""Recording delivery results in the queue: delivered, dropped, deferred (with the retry
backoff) and bounced (after the bounce message, a DSN, is spooled).

Each message's results are written before the delivery that reported them goes on (the
next command on its connection); a finished message's spool file goes only once the
fsync behind has made its outcome durable (`finished`).
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable
from pathlib import Path

from engine.errors import SpoolError
from engine.maillog import BOUNCE_OF, MailLog
from engine.messageflags import PLAIN_MESSAGE, Flags
from engine.outbound.addresses import unsendable
from engine.outbound.jobs import Result
from engine.outbound.scheduler import Clock, Failure, build_dsn, retry_delay, status_of
from engine.queue.store import (
    BOUNCED,
    DELIVERED,
    DROPPED,
    QUEUED,
    Done,
    Envelope,
    Outcome,
    QueueStore,
)
from engine.spoolformat import content_of
from state.model import Config

Attempts = dict[tuple[int, int], int]  # (MID, RID) -> attempts made before this one
# spool a message of ours: sender, recipients, content, flags, why it was made (mail_logs)
Inject = Callable[[str, list[str], bytes, Flags, str], Awaitable[None]]


class Results:
    def __init__(self, store: QueueStore, log: MailLog, clock: Clock, inject: Inject) -> None:
        self.store, self.log, self.clock, self.inject = store, log, clock, inject

    async def report(self, config: Config, mid: int, results: dict[int, Result],
                     attempts: Attempts) -> None:
        """Record one message's results: delivered, dropped and deferred in one commit,
        then the bounces (after their DSN is spooled)."""
        outcomes: dict[int, Outcome] = {}
        for rid, result in results.items():
            if result.status == "delivered":
                outcomes[rid] = Outcome(DELIVERED, "")
            elif result.status == "dropped":
                outcomes[rid] = Outcome(DROPPED, "/dev/null")
            elif result.status == "deferred":
                self.log.delayed(result.dcid, mid, rid, result.reply)
                outcomes[rid] = self._retry(config, attempts.get((mid, rid), 0), result.reply)
        if outcomes:
            self.record(mid, outcomes)
        bounced = {rid: r for rid, r in results.items() if r.status == "bounced"}
        if bounced:
            await self.bounce(config, mid, bounced, attempts)

    async def bounce(self, config: Config, mid: int, results: dict[int, Result],
                     attempts: Attempts | None = None) -> None:
        envelope = await asyncio.to_thread(self.store.envelope, mid)
        failures = []
        for rid, result in results.items():
            address = envelope.addresses.get(rid, "") if envelope else ""
            failures.append(Failure(address, status_of(result.reply), f"smtp; {result.reply}"))
        try:
            if envelope is not None and _bounce_goes_to(envelope.sender):
                await self._queue_dsn(config, envelope, failures)
        except SpoolError as exc:  # the disk: try again later rather than bounce in silence
            self.log.bounce_not_spooled(mid, exc)
            tried = attempts or {}
            self.record(mid, {rid: self._retry(config, tried.get((mid, rid), 0), r.reply)
                               for rid, r in results.items()})
            return
        for rid, result in results.items():
            self.log.bounced(result.dcid, mid, rid, result.reply)
        self.record(mid, {rid: Outcome(BOUNCED, r.reply) for rid, r in results.items()})

    def finished(self, mid: int, done: Done) -> None:
        """The outcome is durable: only now may the content go, with the last message
        of its file (on the syncer's thread, or at start-up; MailLog takes lines from
        any thread)."""
        self.log.message_finished(mid)
        if done.last:
            with contextlib.suppress(OSError):  # left for the next start-up's sweep
                Path(done.path).unlink(missing_ok=True)

    def _retry(self, config: Config, attempts: int, reason: str) -> Outcome:
        """Queued again after one more failure, with the backoff that follows it."""
        delay = retry_delay(attempts + 1, config.delivery)
        return Outcome(QUEUED, reason, self.clock.now() + delay)

    def record(self, mid: int, outcomes: dict[int, Outcome]) -> None:
        """Written before the caller goes on (the next command on the connection); a
        finished message's file goes once the fsync behind has made that durable."""
        done = self.store.record(mid, outcomes)
        if done is None:
            return

        def finished(error: OSError | None) -> None:
            if error is None:  # else the file stays, for the next start-up's sweep
                self.finished(mid, done)

        self.store.after_sync(finished)

    async def _queue_dsn(self, config: Config, envelope: Envelope, failures: list[Failure]) -> None:
        try:
            original = await asyncio.to_thread(content_of, Path(envelope.path), envelope.mid)
        except SpoolError:
            original = b""  # the bounce still goes, without the original's headers
        content = build_dsn(
            config.hostname, envelope.sender, failures, original, envelope.arrived,
            self.clock.now(), envelope.mid,
        )
        # RFC 8689 §5: the bounce of a REQUIRETLS message holds its header: it goes under
        # REQUIRETLS too (and is lost if the sender's MX cannot take it so, as §5 warns).
        requiretls = Flags.decode(envelope.flags).requiretls
        await self.inject("", [envelope.sender], content,
                          Flags(requiretls=True) if requiretls else PLAIN_MESSAGE,
                          BOUNCE_OF.format(mid=envelope.mid))


def _bounce_goes_to(sender: str) -> bool:
    """Whether a bounce can be sent to `sender`: never for a bounce (null sender), nor
    to an address that could not be sent to anyway."""
    return bool(sender.strip("<>")) and unsendable(sender) is None
