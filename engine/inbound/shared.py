"""A listener's connection and recipient counts as every SMTP worker sees them.

"Max Concurrent Connections", the per-host connection limit and the hourly recipient
limit are the appliance's, not one process's: with N workers each counts its own in a
file of its own (`run/conns-<ip>-<port>.<worker>`, the only writer, in shared memory)
and reads everyone's when it decides. A table whose writer is gone (killed) is
ignored, and zeroed by the worker that starts in its place, so a dead worker's
connections never stay counted. Readers read without a lock: a number may be a
moment old, never torn (aligned 8-byte words).

Layout: a header (writer pid, open connections), then SLOTS slots found by CRC-32 of
the client IP with linear probing: IP (46 bytes), open connections, recipients in the
current hourly window, the window's start (epoch seconds).
"""

from __future__ import annotations

import mmap
import os
import struct
import time
import zlib
from pathlib import Path

from engine.workerstatus import alive

SLOTS = 8192
COMPACT_AT = SLOTS * 3 // 4  # slots in use: then the dead ones go
KEEP = SLOTS // 2  # at most this many live after a compaction (open connections all stay)
_HEAD = struct.Struct("<qq")  # pid, open connections
_SLOT = struct.Struct("<46s2xqqd")  # ip, open connections, recipients, window start
_SIZE = _HEAD.size + SLOTS * _SLOT.size
WINDOW = 3600.0
RESCAN = 1.0  # seconds between looks for other workers' tables


def _key(ip: str) -> bytes:
    return ip.encode("ascii", "replace")[:46]


class Table:
    def __init__(self, path: Path, writer: bool) -> None:
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            if os.fstat(fd).st_size < _SIZE:
                os.ftruncate(fd, _SIZE)
            self.map = mmap.mmap(fd, _SIZE)
        finally:
            os.close(fd)
        self.used = 0
        if writer:  # a fresh table: what a previous writer counted is gone. Zeroed, never
            # truncated: another worker may have it mapped (a shorter file would fault it)
            self.map[:] = bytes(_SIZE)
            _HEAD.pack_into(self.map, 0, os.getpid(), 0)

    @property
    def pid(self) -> int:
        return int(_HEAD.unpack_from(self.map, 0)[0])

    @property
    def total(self) -> int:
        return int(_HEAD.unpack_from(self.map, 0)[1])

    def _find(self, key: bytes, insert: bool) -> int | None:
        slot = zlib.crc32(key) % SLOTS
        for _ in range(SLOTS):
            offset = _HEAD.size + slot * _SLOT.size
            found = self.map[offset : offset + 46].rstrip(b"\0")
            if found == key:
                return offset
            if not found:
                if not insert:
                    return None
                self.map[offset : offset + 46] = key.ljust(46, b"\0")
                self.used += 1
                return offset
            slot = (slot + 1) % SLOTS
        return None

    def read(self, ip: str) -> tuple[int, int, float]:
        offset = self._find(_key(ip), insert=False)
        if offset is None:
            return 0, 0, 0.0
        _, conns, rcpts, start = _SLOT.unpack_from(self.map, offset)
        return int(conns), int(rcpts), float(start)

    def write(self, ip: str, conns: int, rcpts: int, start: float) -> None:
        if self.used >= COMPACT_AT:
            self._compact()
        self._put(_key(ip), conns, rcpts, start)

    def _put(self, key: bytes, conns: int, rcpts: int, start: float) -> None:
        offset = self._find(key, insert=True)
        if offset is not None:
            _SLOT.pack_into(self.map, offset, key, conns, rcpts, start)

    def add_total(self, delta: int) -> None:
        _HEAD.pack_into(self.map, 0, os.getpid(), self.total + delta)

    def _compact(self) -> None:
        """Drop the slots that count nothing (no connection, no recipient this hour), and
        past KEEP the oldest hourly windows of addresses with no connection open: the next
        compaction is then KEEP / 2 inserts away at least (amortised O(1) a write, linear
        probing never near full). A dropped window fails open: its address starts its
        hour again."""
        now, live = time.time(), []
        for slot in range(SLOTS):
            offset = _HEAD.size + slot * _SLOT.size
            key, conns, rcpts, start = _SLOT.unpack_from(self.map, offset)
            if key.rstrip(b"\0") and (conns > 0 or (rcpts > 0 and now - start < WINDOW)):
                live.append((key.rstrip(b"\0"), conns, rcpts, start))
        if len(live) > KEEP:
            open_, idle = [s for s in live if s[1] > 0], [s for s in live if s[1] <= 0]
            idle.sort(key=lambda s: s[3], reverse=True)  # the newest windows first
            live = open_ + idle[:max(0, KEEP - len(open_))]
        self.map[_HEAD.size:] = bytes(SLOTS * _SLOT.size)
        self.used = 0
        for key, conns, rcpts, start in live:  # placed directly: no compaction within
            self._put(key, conns, rcpts, start)

    def close(self) -> None:
        self.map.close()


class SharedCounts:
    """This worker's table for one listener address, and a view of everyone's."""

    def __init__(self, folder: Path, address: tuple[str, int], worker: int) -> None:
        self.folder = folder
        self.prefix = f"conns-{address[0]}-{address[1]}."
        self.own_path = folder / f"{self.prefix}{worker}"
        self.own = Table(self.own_path, writer=True)
        self._others: dict[Path, Table] = {}
        self._live: list[Table] = []
        self._scanned = -RESCAN
        self.rates = SharedRate(self)

    def _tables(self) -> list[Table]:
        now = time.monotonic()
        if now - self._scanned > RESCAN:
            self._scanned = now
            for path in self.folder.glob(self.prefix + "*"):
                if path != self.own_path and path not in self._others:
                    self._others[path] = Table(path, writer=False)
            self._live = [t for t in self._others.values() if t.pid and alive(t.pid)]
        return [self.own, *self._live]

    def total(self) -> int:
        return sum(t.total for t in self._tables())

    def from_ip(self, ip: str) -> int:
        return sum(t.read(ip)[0] for t in self._tables())

    def opened(self, ip: str, delta: int = 1) -> None:
        conns, rcpts, start = self.own.read(ip)
        self.own.write(ip, max(0, conns + delta), rcpts, start)
        self.own.add_total(delta)

    def rcpts_used(self, ip: str) -> int:
        now = time.time()
        return sum(r for _, r, s in (t.read(ip) for t in self._tables()) if now - s < WINDOW)

    def rcpt_added(self, ip: str) -> None:
        conns, rcpts, start = self.own.read(ip)
        now = time.time()
        if now - start >= WINDOW:
            rcpts, start = 0, now
        self.own.write(ip, conns, rcpts + 1, start)

    def close(self) -> None:
        self.own.close()
        for table in self._others.values():
            table.close()


class SharedRate:
    """The hourly recipient counts of every worker (engine/inbound/tracker.HourlyRate's
    interface)."""

    def __init__(self, counts: SharedCounts) -> None:
        self.counts = counts

    def used(self, ip: str) -> int:
        return self.counts.rcpts_used(ip)

    def add(self, ip: str) -> None:
        self.counts.rcpt_added(ip)
