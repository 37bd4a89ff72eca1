"""The threads that wait on the cluster database: a pool of their own.

Every call to the cluster database blocks a thread until the server answers (at most
db.ANSWER_TIMEOUT, then the connection is cut). On asyncio's default executor those
waits took the threads the queue's intake and delivery use in the same process: with the
database frozen, a few admins running `clustercheck` delayed mail by seconds. Here they
wait among themselves (THREADS at once; more queue for a free one).
"""

from __future__ import annotations

import asyncio
import functools
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar

T = TypeVar("T")

THREADS = 8  # sessions and the follower waiting on the database at once
_pool = ThreadPoolExecutor(max_workers=THREADS, thread_name_prefix="cluster-db")


async def off_loop(fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    """`fn(*args, **kwargs)` in a cluster database thread, awaited."""
    loop = asyncio.get_running_loop()
    return await loop.run_in_executor(_pool, functools.partial(fn, *args, **kwargs))
