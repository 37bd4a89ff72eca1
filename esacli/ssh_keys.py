"""Keystrokes from an SSH client into prompt_toolkit's input, never blocking the loop.

prompt_toolkit's SSH session hands keys to the prompt through an OS pipe with a plain
blocking `os.write` (PipeInput.send_text), on the event loop that also reads that pipe.
Once 64 KiB are waiting (a paste, or typing ahead while a command runs and no prompt
reads) the write blocks for good, and with it every listener and session: a 300 KB paste
froze the appliance. Here the pipe's write end is non-blocking, what does not fit waits
in memory, and past HIGH_WATER bytes the SSH channel stops reading (the client is held
back by the SSH window) until the prompt has drained the pipe below LOW_WATER.

A bracketed paste that never ends (`ESC[200~` pasted or typed alone) would put the parser
in paste mode for good: every key after it, Ctrl-C included, would become pasted text until
the idle timeout. PasteGuard ends such a paste: before a Ctrl-C (no terminal pastes one),
and when the client has sent nothing for PASTE_GAP seconds (a terminal sends a paste at
once; SSH only splits it into packets).
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import Callable

HIGH_WATER = 1 << 20
LOW_WATER = 1 << 18
_SLICE = 1 << 16

PASTE_START = "\x1b[200~"
PASTE_END = "\x1b[201~"
CTRL_C = "\x03"
PASTE_GAP = 1.0
_MARK = len(PASTE_START)


class PasteGuard:
    """Follows bracketed pastes across chunks of keys and ends one that does not end."""

    def __init__(self) -> None:
        self.pasting = False
        self._tail = ""  # the last few keys: a mark may be split between two chunks

    def keys(self, text: str) -> str:
        """`text` with PASTE_END put before every Ctrl-C that falls inside a paste."""
        out: list[str] = []
        seen = self._tail
        for char in text:
            seen = (seen + char)[-_MARK:]
            if char == CTRL_C and self.pasting:
                out.append(PASTE_END)
                self.pasting = False
            out.append(char)
            if seen == PASTE_START:
                self.pasting = True
            elif seen == PASTE_END:
                self.pasting = False
        self._tail = seen
        return "".join(out)

    def end(self) -> str:
        """The keys that end an open paste (none when there is none)."""
        if not self.pasting:
            return ""
        self.pasting = False
        self._tail = ""
        return PASTE_END


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
        self._paste = PasteGuard()
        self._gap: asyncio.TimerHandle | None = None

    @property
    def pending(self) -> int:
        return len(self._pending)

    def feed(self, text: str) -> None:
        self._write(self._paste.keys(text))
        if self._gap is not None:
            self._gap.cancel()
            self._gap = None
        if self._paste.pasting:
            self._gap = self._loop.call_later(PASTE_GAP, self._end_paste)

    def close(self) -> None:
        if self._gap is not None:
            self._gap.cancel()
        self._pending.clear()
        self._watch(False)

    def _end_paste(self) -> None:
        if self._paused or self._pending:  # held back by us, not silent: wait again
            self._gap = self._loop.call_later(PASTE_GAP, self._end_paste)
            return
        self._gap = None
        self._write(self._paste.end())

    def _write(self, text: str) -> None:
        self._pending += text.encode("utf-8", "surrogateescape")
        self._flush()

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
