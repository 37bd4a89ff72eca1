"""Following the store's head: each committed version compiled into a RuntimeConfig and
applied, or kept out with the reason.

The store is the only channel from the shell (DESIGN.md): commits made through the
same Store object arrive by `subscribe` (possibly on another thread), and commits made
by another process on the same data dir are noticed by polling `head_number()`. Each
new version is compiled off the event loop; on success the single `runtime` reference
is swapped and the engine is told (`applied`: it reconciles the listeners), on failure
the old runtime stays and mail_logs says why. At boot there is no old runtime: when the
head cannot be applied the engine starts on the newest version that can (`not_applied`
says which version was passed over and why; the console, system_logs and `status` show
it), so no committed version can stop the appliance from booting.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import sqlite3
from collections.abc import Awaitable, Callable

from engine.errors import RuntimeBuildError
from engine.maillog import MailLog
from engine.runtime import RuntimeConfig, build_runtime
from engine.status import NotApplied
from state.errors import StateError
from state.secrets import Secrets
from state.store import Store

POLL_INTERVAL = 0.5
log = logging.getLogger("engine")  # logs/system_logs (esacli/appliance.py)


class VersionFollower:
    """`applied` is awaited after each swap, under `lock`; `not_built` is called when a
    version newer than what runs could not be applied."""

    def __init__(
        self, store: Store, secrets: Secrets, maillog: Callable[[], MailLog],
        applied: Callable[[RuntimeConfig], Awaitable[None]], not_built: Callable[[], None],
        *, poll_interval: float | None = POLL_INTERVAL,
        interfaces_optional: Callable[[], bool] = lambda: False,
        quiet: bool = False,
    ) -> None:
        self.store, self.secrets, self._maillog = store, secrets, maillog
        self._applied, self._not_built = applied, not_built
        self.poll_interval = poll_interval  # None: woken only (an SMTP worker, by its supervisor)
        self.quiet = quiet  # an SMTP worker: the supervisor's process says "not applied" once
        self.prepared: dict[int, RuntimeConfig] = {}  # built, not yet swapped in (prepare)
        # told of a new version before it is built (the SMTP workers start building it too)
        self.on_seen: list[Callable[[int], None]] = []
        # asked at each build: in a cluster a listener may name an interface this
        # machine lacks, and runs disabled rather than failing the whole version
        self.interfaces_optional = interfaces_optional
        self.runtime: RuntimeConfig | None = None
        self.not_applied: NotApplied | None = None
        self.lock = asyncio.Lock()  # one swap at a time; the engine's stop takes it too
        self._seen = 0  # highest version tried, applied or not
        self._running = False
        self._loop: asyncio.AbstractEventLoop | None = None
        self._poller: asyncio.Task[None] | None = None
        self._tasks: set[asyncio.Future[None]] = set()

    async def start(self) -> None:
        """Boot on the newest version that can be applied, then follow the head."""
        self._loop = asyncio.get_running_loop()
        self._running = True
        self.store.subscribe(self._on_commit)
        await self._boot()
        if self.poll_interval is not None:
            self._poller = asyncio.create_task(self._poll())

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
        assert self.poll_interval is not None
        while True:
            await asyncio.sleep(self.poll_interval)
            try:
                head = self.store.head_number()
            except sqlite3.Error as exc:  # a locked or vanished database must not kill the engine
                self._maillog().store_unreadable(type(exc).__name__)
                continue
            if head > self._seen:
                await self.apply(head)

    async def _boot(self) -> None:
        """Apply the head or, if it cannot be applied, the newest version that can."""
        async with self.lock:
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
        async with self.lock:
            if not self._running or number <= self._seen:
                return
            self._seen = number
            for hook in self.on_seen:
                hook(number)
            runtime = await self._build(number)
            if runtime is not None:
                await self._switch(runtime)
            else:
                self._not_built()

    async def prepare(self, number: int) -> RuntimeConfig | None:
        """Build version `number` now, to be swapped in later (`swap`); the runtime, or
        None if it cannot be applied. A version already running is its own answer."""
        async with self.lock:
            if self.runtime is not None and number <= self.runtime.version:
                return self.runtime
            if number not in self.prepared:
                runtime = await self._build(number)
                if runtime is None:
                    return None
                self.prepared = {number: runtime}  # only the newest waits
            return self.prepared[number]

    async def swap(self, number: int) -> None:
        """Switch to the prepared version `number` (it may already serve new connections:
        engine/activation.py)."""
        async with self.lock:
            runtime = self.prepared.pop(number, None)
            if runtime is None or not self._running or number <= self._seen:
                return
            self._seen = number
            await self._switch(runtime)

    async def _switch(self, runtime: RuntimeConfig) -> None:
        self.runtime = runtime
        if self.not_applied is not None and self.not_applied.version <= runtime.version:
            self.not_applied = None
        await self._applied(runtime)

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
        if not self.quiet:
            self._maillog().version_not_applied(number, reason)
        if self.not_applied is None or number > self.not_applied.version:
            self.not_applied = NotApplied(number, reason)
        return None
