"""Running listeners, reconciled with each new RuntimeConfig (ARCHITECTURE.md, the commit model, 5).

A listener whose address (ip, port) is unchanged keeps its socket, even when it
is renamed; only its pinned (runtime, spec) pair moves on, so new connections see
the new version while open ones keep theirs. A removed listener stops accepting
at once and its open sessions finish.

With SMTP workers (engine/worker.py) a version is first staged (`ListenerSet.stage`)
and served from the moment the supervisor's one write says so (engine/activation.py,
read at each accept through `gate`), then reconciled as above.

A listener moved to a new address binds the new one first and lets the old go
only once it listens: if the new address cannot be bound, the listener keeps
serving on its old socket under the new version's policy, `stuck` says why, and
the next version applied tries again. A new listener that cannot bind is logged
and recorded in `failed`, and the others run; it is tried again every BIND_RETRY
seconds (quietly: its failure was logged once), so a port another program held at
boot serves mail once that program lets it go, without a commit or a restart.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import errno
import logging
import os
from collections.abc import Callable

from engine.inbound.binding import IN_USE, bind_error, held_elsewhere
from engine.inbound.conversation import Services
from engine.inbound.protocol import SmtpProtocol, protocol_factory
from engine.inbound.tracker import ConnectionTracker
from engine.runtime import ListenerSpec, RuntimeConfig

log = logging.getLogger(__name__)
Gate = Callable[[], int]  # the version to serve from now on (engine/activation.py)
BIND_RETRY = 5.0  # seconds; a bind is one system call, and mail waits for it


class RunningListener:
    def __init__(self, services: Services, runtime: RuntimeConfig, spec: ListenerSpec,
                 reuse_port: bool = False, gate: Gate | None = None) -> None:
        self.services = services
        self.reuse_port = reuse_port
        self.gate = gate
        self._staged: tuple[RuntimeConfig, ListenerSpec] | None = None
        shared = services.shared_counts
        self.tracker = ConnectionTracker(shared((spec.ip, spec.port)) if shared else None)
        self.connections: set[SmtpProtocol] = set()
        self._current = (runtime, spec)
        self._server: asyncio.Server | None = None
        self._idle = asyncio.Event()
        self._idle.set()

    # -- ListenerHandle --------------------------------------------------
    def current(self) -> tuple[RuntimeConfig, ListenerSpec]:
        staged = self._staged
        if staged is not None and self.gate is not None and self.gate() >= staged[0].version:
            self._current, self._staged = staged, None
        return self._current

    def opened(self, connection: SmtpProtocol) -> None:
        self.connections.add(connection)
        self._idle.clear()

    def closed(self, connection: SmtpProtocol) -> None:
        self.connections.discard(connection)
        if not self.connections:
            self._idle.set()

    # -- lifecycle -------------------------------------------------------
    def update(self, runtime: RuntimeConfig, spec: ListenerSpec) -> None:
        self._current, self._staged = (runtime, spec), None

    def stage(self, runtime: RuntimeConfig, spec: ListenerSpec) -> None:
        self._staged = (runtime, spec)

    @property
    def address(self) -> tuple[str, int]:
        """The configured (ip, port) this listener's socket was bound for."""
        spec = self._current[1]
        return spec.ip, spec.port

    @property
    def name(self) -> str:
        return self._current[1].name

    async def start(self) -> None:
        spec = self._current[1]
        loop = asyncio.get_running_loop()
        if self.reuse_port and await asyncio.to_thread(
                held_elsewhere, spec.ip, spec.port, os.getppid()):
            raise OSError(errno.EADDRINUSE, os.strerror(errno.EADDRINUSE))
        self._server = await loop.create_server(
            protocol_factory(self), host=spec.ip, port=spec.port, backlog=spec.tcp_queue,
            reuse_port=self.reuse_port or None,
        )

    @property
    def port(self) -> int | None:
        if self._server is None or not self._server.sockets:
            return None
        return int(self._server.sockets[0].getsockname()[1])

    def stop_accepting(self) -> None:
        if self._server is not None:
            self._server.close()

    async def close(self, timeout: float = 5.0) -> None:
        """Stop accepting, end every open connection and wait until they are gone."""
        self.stop_accepting()
        for connection in list(self.connections):
            connection.abort()
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._idle.wait(), timeout)
        if self._server is not None:
            await self._server.wait_closed()
        self.tracker.close()


Bind = tuple["RunningListener | None", str]


