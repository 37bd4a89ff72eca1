"""Calls to the cluster database wait in threads of their own (state/cluster/threads.py),
never in asyncio's default executor, which the queue's intake and delivery use: with
every default thread held (a frozen database's calls used to hold them), a cluster call
still runs, and with every cluster thread held, the default executor still serves."""

from __future__ import annotations

import asyncio
import threading
from concurrent.futures import ThreadPoolExecutor

from state.cluster import threads


def held(release: threading.Event) -> str:
    release.wait(10)
    return threading.current_thread().name


async def test_a_cluster_call_needs_no_default_thread() -> None:
    loop = asyncio.get_running_loop()
    loop.set_default_executor(ThreadPoolExecutor(max_workers=1))
    release = threading.Event()
    busy = asyncio.ensure_future(asyncio.to_thread(held, release))  # the only default thread
    try:
        name = await asyncio.wait_for(threads.off_loop(threading.current_thread), 5)
        assert name.name.startswith("cluster-db")
    finally:
        release.set()
        await busy


async def test_the_queue_needs_no_cluster_thread() -> None:
    release = threading.Event()
    stuck = [asyncio.ensure_future(threads.off_loop(held, release))
             for _ in range(threads.THREADS)]
    try:
        assert await asyncio.wait_for(asyncio.to_thread(lambda: "served"), 5) == "served"
    finally:
        release.set()
        await asyncio.gather(*stuck)
