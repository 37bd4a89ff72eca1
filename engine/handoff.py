"""Work handed to a thread of its own through a SimpleQueue, None meaning "close".

A SimpleQueue's put is C code that wakes the thread only if it waits (a Condition's
notify is Python: it was 3 % of an SMTP worker's time and 10 % of the delivering
process's). The spool's fsync thread and the queue database's take what waits in one
batch with `take_all`.
"""

from __future__ import annotations

import contextlib
import os
import queue
from typing import TypeVar

T = TypeVar("T")


def take_all(waiting: queue.SimpleQueue[T | None],
             timeout: float | None = None) -> tuple[list[T], bool]:
    """Everything waiting, once there is something or `timeout` has passed (then it may
    be nothing), and whether "close" (None) came with it."""
    taken: list[T] = []
    try:
        item = waiting.get(timeout=timeout)
        while item is not None:
            taken.append(item)
            item = waiting.get_nowait()
    except queue.Empty:
        return taken, False
    return taken, True


def defer_to_waker() -> None:
    """Make the calling thread one that never preempts the thread that wakes it.

    Woken by a put, a thread of the normal class takes the core from the event loop
    that put there at once (two context switches for each message on a worker pinned
    to one core); a SCHED_BATCH thread waits until that loop waits itself or the next
    tick, and takes whatever was put by then in one batch. Where the system has no
    such class, the thread stays as it is.
    """
    batch = getattr(os, "SCHED_BATCH", None)
    if batch is not None:
        with contextlib.suppress(OSError):
            os.sched_setscheduler(0, batch, os.sched_param(0))  # 0: this thread (Linux)