class ListenerSet:
    """`reuse_port`: each SMTP worker process binds the same addresses (SO_REUSEPORT) and
    the kernel spreads new connections over them; a program that holds a port without
    it still makes the bind fail ("Already in use"), as with one process, and so does
    any process outside this appliance that holds it with it (binding.held_elsewhere:
    another appliance's workers)."""

    def __init__(self, services: Services, reuse_port: bool = False,
                 gate: Gate | None = None) -> None:
        self.services = services
        self.reuse_port = reuse_port
        self.gate = gate
        self.running: dict[str, RunningListener] = {}
        self.failed: dict[str, str] = {}  # name -> why it does not listen at all
        self.stuck: dict[str, str] = {}  # name -> why it still listens on its old address
        self._draining: set[RunningListener] = set()
        self._runtime: RuntimeConfig | None = None  # the version applied
        self._staged: RuntimeConfig | None = None  # the version the gate may switch to

    async def apply(self, runtime: RuntimeConfig) -> None:
        self.failed, self.stuck, self._runtime, self._staged = {}, {}, runtime, None
        wanted = runtime.listeners
        for name, running in list(self.running.items()):
            if name not in wanted:
                del self.running[name]
                heir = self._heir(runtime, running)
                if heir is None:
                    self._retire(running)
                else:  # renamed at the same address: the socket stays
                    running.update(runtime, heir)
                    self.running[heir.name] = running
        for name, running in list(self.running.items()):
            spec = wanted[name]
            if running.address == (spec.ip, spec.port):
                running.update(runtime, spec)
            else:
                await self._move(runtime, running, spec)
        for name, spec in wanted.items():
            if name not in self.running:
                await self._bind(runtime, spec)
        self._draining = {r for r in self._draining if r.connections}

    async def retry(self) -> bool:
        """Bind again each listener of the version applied that could not be bound: True
        when one more listens."""
        runtime, bound = self._runtime, False
        if runtime is None:
            return False
        for name in list(self.failed):
            spec = runtime.listeners.get(name)
            if spec is None or name in self.running:
                del self.failed[name]
                continue
            listener, self.failed[name] = await self._start(runtime, spec)
            if listener is not None:
                del self.failed[name]
                self.running[name] = listener
                self._stage_one(listener)
                self.services.maillog.listener_starting(name)
                bound = True
        return bound

    async def keep_binding(self, lock: asyncio.Lock, bound: Callable[[], None],
                           interval: float = BIND_RETRY) -> None:
        """`retry` every `interval` s while a listener has failed, under the version
        follower's lock (never beside an `apply`); `bound` is called when one binds."""
        while True:
            await asyncio.sleep(interval)
            if not self.failed:
                continue
            try:
                async with lock:
                    if await self.retry():
                        bound()
            except Exception:  # a fault must not end the retries unsaid
                log.exception("listeners: binding again failed")

    def stage(self, runtime: RuntimeConfig) -> None:
        """Have the listeners that keep their address serve `runtime` once the gate says."""
        self._staged = runtime
        for running in self.running.values():
            self._stage_one(running)

    def _stage_one(self, running: RunningListener) -> None:
        runtime = self._staged
        spec = runtime.listeners.get(running.name) if runtime is not None else None
        if runtime is not None and spec is not None and (spec.ip, spec.port) == running.address:
            running.stage(runtime, spec)

    def _heir(self, runtime: RuntimeConfig, running: RunningListener) -> ListenerSpec | None:
        """The not-yet-running listener of `runtime` at `running`'s address, if any."""
        for spec in runtime.listeners.values():
            if spec.name not in self.running and (spec.ip, spec.port) == running.address:
                return spec
        return None

    def _retire(self, running: RunningListener) -> None:
        running.stop_accepting()  # open sessions finish under their own runtime
        self._draining.add(running)

    async def _start(self, runtime: RuntimeConfig, spec: ListenerSpec) -> Bind:
        listener = RunningListener(self.services, runtime, spec, self.reuse_port, self.gate)
        try:
            await listener.start()
        except (OSError, OverflowError, ValueError) as exc:
            listener.tracker.close()  # (its shared counts: tried again every BIND_RETRY s)
            return None, bind_error(exc)
        return listener, ""

    async def _bind(self, runtime: RuntimeConfig, spec: ListenerSpec) -> None:
        listener, reason = await self._start(runtime, spec)
        if listener is None:
            self.failed[spec.name] = reason
            self.services.maillog.listener_cannot_bind(spec.name, spec.ip, spec.port, reason)
            return
        self.running[spec.name] = listener
        self.services.maillog.listener_starting(spec.name)

    async def _move(self, runtime: RuntimeConfig, running: RunningListener,
                    spec: ListenerSpec) -> None:
        """Listen on the new address first; keep the old socket if that fails."""
        fresh, reason = await self._start(runtime, spec)
        if fresh is None and reason == IN_USE and running.address[1] == spec.port:
            fresh, reason = await self._hand_over(runtime, running, spec)
        if fresh is None:
            ip, port = running.address
            running.update(runtime, dataclasses.replace(spec, ip=ip, port=port))
            self.stuck[spec.name] = f"{spec.ip}:{spec.port}: {reason}"
            self.services.maillog.listener_cannot_move(spec.name, spec.ip, spec.port, reason,
                                                       ip, port)
            return
        self._retire(running)
        self.running[spec.name] = fresh
        self.services.maillog.listener_starting(spec.name)

    async def _hand_over(self, runtime: RuntimeConfig, running: RunningListener,
                         spec: ListenerSpec) -> Bind:
        """Same port on another IP (127.0.0.1 -> 0.0.0.0): our own socket may be what is
        in the way, so close it, bind, and listen on the old address again on failure."""
        running.stop_accepting()
        fresh, reason = await self._start(runtime, spec)
        if fresh is not None:
            return fresh, ""
        try:
            await running.start()
        except (OSError, OverflowError, ValueError) as exc:  # someone took it meanwhile
            self.services.maillog.listener_cannot_bind(running.name, *running.address,
                                                       bind_error(exc))
        return None, reason

    def port(self, name: str) -> int | None:
        listener = self.running.get(name)
        return listener.port if listener else None

    def bound_address(self, name: str) -> tuple[str, int] | None:
        listener = self.running.get(name)
        if listener is None or listener.port is None:
            return None
        return listener.address[0], listener.port

    async def close(self) -> None:
        everything = list(self.running.values()) + list(self._draining)
        self.running.clear()
        self._draining.clear()
        await asyncio.gather(*(listener.close() for listener in everything))
