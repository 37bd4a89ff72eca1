"""Waiting for a condition with a deadline, never for a fixed time.

`wait_until` (blocking) and `wait_until_async` (in a running event loop) poll a predicate
until it returns something truthy and give that value back; past the deadline they fail
the test, naming what was awaited. Async predicates are usually checks of the engine's
own state in the same loop, so they are polled more often than the blocking ones, which
read another process's files or sockets.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from typing import TypeVar

T = TypeVar("T")


class Deadline:
    def __init__(self, timeout: float, what: object) -> None:
        self.timeout = timeout
        self.what = what
        self.start = time.monotonic()

    def check(self) -> None:
        if time.monotonic() - self.start > self.timeout:
            raise AssertionError(f"condition not met within {self.timeout} s: {self.what}")

    @property
    def elapsed(self) -> float:
        return time.monotonic() - self.start


def wait_until(predicate: Callable[[], T], timeout: float = 10.0, what: str = "",
               interval: float = 0.02) -> T:
    """Poll `predicate` until it is truthy and return its value; fail after `timeout` s."""
    deadline = Deadline(timeout, what or predicate)
    while not (value := predicate()):
        deadline.check()
        time.sleep(interval)
    return value


async def wait_until_async(predicate: Callable[[], T], timeout: float = 10.0, what: str = "",
                           interval: float = 0.01) -> T:
    """`wait_until` without blocking the event loop."""
    deadline = Deadline(timeout, what or predicate)
    while not (value := predicate()):
        deadline.check()
        await asyncio.sleep(interval)
    return value


def seconds_until(predicate: Callable[[], object], timeout: float, what: str) -> float:
    """How long `predicate` took to hold (fails after `timeout` s like `wait_until`)."""
    start = time.monotonic()
    wait_until(predicate, timeout, what, interval=0.01)
    return time.monotonic() - start
