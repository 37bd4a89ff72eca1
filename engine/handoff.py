"""Work handed to a thread of its own through a SimpleQueue, None meaning "close".

A SimpleQueue's put is C code that wakes the thread only if it waits (a Condition's
notify is Python: it was 3 % of an SMTP worker's time and 10 % of the delivering
process's). The spool's fsync thread and the queue database's take what waits in one
batch with `take_all`.
"""

from __future__ import annotations

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
