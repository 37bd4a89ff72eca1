"""Running listeners, reconciled with each new RuntimeConfig (commit-model.md §5).

Listeners are keyed by (name, ip, port). An unchanged key keeps its socket and
only its pinned (runtime, spec) pair moves on, so new connections see the new
version while open ones keep theirs. A removed or re-addressed listener stops
accepting at once and its open sessions finish; a listener that cannot bind is
logged and recorded in `failed`, and the others run.
"""

from __future__ import annotations

import asyncio
import errno

from engine.inbound.adapter import EsaSMTP, protocol_factory
from engine.inbound.session import Services
from engine.inbound.tracker import ConnectionTracker
from engine.runtime import ListenerKey, ListenerSpec, RuntimeConfig


class RunningListener:
    def __init__(self, services: Services, runtime: RuntimeConfig, spec: ListenerSpec) -> None:
        self.services = services
        self.tracker = ConnectionTracker()
        self.key: ListenerKey = spec.key
        self.connections: set[EsaSMTP] = set()
        self._current = (runtime, spec)
        self._server: asyncio.Server | None = None
        self._idle = asyncio.Event()
        self._idle.set()

    # -- ListenerHandle --------------------------------------------------
    def current(self) -> tuple[RuntimeConfig, ListenerSpec]:
        return self._current

    def opened(self, connection: EsaSMTP) -> None:
        self.connections.add(connection)
        self._idle.clear()

    def closed(self, connection: EsaSMTP) -> None:
        self.connections.discard(connection)
        if not self.connections:
            self._idle.set()

    # -- lifecycle -------------------------------------------------------
    def update(self, runtime: RuntimeConfig, spec: ListenerSpec) -> None:
        self._current = (runtime, spec)

    @property
    def name(self) -> str:
        return self._current[1].name

    async def start(self) -> None:
        spec = self._current[1]
        loop = asyncio.get_running_loop()
        self._server = await loop.create_server(
            protocol_factory(self), host=spec.ip, port=spec.port, backlog=spec.tcp_queue
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
        try:
            await asyncio.wait_for(self._idle.wait(), timeout)
        except TimeoutError:
            pass
        if self._server is not None:
            await self._server.wait_closed()


def bind_error(exc: OSError) -> str:
    if exc.errno == errno.EADDRINUSE:
        return "Already in use"
    return exc.strerror or type(exc).__name__


class ListenerSet:
    def __init__(self, services: Services) -> None:
        self.services = services
        self.running: dict[str, RunningListener] = {}
        self.failed: dict[str, str] = {}
        self._draining: set[RunningListener] = set()

    async def apply(self, runtime: RuntimeConfig) -> None:
        for name, running in list(self.running.items()):
            spec = runtime.listeners.get(name)
            if spec is not None and spec.key == running.key:
                running.update(runtime, spec)
                continue
            running.stop_accepting()  # open sessions finish under their own runtime
            del self.running[name]
            self._draining.add(running)
        self._draining = {r for r in self._draining if r.connections}
        self.failed = {}
        for name, spec in runtime.listeners.items():
            if name not in self.running:
                await self._bind(runtime, spec)

    async def _bind(self, runtime: RuntimeConfig, spec: ListenerSpec) -> None:
        listener = RunningListener(self.services, runtime, spec)
        try:
            await listener.start()
        except OSError as exc:
            reason = bind_error(exc)
            self.failed[spec.name] = reason
            self.services.maillog.listener_cannot_bind(spec.name, spec.ip, spec.port, reason)
            return
        self.running[spec.name] = listener
        self.services.maillog.listener_starting(spec.name)

    def port(self, name: str) -> int | None:
        listener = self.running.get(name)
        return listener.port if listener else None

    async def close(self) -> None:
        everything = list(self.running.values()) + list(self._draining)
        self.running.clear()
        self._draining.clear()
        await asyncio.gather(*(listener.close() for listener in everything))
