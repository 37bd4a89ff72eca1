"""Keystrokes from an SSH client into prompt_toolkit's input, never blocking the loop.

prompt_toolkit's SSH session hands keys to the prompt through an OS pipe with a plain
blocking `os.write` (PipeInput.send_text), on the event loop that also reads that pipe.
Once 64 KiB are waiting (a paste, or typing ahead while a command runs and no prompt
reads) the write blocks for good, and with it every listener and session: a 300 KB paste
froze the appliance. Here the pipe's write end is non-blocking, what does not fit waits
in memory, and past HIGH_WATER bytes the SSH channel stops reading (the client is held
back by the SSH window) until the prompt has drained the pipe below LOW_WATER.
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import Callable

HIGH_WATER = 1 << 20
LOW_WATER = 1 << 18
_SLICE = 1 << 16


class KeyFeeder:
    def __init__(self, fd: int, pause: Callable[[], None], resume: Callable[[], None]) -> None:
        os.set_blocking(fd, False)
        self._fd = fd
        self._pause = pause
        self._resume = resume
        self._pending = bytearray()
        self._paused = False
        self._watching = False
        self._loop = asyncio.get_running_loop()

    @property
    def pending(self) -> int:
        return len(self._pending)

    def feed(self, text: str) -> None:
        self._pending += text.encode("utf-8", "surrogateescape")
        self._flush()

    def close(self) -> None:
        self._pending.clear()
        self._watch(False)

    def _flush(self) -> None:
        try:
            while self._pending:
                written = os.write(self._fd, self._pending[:_SLICE])
                del self._pending[:written]
        except BlockingIOError:
            pass
        except OSError:  # the prompt side is closed: the session is over
            self._pending.clear()
        self._watch(bool(self._pending))
        if not self._paused and len(self._pending) > HIGH_WATER:
            self._paused = True
            self._pause()
        elif self._paused and len(self._pending) < LOW_WATER:
            self._paused = False
            self._resume()

    def _watch(self, on: bool) -> None:
        if on and not self._watching:
            self._loop.add_writer(self._fd, self._flush)
        elif not on and self._watching:
            self._loop.remove_writer(self._fd)
        self._watching = on
