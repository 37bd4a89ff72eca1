"""The gate of `WebService` (esacli/web/gate.py) on asyncio's loop and on uvloop (which
`esacli run` uses: tests/web/test_web_gate.py), in a thread of the test, with real sockets
and TLS and timeouts and caps the test sets:
a handshake not done in time is dropped; at the total the console stops accepting, a
connection waits in the kernel's queue and is served once one closes; stopping the
console, or moving it to another port, closes every connection and none counts after."""

from __future__ import annotations

import asyncio
import logging
import socket
import ssl
import threading
from collections.abc import Coroutine, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import uvloop

from esacli.web import gate
from esacli.web.service import WebService
from state import model
from state.bootstrap import open_data_dir
from state.store import Store
from tests.kit.ports import accepts, reserve
from tests.kit.waiting import wait_until
from tests.web.gate_kit import BOUND, client_context, closed_within, plain, served, tls, waiting

LONG = gate.Timeouts(60.0, 60.0, 60.0)  # nothing but the test ends a connection


@dataclass
class Running:
    service: WebService
    store: Store
    loop: asyncio.AbstractEventLoop

    def call(self, coro: Coroutine[Any, Any, Any]) -> Any:
        return asyncio.run_coroutine_threadsafe(coro, self.loop).result(timeout=20)

    def apply(self, port: int) -> int:
        web = model.WebConsole(enabled=True, ip="127.0.0.1", port=port)
        self.call(self.service.apply(model.replace(self.store.load(), web=web)))
        assert self.service.address is not None, "the console did not start"
        return self.service.address[1]

    def open(self) -> int:
        assert self.service.gate is not None
        return self.service.gate.startups.total


@pytest.fixture(params=["asyncio", "uvloop"])
def console(tmp_path: Path, request: pytest.FixtureRequest) -> Iterator[Running]:
    store, secrets = open_data_dir(tmp_path / "data")
    loop = uvloop.new_event_loop() if request.param == "uvloop" else asyncio.new_event_loop()
    thread = threading.Thread(target=loop.run_forever, daemon=True)
    thread.start()
    running = Running(WebService(tmp_path / "data", store, secrets), store, loop)
    try:
        yield running
    finally:
        running.call(running.service.close())
        loop.call_soon_threadsafe(loop.stop)
        thread.join(timeout=10)
        loop.close()
        store.close()


def test_a_handshake_not_done_in_time_is_dropped(
        console: Running, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(gate, "TIMEOUTS", gate.Timeouts(0.5, 60.0, 60.0))
    port = console.apply(0)
    with plain(port, "127.0.0.2") as silent:
        assert closed_within(silent, BOUND)
    wait_until(lambda: console.open() == 0, BOUND, "the dropped one no longer counted")
    assert served(port, "127.0.0.3")


def test_at_the_total_a_connection_waits_and_is_served_once_one_closes(
        console: Running, monkeypatch: pytest.MonkeyPatch,
        caplog: pytest.LogCaptureFixture) -> None:
    monkeypatch.setattr(gate, "TIMEOUTS", LONG)
    monkeypatch.setattr(gate, "TOTAL", 2)
    port = console.apply(0)
    first, second = plain(port, "127.0.0.2"), plain(port, "127.0.0.3")
    with first, second, plain(port, "127.0.0.4") as third:
        wait_until(lambda: waiting(port) == 1, BOUND, "the third waiting to be accepted")
        assert console.open() == 2
        first.close()
        wait_until(lambda: waiting(port) == 0, BOUND, "the third accepted")
        with client_context().wrap_socket(third) as secured:
            secured.sendall(b"GET /login HTTP/1.1\r\nHost: x\r\n\r\n")
            assert secured.recv(4096).startswith(b"HTTP/1.1 200")
    full = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert full == ["Web console: 2 connections open, the most it serves at once;"
                    " new ones wait to be accepted"]  # once a minute: the second time silent


def test_stopping_closes_every_connection(
        console: Running, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(gate, "TIMEOUTS", LONG)
    port = console.apply(0)
    with plain(port, "127.0.0.2") as handshaking, tls(port, "127.0.0.3") as idle:
        wait_until(lambda: console.open() == 2, BOUND, "both counted")
        stopped = console.service.gate
        console.call(console.service.stop())
        assert closed_within(handshaking, BOUND) and closed_within(idle, BOUND)
    assert stopped is not None and stopped.startups.total == 0
    assert not accepts(port)


def test_moving_the_console_closes_the_old_ports_connections(
        console: Running, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(gate, "TIMEOUTS", LONG)
    old, new = reserve(), reserve()
    assert console.apply(old) == old
    with tls(port=old, source="127.0.0.2") as held:
        assert console.apply(new) == new
        assert closed_within(held, BOUND)
    assert served(new, "127.0.0.2") and not accepts(old)
    wait_until(lambda: console.open() == 0, BOUND, "the served one no longer counted")


async def test_a_connection_dropped_before_its_first_step_is_closed_and_uncounted() -> None:
    """A stop in the same loop turn as an accept cancels a task that never ran."""
    mine, theirs = socket.socketpair()
    gated = gate.Gate(gate.listen("127.0.0.1", 0), ssl.create_default_context(),
                      lambda gone: asyncio.Protocol())
    with theirs:
        gated._admit(mine, "127.0.0.2")
        assert gated.startups.total == 1
        await gated.drop()
        await gated.stop_accepting()
        assert mine.fileno() == -1 and gated.startups.total == 0
