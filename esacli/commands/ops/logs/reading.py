"""A log as the shell reads it: its files oldest first (engine/logfiles.py names them),
their lines as one stream, and a follower that goes on reading across a rollover."""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

from engine.logfiles import files_of
from esacli import texts
from esacli.commands.context import Context

LOGS = ("mail_logs", "system_logs")
FIRST_LINES = 10
_WINDOW = 64 * 1024  # enough for the first screen; never read a whole big log for it


def log_path(ctx: Context, name: str) -> Path:
    return ctx.session.store.data_dir / "logs" / name


def lines(path: Path) -> Iterator[str]:
    """Every complete line of the log, oldest file first, without its newline."""
    for file in files_of(path):
        with contextlib.suppress(FileNotFoundError), file.open("rb") as handle:
            for raw in handle:
                if raw.endswith(b"\n"):
                    yield raw[:-1].decode("utf-8", "replace")


def _tail_of(file: Path, end: int | None = None) -> list[str]:
    with contextlib.suppress(FileNotFoundError), file.open("rb") as handle:
        size = handle.seek(0, 2) if end is None else end
        start = max(0, size - _WINDOW)
        handle.seek(start)
        data = handle.read(size - start)
        complete = data[: data.rfind(b"\n") + 1]
        found = complete.decode("utf-8", "replace").splitlines(keepends=True)
        return found[1:] if start and found else found  # the first may be cut
    return []


def last_lines(path: Path, count: int, end: int | None = None) -> list[str]:
    """The last `count` lines (with newlines), from the older files when the current one
    has fewer; `end`: read the current file only up to there."""
    files = files_of(path)
    found: list[str] = []
    for n, file in enumerate(reversed(files)):
        found = _tail_of(file, end if n == 0 and file == path else None) + found
        if len(found) >= count:
            break
    return found[-count:]


class Follower:
    """Hands out the complete lines appended to a log since the last call: the last
    FIRST_LINES at the first call, then what follows, also across a rollover (the open
    file is read to its end before the new one is opened)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._handle: BinaryIO | None = None
        self._partial = b""

    def poll(self) -> str:
        if self._handle is None:
            return self._first()
        data = self._handle.read()
        if self._rolled():
            data += self._between()
            self._handle.close()
            self._handle = self._open()
            if self._handle is not None:
                data += self._handle.read()
        return self._complete(data)

    def _between(self) -> bytes:
        """Whole files rolled over after the one open (several rollovers in one poll)."""
        assert self._handle is not None
        mine = os.fstat(self._handle.fileno()).st_ino
        rolled = files_of(self.path)[:-1]
        inodes = [_inode(f) for f in rolled]
        if mine not in inodes:
            return b""
        data = b""
        for file in rolled[inodes.index(mine) + 1:]:
            with contextlib.suppress(FileNotFoundError):
                data += file.read_bytes()
        return data

    def _first(self) -> str:
        self._handle = self._open()
        if self._handle is None:
            return ""
        end = self._handle.seek(0, 2)
        return "".join(last_lines(self.path, FIRST_LINES, end))

    def _open(self) -> BinaryIO | None:
        try:
            return self.path.open("rb")
        except FileNotFoundError:
            return None

    def _rolled(self) -> bool:
        assert self._handle is not None
        try:
            return os.stat(self.path).st_ino != os.fstat(self._handle.fileno()).st_ino
        except FileNotFoundError:
            return False

    def _complete(self, data: bytes) -> str:
        data = self._partial + data
        cut = data.rfind(b"\n") + 1
        self._partial = data[cut:]
        return data[:cut].decode("utf-8", "replace")

    def close(self) -> None:
        if self._handle is not None:
            self._handle.close()
            self._handle = None


def _inode(path: Path) -> int:
    try:
        return os.stat(path).st_ino
    except FileNotFoundError:
        return -1


async def pick(ctx: Context, question: str) -> str | None:
    """The numbered list of logs (tail's, §8.7); None for an empty answer."""
    listing = [texts.ops.TAIL_LOG_LINE.format(name=n, kind=texts.ops.TAIL_LOG_TYPES[n])
               for n in LOGS]
    ctx.console.say(texts.ops.TAIL_CONFIGURED)
    index = await ctx.console.choose(question, listing, None, list(LOGS))
    return None if index is None else LOGS[index]
