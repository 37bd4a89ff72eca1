"""The garbage collector in a long-running engine process.

What a process has built by the time it serves (its modules, the configuration, TLS
contexts: some hundred thousand objects) lives as long as the process, yet a full
collection walks all of it with the event loop stopped, and a young one runs every
700 allocations net of frees: under load a few per message. So once started, a
process freezes what it has (never collected: it is not garbage) and lets the young
generation grow to YOUNG before it is collected. Cycles are still collected, less
often; memory in them waits a little longer.
"""

from __future__ import annotations

import gc

YOUNG = 20_000  # objects allocated net before a young collection (Python's default: 700)


def settle() -> None:
    """Call once the process serves: what exists now is kept out of every collection."""
    gc.collect()
    gc.freeze()
    _young, middle, old = gc.get_threshold()
    gc.set_threshold(YOUNG, middle, old)
