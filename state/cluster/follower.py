"""The follower: the background task that keeps a member caught up with its cluster.

It holds a LISTEN connection to the cluster database; a NOTIFY (sent by every
commit in its own transaction) only wakes it up. On every wake-up, every
`poll` seconds and on every (re)connect it does a whole cycle: push this
machine's offline Machine-level commit, copy the shared user database, apply the
heads of its levels (node.catch_up: every version after those it applied), and
roll back any expired `commit confirmed`. So nothing is missed while it was
away: it never relies on having seen a notification.

When the server is away, or stops answering (a cycle that takes longer than
ANSWER_TIMEOUT: a server that is stopped or cut off without a reset leaves the
connection open and silent), it marks the link down (status and the prompt read it),
the machine keeps serving on its local store, and it retries with a bounded
backoff, never giving up and never restarting the appliance. A database that holds
another cluster (or none) is not followed (node.check_identity). An administrator's
DISCONNECT makes it let go until RECONNECT. If this machine is removed from the
cluster, it leaves (local.leave) and ends: the appliance goes on standalone.
"""

from __future__ import annotations

import asyncio
import contextlib
import time

import psycopg

from state.cluster import commit, local, members, messages, schema, threads
from state.cluster.db import CONNECT_TIMEOUT, ClusterDB, first_line, where
from state.cluster.errors import Unreachable
from state.cluster.node import ClusterNode, Removed, log
from state.errors import StateError

POLL = 5.0  # a whole cycle at least this often, notified or not
TICK = 0.25  # how often a wait looks at the wake-up event and DISCONNECT
MIN_BACKOFF = 0.2
MAX_BACKOFF = 5.0
ANSWER_TIMEOUT = 10.0  # a cycle taking longer: the database is reported as not answering


class Follower:
    def __init__(self, node: ClusterNode, *, poll: float = POLL,
                 min_backoff: float = MIN_BACKOFF, max_backoff: float = MAX_BACKOFF,
                 answer_timeout: float = ANSWER_TIMEOUT) -> None:
        self.node = node
        self.poll = poll
        self.answer_timeout = answer_timeout
        self.min_backoff = min_backoff
        self.max_backoff = max_backoff
        self._wake = asyncio.Event()
        self._up = False
        self._reason: str | None = None  # the last "down" reason logged
        self._fault: str | None = None  # the last cycle's error logged, while it recurs
        self.cycles = 0

    def wake(self) -> None:
        """Do a cycle now (e.g. after RECONNECT)."""
        self._wake.set()

    async def run(self) -> None:
        """Follow until cancelled, or until this machine is removed from the cluster."""
        backoff = self.min_backoff
        while True:
            if self.node.local.link().admin_disconnected:
                self._down(messages.ADMIN_DISCONNECTED)
                await self._pause(min(self.poll, 1.0))  # RECONNECT may come from any process
                continue
            try:
                await self._follow()
                backoff = self.min_backoff
                continue
            except Removed:
                self._leave()
                return
            except (Unreachable, psycopg.Error, OSError) as exc:
                self._down(_why(exc))
            await self._pause(backoff)
            backoff = min(backoff * 2, self.max_backoff)

    async def _follow(self) -> None:
        conninfo = self.node.local.conninfo()
        name = self.node.membership.machine
        application = members.APPLICATION_PREFIX + name
        listen = await psycopg.AsyncConnection.connect(
            conninfo, autocommit=True, application_name=application,
            connect_timeout=CONNECT_TIMEOUT)
        db: ClusterDB | None = None
        try:
            await self._listen(listen)
            db = await threads.off_loop(ClusterDB, conninfo, application)
            await threads.off_loop(self.node.check_identity, db)
            while not (self.node.local.link().admin_disconnected
                       or self.node.membership.machine != name):
                await self._watched_cycle(db)
                self._connected()
                await self._wait(listen)
            # let go (DISCONNECT), or reconnect under the machine's new name
        finally:
            # closed even when cancelled: a shielded close finishes on its own
            await _close(listen, db)

    async def _listen(self, listen: psycopg.AsyncConnection[object]) -> None:
        """LISTEN, within answer_timeout: a server frozen right after the connect would
        hold the follower (and leave the link "connected") until the kernel gave up."""
        try:
            async with asyncio.timeout(self.answer_timeout):
                await listen.execute(f"LISTEN {schema.CHANNEL}")
        except TimeoutError:
            raise Unreachable(messages.UNREACHABLE(
                where=where(self.node.local.conninfo()),
                reason=messages.NOT_ANSWERING.format(seconds=f"{self.answer_timeout:g}"),
            )) from None

    async def _watched_cycle(self, db: ClusterDB) -> None:
        """A cycle; the link is marked down while it has taken longer than answer_timeout
        (its thread cannot be interrupted in a query: it ends when the server answers,
        or when ClusterDB cuts a round trip the server leaves unanswered for
        db.ANSWER_TIMEOUT; the cycle after it marks the link up again)."""
        cycle = asyncio.ensure_future(threads.off_loop(self._cycle, db))
        done, _ = await asyncio.wait({cycle}, timeout=self.answer_timeout)
        if not done:
            self._down(messages.NOT_ANSWERING.format(seconds=f"{self.answer_timeout:g}"))
        await cycle

    def _cycle(self, db: ClusterDB) -> None:
        try:
            commit.push_outbox(db, self.node)
            self.node.sync_users(db)
            self.node.catch_up(db)
            commit.expire(db, self.node)
        except (Unreachable, Removed):
            raise
        except StateError as exc:  # a bad version or key: logged (once while it stays
            if str(exc) != self._fault:  # the same), tried again next cycle
                log.error(messages.LOG_NOT_APPLIED, self.node.membership.cluster, "heads", exc)
            self._fault = str(exc)
        else:
            self._fault = None
        self.cycles += 1

    async def _wait(self, listen: psycopg.AsyncConnection[object]) -> None:
        deadline = time.monotonic() + self.poll
        while time.monotonic() < deadline:
            async with contextlib.aclosing(listen.notifies(timeout=TICK, stop_after=1)) as got:
                async for _ in got:
                    return
            if self._wake.is_set() or self.node.local.link().admin_disconnected:
                self._wake.clear()
                return

    async def _pause(self, seconds: float) -> None:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._wake.wait(), seconds)
        self._wake.clear()

    def _connected(self) -> None:
        if not self._up:
            self._up, self._reason = True, None
            self.node.local.set_link(True)
            log.info(messages.LOG_CONNECTED, self.node.membership.cluster,
                     self.node.membership.machine)

    def _down(self, reason: str) -> None:
        if self._up or reason != self._reason:  # each change once, not each retry
            log.warning(messages.LOG_DISCONNECTED, self.node.membership.cluster, reason)
            self._reason = reason
        self._up = False
        self.node.local.set_link(False, reason)

    def _leave(self) -> None:
        log.warning(messages.LOG_REMOVED, self.node.membership.cluster)
        self.node.close()
        local.leave(self.node.data_dir)


def _why(exc: BaseException) -> str:
    """The reason a cycle failed, in one line (a cluster error's own reason, not its
    whole sentence)."""
    reason = getattr(getattr(exc, "reason", None), "params", {}).get("reason")
    return str(reason) if reason else first_line(exc)


async def _close(listen: psycopg.AsyncConnection[object], db: ClusterDB | None) -> None:
    async def close() -> None:
        with contextlib.suppress(psycopg.Error, OSError):
            await listen.close()
        if db is not None:
            await threads.off_loop(db.close)

    await asyncio.shield(close())
