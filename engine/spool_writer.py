"""Writing received messages into spool/incoming/ (engine/spool.py holds the format).

`Incoming` is one message written as it arrives: buffered, written off the event loop
once the buffer is large, so a message in flight costs a bounded buffer. `Syncer` is
the one thread that makes finished messages durable in batches (group commit): the
messages of a batch still wholly in memory written into one file (format 1, named by
the first), each larger one's own file finished; each file fsynced and renamed into
place, then one directory fsync (`DirSync`) for the batch, and one wake-up of each
waiting event loop. The 250 after DATA waits for that.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import os
import queue
import threading
from collections.abc import Callable
from pathlib import Path

from engine import handoff
from engine.errors import SpoolError

WRITE_INLINE = 256 * 1024  # buffered bytes written off the loop from this size on
Trailer = Callable[[int, int, str], bytes]  # (MID, size, SHA-256 hex) -> the end marker
Head = Callable[[], bytes]  # the message's own file's first line (format 2)
Whole = Callable[[bytes, str], bytes]  # (content, SHA-256 hex) -> one format-1 record
_Pending = tuple["Incoming", "asyncio.Future[Path]", asyncio.AbstractEventLoop]


def write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view) :]


def write_file(tmp: Path, final: Path, data: bytes) -> None:
    """`data` written to `tmp`, fsynced and renamed to `final` (the directory's fsync is
    the caller's); `tmp` removed if any of it fails."""
    try:
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        try:
            write_all(fd, data)
            os.fsync(fd)
        finally:
            os.close(fd)
        os.replace(tmp, final)
    except OSError:
        tmp.unlink(missing_ok=True)
        raise


def fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


class DirSync:
    """Group commit of a directory's renames: `sync()` returns once an fsync of the
    directory that started after the call has completed; callers arriving while one
    runs share the next, so N messages finishing together cost about two fsyncs."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._cond = threading.Condition()
        self._issued = self._done = 0
        self._running = False
        self._failed: tuple[int, OSError] | None = None
        self.syncs = 0  # for bench/

    def sync(self) -> None:
        with self._cond:
            target = self._issued + 1
            while self._done < target:
                if self._running:
                    self._cond.wait()
                    continue
                self._running, self._issued = True, self._issued + 1
                mine = self._issued
                self._cond.release()
                try:
                    fsync_dir(self.path)
                    error = None
                except OSError as exc:
                    error = exc
                finally:
                    self._cond.acquire()
                self._done, self._running = mine, False
                self.syncs += 1
                if error is not None:
                    self._failed = (mine, error)
                self._cond.notify_all()
            if self._failed is not None and self._failed[0] >= target:
                raise self._failed[1]


class Syncer:
    """The thread that commits received messages in batches (Spool.finish); they come
    to it as engine/handoff.py says."""

    def __init__(self, directory: DirSync) -> None:
        self.directory = directory
        self._queue: queue.SimpleQueue[_Pending | None] = queue.SimpleQueue()
        self.batches = 0  # for bench/
        self._thread = threading.Thread(target=self._run, name="spool-fsync", daemon=True)
        self._thread.start()

    def submit(self, message: Incoming) -> asyncio.Future[Path]:
        loop = asyncio.get_running_loop()
        future: asyncio.Future[Path] = loop.create_future()
        self._queue.put((message, future, loop))
        return future

    def close(self) -> None:
        self._queue.put(None)
        self._thread.join()

    def _run(self) -> None:
        handoff.defer_to_waker()
        closing = False
        while not closing:
            batch, closing = handoff.take_all(self._queue)
            if batch:
                self._commit(batch)

    def _commit(self, batch: list[_Pending]) -> None:
        in_memory = [m for m, _, _ in batch if m.in_memory()]
        shared = commit_together(in_memory) if len(in_memory) > 1 else {}
        outcomes: list[SpoolError | Path] = []
        for message, _, _ in batch:
            outcome = shared.get(message)
            outcomes.append(outcome if outcome is not None else message._commit() or message.final)
        try:
            self.directory.sync()
        except OSError as exc:
            outcomes = [SpoolError(f"MID {m.mid}: {exc.strerror or exc}") for m, _, _ in batch]
        self.batches += 1
        by_loop: dict[asyncio.AbstractEventLoop, list[tuple[asyncio.Future[Path],
                                                           SpoolError | Path]]] = {}
        for (_, future, loop), outcome in zip(batch, outcomes, strict=True):
            by_loop.setdefault(loop, []).append((future, outcome))
        for loop, settled in by_loop.items():
            with contextlib.suppress(RuntimeError):  # that loop is gone: no one waits
                loop.call_soon_threadsafe(_settle, settled)


def commit_together(messages: list[Incoming]) -> dict[Incoming, SpoolError | Path]:
    """Messages wholly in memory written, fsynced and renamed into place as one file,
    named by the first (its directory's fsync follows); each one's outcome."""
    if not messages:
        return {}
    first = messages[0]
    error: OSError | None = None
    try:
        write_file(first.tmp, first.final, b"".join(m.record() for m in messages))
    except OSError as exc:
        error = exc
    for message in messages:
        message.release()
    if error is None:
        return dict.fromkeys(messages, first.final)
    return {m: SpoolError(f"MID {m.mid}: {error.strerror or error}") for m in messages}


def _settle(settled: list[tuple[asyncio.Future[Path], SpoolError | Path]]) -> None:
    for future, outcome in settled:
        if future.cancelled():
            continue
        if isinstance(outcome, SpoolError):
            future.set_exception(outcome)
        else:
            future.set_result(outcome)


class Incoming:
    """A message being received, written to incoming/<MID>.msg.tmp as it arrives
    (format 2). `write` buffers; `drain` writes a large buffer off the event loop;
    `Spool.finish` makes it durable and visible; `abort` removes it."""

    def __init__(self, mid: int, final: Path, tmp: Path, head: Head, trailer: Trailer,
                 whole: Whole) -> None:
        self.mid, self.final, self.tmp = mid, final, tmp
        self._head, self._trailer, self._whole = head, trailer, whole
        self.size = 0
        self._digest = hashlib.sha256()
        self._pending: list[bytes] = []  # the content; its own file's head is made with it
        self._pending_size = 0
        self._fd: int | None = None
        self._error: OSError | None = None
        # A file write runs in a thread (drain's, the syncer's) while the connection may be
        # cut on the loop: an abort waits for it, and no write starts after an abort.
        self._lock = threading.RLock()
        self._aborted = False

    def write(self, data: bytes) -> None:
        if data:
            self._pending.append(data)
            self._pending_size += len(data)
            self.size += len(data)
            self._digest.update(data)

    def full(self) -> bool:
        """What is buffered is large: `drain` before adding more."""
        return self._pending_size >= WRITE_INLINE

    async def drain(self) -> None:
        """Write what is buffered once it is large: memory stays bounded."""
        if self.full():
            await asyncio.to_thread(self._flush)

    def _flush(self) -> None:
        with self._lock:
            self._flush_locked()

    def _flush_locked(self) -> None:
        pending, self._pending, self._pending_size = self._pending, [], 0
        if self._error is not None or self._aborted:
            return
        try:
            if self._fd is None:
                self._fd = os.open(self.tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
                pending.insert(0, self._head())
            write_all(self._fd, b"".join(pending))
        except OSError as exc:
            self._error = exc

    def _commit(self) -> SpoolError | None:
        """Trailer, fsync, rename (blocking: the syncer's thread); the directory's fsync
        follows, one for every message of the batch."""
        with self._lock:
            return self._commit_locked()

    def _commit_locked(self) -> SpoolError | None:
        if self._aborted:
            return SpoolError(f"MID {self.mid}: dropped while it was written")
        self.write_trailer()
        self._flush()
        try:
            if self._error is not None:
                raise self._error
            assert self._fd is not None
            os.fsync(self._fd)
            os.close(self._fd)
            self._fd = None
            os.replace(self.tmp, self.final)
        except OSError as exc:
            self.abort()
            return SpoolError(f"MID {self.mid}: {exc.strerror or exc}")
        return None

    def in_memory(self) -> bool:
        """Nothing of it written yet: it can share a file with others."""
        return self._fd is None and self._error is None

    def record(self) -> bytes:
        """The whole message as a record of a shared file (while `in_memory`)."""
        return self._whole(b"".join(self._pending), self._digest.hexdigest())

    def release(self) -> None:
        """Let the buffer go once the message is in a shared file (it has none of its own)."""
        self._pending, self._pending_size = [], 0

    def write_trailer(self) -> None:
        trailer = self._trailer(self.mid, self.size, self._digest.hexdigest())
        self._pending.append(trailer)
        self._pending_size += len(trailer)

    def abort(self) -> None:
        """Drop the message (refused, cut off): nothing of it stays in the spool, and a
        write in flight is waited for (its file and descriptor go too)."""
        with self._lock:
            self._aborted = True
            self._pending, self._pending_size = [], 0
            if self._fd is not None:
                os.close(self._fd)
                self._fd = None
            self.tmp.unlink(missing_ok=True)
