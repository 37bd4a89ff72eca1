"""Log files that roll over by size and age and keep N files (logconfig, reference §8.7).

The current file keeps its plain name (`logs/mail_logs`); a rolled-over one is renamed
`<name>.@<UTC start of the rollover>.s` (the appliance names its saved files `.s`), with
`-<n>` added when two roll over in the same second, and the oldest beyond the number to
keep are removed. `files_of` lists them oldest first, the current one last: `tail`,
`grep` and `findevent` read that list.

Several processes may write one log at once (the engine's workers): every write is one
write(2) on a descriptor opened O_APPEND, and a rollover is done under an flock on
`.<name>.lock` by whichever writer first sees the file too big or too old; the others
notice the rename (the name no longer leads to their descriptor) and reopen, at most
CHECK_EVERY later: until then their lines still go to the file just rolled over.
"""

from __future__ import annotations

import contextlib
import fcntl
import logging
import os
import re
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from state import files
from state.controls import escape_controls
from state.model import DEFAULT_LOGS, LogSettings

Header = Callable[[], list[str]]  # the lines a fresh file starts with
# How often a writer looks whether another writer rolled the file over (a stat of its
# name). Its size is read at every line (an fstat, about 2 us): counting only our own
# lines between looks let the other processes' take a file past its size by what they
# wrote in that time, where this way it is by a line each at most.
CHECK_EVERY = 0.05


@dataclass(frozen=True)
class Rotation:
    max_size: int = 10 * 1024 * 1024  # bytes
    max_age: float = 0.0  # seconds; 0: by size only
    keep: int = 10  # rolled-over files kept besides the current one


def rotation_for(logs: Sequence[LogSettings], name: str) -> Rotation:
    """How log `name` rolls over under a configuration's log subscriptions."""
    found = next((log for log in (*logs, *DEFAULT_LOGS) if log.name == name), None)
    if found is None:
        return Rotation()
    return Rotation(found.max_size, float(found.rollover_seconds), found.max_files)


def _pattern(name: str) -> re.Pattern[str]:
    return re.compile(rf"^{re.escape(name)}\.@(\d{{8}}T\d{{6}})(?:-(\d+))?\.s$")


def files_of(path: Path) -> list[Path]:
    """The log's rolled-over files, oldest first, then the current one (if it exists)."""
    path = Path(path)
    pattern = _pattern(path.name)
    found: list[tuple[str, int, Path]] = []
    with contextlib.suppress(FileNotFoundError):
        for entry in path.parent.iterdir():
            match = pattern.match(entry.name)
            if match:
                found.append((match.group(1), int(match.group(2) or 0), entry))
    rolled = [entry for _, _, entry in sorted(found)]
    return [*rolled, path] if path.exists() else rolled


def _saved_name(path: Path, now: float) -> Path:
    """A name after every rolled-over file's (within one second: `-n` above theirs, never
    a number freed by pruning, which would sort before the newer ones)."""
    stamp = time.strftime("%Y%m%dT%H%M%S", time.gmtime(now))
    pattern, taken = _pattern(path.name), [-1]
    with contextlib.suppress(FileNotFoundError):
        for entry in path.parent.iterdir():
            match = pattern.match(entry.name)
            if match and match.group(1) == stamp:
                taken.append(int(match.group(2) or 0))
    n = max(taken) + 1
    return path.with_name(f"{path.name}.@{stamp}{f'-{n}' if n else ''}.s")


@contextlib.contextmanager
def _locked(path: Path) -> Iterator[None]:
    fd = files.open_private(str(path.with_name(f".{path.name}.lock")), os.O_RDWR | os.O_CREAT)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)  # closing releases the lock


class RotatingFile:
    """Appends whole lines to `path`, rolling it over as `rotation` says; thread-safe."""

    def __init__(self, path: Path, header: Header | None = None,
                 rotation: Rotation | None = None) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.rotation = rotation or Rotation()
        self._header = header
        self._lock = threading.Lock()
        self._fd: int | None = None
        self._born = time.time()
        self._checked = 0.0  # monotonic time of the last look at the file itself
        with self._lock:
            self._open()

    def _open(self) -> None:
        fd = files.open_private(str(self.path), os.O_WRONLY | os.O_APPEND | os.O_CREAT)
        self._fd, self._born = fd, time.time()
        if os.fstat(fd).st_size == 0 and self._header is not None:
            os.write(fd, "".join(f"{line}\n" for line in self._header()).encode())

    def close(self) -> None:
        with self._lock:
            if self._fd is not None:
                os.close(self._fd)
                self._fd = None

    def write(self, line: str) -> None:
        """Append `line` (it ends with a newline), rolling the file over first if due."""
        data = line.encode("utf-8", "replace")
        with self._lock:
            if self._fd is None:
                return
            now = time.monotonic()
            # the file's own size, not ours: the SMTP workers append to it too
            if now - self._checked >= CHECK_EVERY or self._due(
                    os.fstat(self._fd).st_size + len(data)):
                self._follow(len(data))
                self._checked = now
            os.write(self._fd, data)

    def _follow(self, size: int) -> None:
        """Reopen if another writer rolled the file over; roll it over if it is due."""
        assert self._fd is not None
        mine = os.fstat(self._fd)
        try:
            named = os.stat(self.path)
        except FileNotFoundError:
            named = None
        if named is None or named.st_ino != mine.st_ino:
            self._reopen()
        elif self._due(mine.st_size + size):
            self._roll()

    def _due(self, size: int) -> bool:
        rotation = self.rotation
        old = rotation.max_age > 0 and time.time() - self._born >= rotation.max_age
        return size > rotation.max_size or old

    def _reopen(self) -> None:
        assert self._fd is not None
        os.close(self._fd)
        self._open()

    def _roll(self) -> None:
        with _locked(self.path):
            assert self._fd is not None
            mine = os.fstat(self._fd).st_ino
            with contextlib.suppress(FileNotFoundError):
                if os.stat(self.path).st_ino == mine:  # nobody rolled it meanwhile
                    os.rename(self.path, _saved_name(self.path, time.time()))
            self._reopen()
            self._prune()

    def _prune(self) -> None:
        rolled = files_of(self.path)[:-1]
        for old in rolled[: max(0, len(rolled) - self.rotation.keep)]:
            with contextlib.suppress(FileNotFoundError):
                old.unlink()


def quiet_libraries() -> None:
    """system_logs holds what an administrator may need: httpx's line per request (each
    MTA-STS fetch, each TLS report) is not that; Python's warnings (a library's
    deprecation notes) go there too, never to the console."""
    for name in ("httpx", "httpcore"):
        logging.getLogger(name).setLevel(logging.WARNING)
    logging.captureWarnings(True)


class LogHandler(logging.Handler):
    """system_logs for the logging module: through a RotatingFile, one line per record
    (a traceback's lines are kept, with no control character a terminal would obey);
    `rotation` is read at each record, so a committed logconfig applies at once."""

    def __init__(self, path: Path, rotation: Callable[[], Rotation] = Rotation) -> None:
        super().__init__()
        self.file = RotatingFile(path)
        self.rotation = rotation

    def emit(self, record: logging.LogRecord) -> None:
        try:
            text = self.format(record)
            self.file.rotation = self.rotation()
            self.file.write("\n".join(escape_controls(line) for line in text.splitlines()) + "\n")
        except Exception:  # noqa: BLE001 (logging must never raise into the caller)
            self.handleError(record)

    def close(self) -> None:
        self.file.close()
        super().close()
