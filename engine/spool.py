"""The spool: accepted messages, durable before the client hears 250.

One file per message, `<MID>.msg`, in one of two formats:

  1  `ESACLI-SPOOL 1 ` + JSON envelope (with the content's size and SHA-256), a
     newline, the content, `<CR><LF>ESACLI-END <MID><LF>` (messages the queue makes)
  2  `ESACLI-SPOOL 2 ` + JSON envelope, a newline, the content, then
     `<CR><LF>ESACLI-END <MID> <size> <sha256><LF>`: written while the message
     arrives (`Spool.receive`), so a message in flight costs a bounded buffer and
     its file, never its size in memory; size and digest are known only at the end.

The file is written under a temporary name, fsynced, renamed into place and the
directory fsynced (one directory fsync covers every rename made before it started:
messages finishing together share it). A file whose size, digest or end marker does
not check out is torn and ignored.

Two directories make the hand-off to the queue (engine/queue/manager.py):

  spool/incoming/<MID>.msg   accepted, not yet taken by the queue (a short list)
  spool/<MID>.msg            taken: the queue database has its envelope and path

So the queue finds new mail by listing `incoming/`, however many messages wait
for a retry, and whoever writes a message (a listener, the queue's own bounces;
later another process) only writes a file there. Any other name in either
directory is a stray: reported once (`Stray`), never read as mail, never removed.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import os
import re
from dataclasses import dataclass
from pathlib import Path

from engine.errors import SpoolError
from engine.messageflags import PLAIN_MESSAGE, Flags
from engine.spool_writer import DirSync, Incoming, Syncer, write_all
from state import files

MAGIC = b"ESACLI-SPOOL 1 "
MAGIC2 = b"ESACLI-SPOOL 2 "
END = b"\r\nESACLI-END "
# Below this a message is written on the event loop (a write to the page cache is
# microseconds; a thread hop costs more); above it, off the loop.
SUFFIX = ".msg"
TMP_SUFFIX = ".tmp"
INCOMING = "incoming"
COUNTERS = "counters.json"  # engine/counters.py keeps the ID reservation beside the mail
COUNTERS_NEXT = "counters.next"  # ... and the next IDs every engine process shares
_NAME = re.compile(r"([0-9]{1,18})\.msg")  # ASCII digits only: "².msg" is not a MID
_TMP_NAME = re.compile(r"[0-9]{1,18}\.msg\.tmp")
_OWN_NAMES = frozenset({INCOMING, COUNTERS, COUNTERS + TMP_SUFFIX, COUNTERS_NEXT})


def mid_of(name: str) -> int | None:
    """The MID a spool file name stands for, or None for any other name."""
    match = _NAME.fullmatch(name)
    return int(match.group(1)) if match else None


@dataclass(frozen=True)
class SpooledMessage:
    mid: int
    icid: int
    listener: str
    sender: str
    recipients: tuple[str, ...]
    time: float
    size: int
    path: Path
    flags: Flags = PLAIN_MESSAGE  # what it asks of its delivery's TLS (with its header's)

    def content(self) -> bytes:
        """The content, wherever the message is now (the queue moves it out of incoming/)."""
        if self.path.parent.name == INCOMING and not self.path.exists():
            return read_content(self.path.parent.parent / self.path.name)
        return read_content(self.path)


def read_content(path: Path) -> bytes:
    """The message content of a spool file; SpoolError if it is gone or damaged."""
    try:
        parsed = _parse(path.read_bytes())
    except OSError as exc:
        raise SpoolError(f"spool file {path.name}: {exc.strerror or exc}") from None
    if parsed is None:
        raise SpoolError(f"spool file {path.name} is damaged")
    return parsed[1]


def _end_marker(mid: int) -> bytes:
    return b"\r\nESACLI-END " + str(mid).encode() + b"\n"


def encode(
    mid: int, icid: int, listener: str, sender: str, recipients: list[str], content: bytes,
    when: float, flags: Flags = PLAIN_MESSAGE,
) -> bytes:
    """A spool file's bytes (tools and tests that build a spool write these too)."""
    head: dict[str, object] = {
        "mid": mid, "icid": icid, "listener": listener, "sender": sender,
        "recipients": list(recipients), "time": when,
        "size": len(content), "sha256": hashlib.sha256(content).hexdigest(),
    }
    if flags.encode():  # only then: a plain message's envelope is as it always was
        head["flags"] = flags.encode()
    line = MAGIC + json.dumps(head, separators=(",", ":")).encode() + b"\n"
    return line + content + _end_marker(mid)


