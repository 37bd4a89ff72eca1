"""ICID and MID allocation, unique across restarts, crashes and processes.

`counters.json` holds a reservation: every number handed out is below the value on
disk (fsynced). A clean stop writes the exact next numbers; after a crash the engine
skips to the reservation, leaving a gap but never repeating an ID. Reserving in
blocks keeps the fsync off the per-connection path.

Several engine processes (the SMTP workers and the queue's process, engine/worker.py)
draw from one sequence: the next numbers and the reservation live in `counters.next`
beside it, read and written under an exclusive `flock`. Each process claims a run of
`CLAIM` numbers at a time and hands them out without the lock (the lock and its
system calls per number were a tenth of a worker's time at one message per
connection), so with several workers the numbers are unique but not in time order
across processes. A clean close gives back the rest of a run when no process claimed
after it. The owner (the queue's process, or the only engine) sets the file up from
`counters.json` at start and writes the exact next numbers back at a clean stop; a
worker only attaches. A worker killed while holding the lock releases it with its
descriptor, and the rest of its run is a gap. After a power loss `counters.next` may
be stale, which is why the owner always starts from `counters.json` and never from it.
"""

from __future__ import annotations

import fcntl
import json
import os
import struct
import threading
from pathlib import Path

from state import files

BLOCK = 1000  # numbers reserved on disk per fsync
CLAIM = 50  # numbers a process takes from the shared sequence at a time
NEXT_FILE = "counters.next"
_KINDS = ("icid", "mid")
_SHARED = struct.Struct("<4q")  # next icid, next mid, reserved icid, reserved mid


class Counters:
    def __init__(self, path: Path, owner: bool = True) -> None:
        self.path = Path(path)
        self.owner = owner
        self._lock = threading.Lock()
        self._runs: dict[str, tuple[int, int]] = {}  # kind -> (next, end) of this process's run
        self._fd: int | None = os.open(self.path.with_name(NEXT_FILE),
                                       os.O_RDWR | os.O_CREAT, 0o600)
        if owner:
            with self._flock():
                start = dict.fromkeys(_KINDS, 1)
                start.update(self._read())
                reserved = {k: v + BLOCK for k, v in start.items()}
                self._persist(reserved)
                self._store(start, reserved)

    def _read(self) -> dict[str, int]:
        try:
            data = json.loads(self.path.read_text())
            return {k: int(data[k]) for k in _KINDS if int(data.get(k, 0)) > 0}
        except (OSError, ValueError, TypeError, AttributeError):
            return {}

    def _persist(self, values: dict[str, int]) -> None:
        tmp = self.path.with_name(self.path.name + ".tmp")
        with open(tmp, "w", opener=files.open_private) as handle:
            json.dump(values, handle)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, self.path)

    def _flock(self) -> _Flock:
        assert self._fd is not None, "counters closed"
        return _Flock(self._fd)

    def _load(self) -> tuple[dict[str, int], dict[str, int]]:
        assert self._fd is not None
        raw = os.pread(self._fd, _SHARED.size, 0)
        if len(raw) < _SHARED.size:  # the owner has not set it up: start from the file
            start = dict.fromkeys(_KINDS, 1)
            start.update(self._read())
            return start, dict(start)
        icid, mid, r_icid, r_mid = _SHARED.unpack(raw)
        return {"icid": icid, "mid": mid}, {"icid": r_icid, "mid": r_mid}

    def _store(self, next_: dict[str, int], reserved: dict[str, int]) -> None:
        assert self._fd is not None
        packed = _SHARED.pack(next_["icid"], next_["mid"], reserved["icid"], reserved["mid"])
        os.pwrite(self._fd, packed, 0)

    def _take(self, kind: str) -> int:
        with self._lock:
            value, end = self._runs.get(kind, (0, 0))
            if value >= end:
                value, end = self._claim(kind)
            self._runs[kind] = (value + 1, end)
            return value

    def _claim(self, kind: str) -> tuple[int, int]:
        """The next CLAIM numbers of `kind` for this process (the thread lock is held)."""
        with self._flock():
            next_, reserved = self._load()
            start = next_[kind]
            next_[kind] = start + CLAIM
            if next_[kind] >= reserved[kind]:
                reserved = {k: max(reserved[k], next_[k]) for k in _KINDS}
                reserved[kind] = next_[kind] + BLOCK
                self._persist(reserved)
            self._store(next_, reserved)
            return start, start + CLAIM

    def _give_back(self) -> None:
        """The unused rest of each run goes back if no process claimed after it."""
        next_, reserved = self._load()
        for kind, (value, end) in self._runs.items():
            if next_[kind] == end:
                next_[kind] = value
        self._runs.clear()
        self._store(next_, reserved)

    def next_icid(self) -> int:
        return self._take("icid")

    def next_mid(self) -> int:
        return self._take("mid")

    def close(self) -> None:
        """Give back the unused numbers; the owner writes the exact next numbers (call it
        once the workers are gone)."""
        with self._lock:
            if self._fd is None:
                return
            with self._flock():
                self._give_back()
                if self.owner:
                    self._persist(self._load()[0])
            os.close(self._fd)
            self._fd = None


class _Flock:
    """The exclusive file lock every engine process takes (the caller holds the thread lock)."""

    def __init__(self, fd: int) -> None:
        self._fd = fd

    def __enter__(self) -> None:
        fcntl.flock(self._fd, fcntl.LOCK_EX)

    def __exit__(self, *exc: object) -> None:
        fcntl.flock(self._fd, fcntl.LOCK_UN)
