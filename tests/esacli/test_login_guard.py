"""The limits on password guessing (esacli/login_guard.py), on a fake clock."""

from __future__ import annotations

import asyncio
import threading

import pytest

from esacli import login_guard
from esacli.login_guard import FREE_FAILURES, LoginGuard


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0
        self.waited: list[float] = []  # what the guard asked asyncio.sleep for

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    """asyncio.sleep in the guard advances the fake clock instead of waiting."""
    fake = Clock()

    async def sleep(seconds: float) -> None:
        fake.waited.append(seconds)

    monkeypatch.setattr(login_guard.asyncio, "sleep", sleep)
    return fake


def make_guard(clock: Clock, threads: set[str] | None = None) -> LoginGuard:
    def check(user: str, password: str) -> bool:
        if threads is not None:
            threads.add(threading.current_thread().name)
        return password == "right"

    return LoginGuard(check, clock=clock)


async def test_checks_run_on_the_guards_own_thread(clock: Clock) -> None:
    threads: set[str] = set()
    guard = make_guard(clock, threads)
    assert await guard.check("127.0.0.1", "admin", "right")
    assert threads and all(name.startswith("esacli-login") for name in threads)


async def test_a_guessing_address_is_slowed_and_the_others_are_not(clock: Clock) -> None:
    guard = make_guard(clock)
    for _ in range(FREE_FAILURES):
        assert not await guard.check("127.0.0.2", "admin", "guess")
    assert clock.waited == []
    for _ in range(4):  # parallel guesses are queued one after the other, the gap doubling
        assert not await guard.check("127.0.0.2", "admin", "guess")
    assert clock.waited == [0.5, 1.5, 3.5]
    assert await guard.check("127.0.0.1", "admin", "right")  # another address: no wait
    assert len(clock.waited) == 3


async def test_past_the_longest_wait_an_attempt_is_refused_unchecked(clock: Clock) -> None:
    calls: list[str] = []

    def check(user: str, password: str) -> bool:
        calls.append(password)
        return password == "right"

    guard = LoginGuard(check, clock=clock)
    for _ in range(40):
        await guard.check("127.0.0.2", "admin", "guess")
    assert len(calls) < 40
    checked = len(calls)
    assert not await guard.check("127.0.0.2", "admin", "right")  # not even looked at
    assert len(calls) == checked


async def test_failures_are_forgotten(clock: Clock) -> None:
    guard = make_guard(clock)
    for _ in range(FREE_FAILURES + 3):
        await guard.check("127.0.0.2", "admin", "guess")
    clock.now += login_guard.FORGET + 1
    waited = len(clock.waited)
    assert await guard.check("127.0.0.2", "admin", "right")
    assert len(clock.waited) == waited


def test_the_table_of_addresses_is_bounded(clock: Clock, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(login_guard, "MAX_ADDRESSES", 10)
    guard = make_guard(clock)

    async def many() -> None:
        for n in range(50):
            await guard.check(f"10.0.0.{n}", "admin", "guess")

    asyncio.run(many())
    assert len(guard._addresses) == 10


async def test_limits_come_from_the_committed_settings(clock: Clock) -> None:
    """sshconfig SETUP: the guard reads its limits at each check (no restart needed)."""
    from state.model_access import LoginLimits

    limits = LoginLimits(free_failures=2, max_gap=1, forget_minutes=1)
    guard = LoginGuard(lambda user, password: password == "right", clock=clock,
                       limits=lambda: limits)
    for _ in range(2):
        assert not await guard.check("127.0.0.2", "admin", "guess")
    assert clock.waited == []
    for _ in range(4):
        assert not await guard.check("127.0.0.2", "admin", "guess")
    assert clock.waited == [0.5, 1.5, 2.5]  # the gap stops at max_gap (the module's: 3.5)
    clock.now += 61  # forgotten after forget_minutes
    clock.waited.clear()
    assert await guard.check("127.0.0.2", "admin", "right")
    assert clock.waited == []
    limits = LoginLimits(free_failures=50)
    for _ in range(10):
        await guard.check("127.0.0.3", "admin", "guess")
    assert clock.waited == []