def _parse(data: bytes) -> tuple[dict[str, object], bytes] | None:
    if data.startswith(MAGIC2):
        return _parse2(data)
    if not data.startswith(MAGIC):
        return None
    head_end = data.find(b"\n")
    try:
        head = json.loads(data[len(MAGIC) : head_end])
        size, mid = int(head["size"]), int(head["mid"])
    except (ValueError, KeyError, TypeError, RecursionError):
        return None
    body = data[head_end + 1 : head_end + 1 + size]
    if len(body) != size or data[head_end + 1 + size :] != _end_marker(mid):
        return None
    if hashlib.sha256(body).hexdigest() != head.get("sha256"):
        return None
    return head, body


def _head2(mid: int, icid: int, listener: str, sender: str, recipients: list[str],
           when: float, flags: Flags) -> bytes:
    head: dict[str, object] = {"mid": mid, "icid": icid, "listener": listener,
                               "sender": sender, "recipients": list(recipients), "time": when}
    if flags.encode():
        head["flags"] = flags.encode()
    return MAGIC2 + json.dumps(head, separators=(",", ":")).encode() + b"\n"


def _trailer2(mid: int, size: int, digest: str) -> bytes:
    return END + f"{mid} {size} {digest}\n".encode()


def _split2(data: bytes) -> tuple[dict[str, object], int, int, str] | None:
    """Format 2: (envelope, where the content starts, its size, its digest), unchecked."""
    head_end = data.find(b"\n")
    tail = data.rfind(END)
    if head_end < 0 or tail < head_end or not data.endswith(b"\n"):
        return None
    try:
        head = json.loads(data[len(MAGIC2) : head_end])
        mid, size, digest = data[tail + len(END) : -1].decode("ascii").split(" ")
        if int(mid) != int(head["mid"]):
            return None
        head["size"] = int(size)
    except (ValueError, KeyError, TypeError, RecursionError, UnicodeDecodeError):
        return None
    return head, head_end + 1, int(size), digest


def _parse2(data: bytes) -> tuple[dict[str, object], bytes] | None:
    split = _split2(data)
    if split is None:
        return None
    head, start, size, digest = split
    body = data[start : start + size]
    if len(data) != start + size + len(_trailer2(int(str(head["mid"])), size, digest)):
        return None
    if hashlib.sha256(body).hexdigest() != digest:
        return None
    return head, body


@dataclass(frozen=True)
class Stray:
    """A file in the spool that is not a message the spool can read, and why."""

    path: Path
    why: str


