"""esacli/commands/ops/logs/patterns.py: a search given up (Ctrl-C, a dropped session)
ends at its next line, off the event loop's thread."""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Iterator

import pytest

from esacli.commands.ops.logs.patterns import Pattern, SearchStopped, compiled, searched


def pattern() -> Pattern:
    found = compiled("never", False)
    assert not isinstance(found, str)
    return found


def test_a_stopped_search_ends_at_its_next_line() -> None:
    stopping = pattern()
    seen: list[int] = []
    gone = threading.Event()

    def lines() -> Iterator[str]:
        for n in range(10_000_000):
            seen.append(n)
            if n == 100:
                gone.set()
            yield "x"

    def search() -> None:
        with pytest.raises(SearchStopped) as stopped:
            sum(1 for line in lines() if stopping.search(line))
        assert not stopped.value.slow

    thread = threading.Thread(target=search)
    thread.start()
    gone.wait(10)
    stopping.stop()
    thread.join(10)
    assert not thread.is_alive() and len(seen) < 10_000_000


async def test_a_search_cancelled_by_its_session_is_stopped() -> None:
    stopping = pattern()
    running_now = threading.Event()
    ended = threading.Event()

    def work() -> int:
        running_now.set()
        try:
            deadline = time.monotonic() + 30
            while time.monotonic() < deadline:
                stopping.search("x")
            return 0
        finally:
            ended.set()

    task = asyncio.ensure_future(searched(None, stopping, work))  # type: ignore[arg-type]
    await asyncio.to_thread(running_now.wait, 10)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert await asyncio.to_thread(ended.wait, 10)
