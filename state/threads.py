"""Threads of their own for one kind of blocking work, awaited from the event loop.

asyncio's default executor (`asyncio.to_thread`) is shared by everything in a process;
in the appliance's own process the queue's intake and delivery use it. Work that an
outsider can make wait or pile up (calls to a cluster database that stopped answering,
web console views under a flood of requests) gets a `Threads` of its own, so it queues
among itself and never takes the threads that move mail.
"""

from __future__ import annotations

import asyncio
import functools
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar

T = TypeVar("T")


class Threads:
    def __init__(self, name: str, count: int) -> None:
        self.count = count
        self._pool = ThreadPoolExecutor(max_workers=count, thread_name_prefix=name)

    async def run(self, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        """`fn(*args, **kwargs)` in one of these threads, awaited."""
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._pool, functools.partial(fn, *args, **kwargs))