class Spool:
    def __init__(self, root: Path) -> None:
        self.root = files.private_dir(root)
        self.incoming_dir = files.private_dir(self.root / INCOMING)
        for folder in (self.root, self.incoming_dir):
            for stale in folder.glob("*" + TMP_SUFFIX):
                if _TMP_NAME.fullmatch(stale.name):  # our own write cut short by a crash
                    stale.unlink(missing_ok=True)
        self._strays: set[tuple[Path, int, int]] = set()  # reported once each
        self.incoming_sync = DirSync(self.incoming_dir)
        self._syncer: Syncer | None = None

    def receive(self, mid: int, icid: int, listener: str, sender: str, recipients: list[str],
                when: float, flags: Flags = PLAIN_MESSAGE) -> Incoming:
        """Start writing a message as it arrives (engine/spool_writer.py); `flags` are the
        envelope's (REQUIRETLS)."""
        name = self.incoming_dir / f"{mid}{SUFFIX}"
        return Incoming(mid, name, name.with_name(name.name + TMP_SUFFIX),
                        _head2(mid, icid, listener, sender, recipients, when, flags),
                        _trailer2)

    def finish(self, message: Incoming) -> asyncio.Future[Path]:
        """Make a received message durable in incoming/: done once file and directory
        are fsynced (SpoolError, with the file removed, if that fails). Messages that
        finish together are committed by one thread in one batch, with one directory
        fsync and one wake-up of the event loop (group commit)."""
        if self._syncer is None:
            self._syncer = Syncer(self.incoming_sync)
        return self._syncer.submit(message)

    def close(self) -> None:
        if self._syncer is not None:
            self._syncer.close()
            self._syncer = None

    def queued_path(self, mid: int) -> Path:
        """Where a message lives once the queue has taken it."""
        return self.root / f"{mid}{SUFFIX}"

    def _write(self, mid: int, data: bytes) -> Path:
        final = self.incoming_dir / f"{mid}{SUFFIX}"
        tmp = self.incoming_dir / f"{mid}{SUFFIX}{TMP_SUFFIX}"
        try:
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            try:
                write_all(fd, data)
                os.fsync(fd)
            finally:
                os.close(fd)
            os.replace(tmp, final)
            self.incoming_sync.sync()
        except OSError as exc:
            tmp.unlink(missing_ok=True)
            raise SpoolError(f"MID {mid}: {exc.strerror or exc}") from None
        return final

    async def store(
        self,
        mid: int,
        icid: int,
        listener: str,
        sender: str,
        recipients: list[str],
        content: bytes,
        when: float,
        flags: Flags = PLAIN_MESSAGE,
    ) -> Path:
        """Write the message durably into incoming/; returns once file and directory are
        fsynced. `flags` are the envelope's (REQUIRETLS, a report of ours)."""
        data = encode(mid, icid, listener, sender, recipients, content, when, flags)
        # fsync blocks for milliseconds: keep it off the event loop.
        return await asyncio.to_thread(self._write, mid, data)

    # -- what the queue reads ---------------------------------------------
    def incoming(self) -> tuple[list[SpooledMessage], list[Stray]]:
        """Messages waiting in incoming/ (lowest MID first), and strays not reported yet."""
        found, strays = [], []
        for entry in _entries(self.incoming_dir):
            kind, key = _classify(entry, frozenset())
            if kind == _SKIP or key in self._strays:
                continue
            why = kind
            if kind == _MESSAGE:
                message, why = self._load(Path(entry.path))
                if message is not None:
                    found.append(message)
                    continue
            self._strays.add(key)
            strays.append(Stray(Path(entry.path), why))
        return sorted(found, key=lambda m: m.mid), strays

    def queued(self) -> tuple[dict[int, Path], list[Stray]]:
        """Names of the taken messages (MID -> path; nothing is read), and strays not
        reported yet. For the queue's start-up, not for every poll."""
        found: dict[int, Path] = {}
        strays = []
        for entry in _entries(self.root):
            kind, key = _classify(entry, _OWN_NAMES)
            mid = mid_of(entry.name)
            if kind == _MESSAGE and mid is not None:
                found[mid] = Path(entry.path)
            elif kind != _SKIP and key not in self._strays:
                self._strays.add(key)
                strays.append(Stray(Path(entry.path), kind))
        return found, strays

    def load(self, path: Path) -> SpooledMessage | None:
        """The message in `path`, or None if it is damaged or unreadable."""
        return self._load(path)[0]

    def _load(self, path: Path) -> tuple[SpooledMessage | None, str]:
        try:
            parsed = _read_envelope(path)
        except OSError as exc:
            return None, f"unreadable ({exc.strerror or exc})"
        if parsed is None:
            return None, "damaged (torn, or its digest does not match)"
        head, body = parsed
        message = _envelope(head, path, body)
        if message is None or message.mid != mid_of(path.name):
            return None, "damaged (its envelope does not match its name)"
        return message, ""

    def take(self, message: SpooledMessage) -> Path:
        """Move a message the queue has recorded from incoming/ to its queued place.

        No fsync: if a crash undoes the rename, the file is found in incoming/ again and
        the queue, which already has its record, takes it again.
        """
        final = self.queued_path(message.mid)
        os.replace(message.path, final)
        return final

    def messages(self) -> list[SpooledMessage]:
        """Every complete message in the spool, taken or not, lowest MID first (for tools
        and tests: the queue itself reads incoming/ and its database)."""
        found: dict[int, SpooledMessage] = {}
        for folder in (self.incoming_dir, self.root):  # the order a message moves in
            for path in folder.glob("*" + SUFFIX):
                message = self.load(path) if mid_of(path.name) is not None else None
                if message is not None:
                    found.setdefault(message.mid, message)
        return sorted(found.values(), key=lambda m: m.mid)


LIGHT_LOAD = 1 << 20  # format 2 files above this: envelope and trailer read, not the content
HEADER_READ = 1 << 16  # ... and this much of the content: the message's header (TLS-Required)


def _read_envelope(path: Path) -> tuple[dict[str, object], bytes] | None:
    """A spool file's envelope and content, the whole file checked; for a large format-2
    file only its head line, trailer and length (the digest is checked when it is sent)
    and the start of the content, where the message's header is."""
    with open(path, "rb") as handle:
        size = os.fstat(handle.fileno()).st_size
        start = handle.read(len(MAGIC2))
        if size <= LIGHT_LOAD or start != MAGIC2:
            return _parse(start + handle.read())
        head_line = start + handle.readline(LIGHT_LOAD)
        header = handle.read(HEADER_READ)
        handle.seek(max(0, size - 256))
        tail = handle.read()
    cut = tail.rfind(END)
    if not head_line.endswith(b"\n") or cut < 0:
        return None
    trailer = tail[cut:]
    split = _split2(head_line + trailer)
    if split is None:
        return None
    head, _, content_size, _ = split
    if len(head_line) + content_size + len(trailer) != size:
        return None
    return head, header


_MESSAGE, _SKIP = "message", "skip"


def _classify(entry: os.DirEntry[str], own: frozenset[str]) -> tuple[str, tuple[Path, int, int]]:
    """(_MESSAGE, _SKIP or why it is a stray; the entry's identity for "reported once")."""
    path = Path(entry.path)
    try:
        info = entry.stat(follow_symlinks=False)
        regular = entry.is_file(follow_symlinks=False)
    except OSError as exc:
        return f"unreadable ({exc.strerror or exc})", (path, 0, 0)
    key = (path, info.st_mtime_ns, info.st_size)
    if entry.name in own or _TMP_NAME.fullmatch(entry.name):
        return _SKIP, key  # ours: a write in progress, the counters, incoming/
    if mid_of(entry.name) is None:
        return "not a spool file name", key
    if not regular:
        return "not a regular file", key
    return _MESSAGE, key


def _entries(folder: Path) -> list[os.DirEntry[str]]:
    with os.scandir(folder) as entries:
        return list(entries)


def _envelope(head: dict[str, object], path: Path, body: bytes) -> SpooledMessage | None:
    try:
        recipients = head["recipients"]
        if not isinstance(recipients, list):
            return None
        return SpooledMessage(
            mid=int(str(head["mid"])), icid=int(str(head["icid"])),
            listener=str(head["listener"]), sender=str(head["sender"]),
            recipients=tuple(str(r) for r in recipients),
            time=float(str(head["time"])), size=int(str(head["size"])), path=path,
            flags=Flags.decode(str(head.get("flags", ""))).with_content(body),
        )
    except (KeyError, ValueError, TypeError):
        return None
