"""The spool: accepted messages, durable before the client hears 250.

Files named by a MID, `<MID>.msg`, each holding that message, or the messages an SMTP
worker received together, the first of them `<MID>` (engine/spoolformat.py holds the
formats). A file is written under a temporary name, fsynced, renamed into place and the
directory fsynced (one directory fsync covers every rename made before it started:
messages finishing together share it, and small ones share one file).

Two directories make the hand-off to the queue (engine/queue/manager.py):

  spool/incoming/<MID>.msg   accepted, not yet taken by the queue (a short list)
  spool/<MID>.msg            taken: the queue database has its envelopes and path

So the queue finds new mail by listing `incoming/`, however many messages wait
for a retry, and whoever writes a message (a listener, the queue's own bounces;
later another process) only writes a file there. A file shared by several messages
is removed once the last of them is done. Any other name in either directory is a
stray: reported once (`Stray`), never read as mail, never removed.
"""

from __future__ import annotations

import asyncio
import os
import re
from dataclasses import dataclass
from pathlib import Path

from engine.errors import SpoolError
from engine.messageflags import PLAIN_MESSAGE, Flags
from engine.spool_writer import DirSync, Incoming, Syncer, write_file
from engine.spoolformat import content_of, encode, head2, read_records, trailer2
from state import files

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
            return content_of(self.path.parent.parent / self.path.name, self.mid)
        return content_of(self.path, self.mid)


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
        folder = self.incoming_dir
        return Incoming(mid, folder / f"{mid}{SUFFIX}", folder / f"{mid}{SUFFIX}{TMP_SUFFIX}",
                        lambda: head2(mid, icid, listener, sender, recipients, when, flags),
                        trailer2,
                        lambda content, digest: encode(mid, icid, listener, sender, recipients,
                                                       content, when, flags, sha256=digest))

    def finish(self, message: Incoming) -> asyncio.Future[Path]:
        """Make a received message durable in incoming/: done once file and directory
        are fsynced (SpoolError, with the file removed, if that fails). Messages that
        finish together are committed by one thread in one batch, with one directory
        fsync and one wake-up of the event loop (group commit); those still wholly in
        memory share one file and its fsync."""
        if self._syncer is None:
            self._syncer = Syncer(self.incoming_sync)
        return self._syncer.submit(message)

    def close(self) -> None:
        if self._syncer is not None:
            self._syncer.close()
            self._syncer = None

    def queued_place(self, message: SpooledMessage) -> Path:
        """Where `message`'s file goes once the queue has taken it (named by its first)."""
        return self.root / message.path.name

    def _write(self, mid: int, data: bytes) -> Path:
        final = self.incoming_dir / f"{mid}{SUFFIX}"
        tmp = self.incoming_dir / f"{mid}{SUFFIX}{TMP_SUFFIX}"
        try:
            write_file(tmp, final, data)
            self.incoming_sync.sync()
        except OSError as exc:
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
                messages, why = self._load(Path(entry.path))
                if messages is not None:
                    found.extend(messages)
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

    def load(self, path: Path) -> list[SpooledMessage] | None:
        """The messages in `path`, or None if it is damaged or unreadable."""
        return self._load(path)[0]

    def _load(self, path: Path) -> tuple[list[SpooledMessage] | None, str]:
        try:
            records = read_records(path)
        except OSError as exc:
            return None, f"unreadable ({exc.strerror or exc})"
        if records is None:
            return None, "damaged (torn, or its digest does not match)"
        messages = [m for head, body in records if (m := _envelope(head, path, body))]
        mids = [m.mid for m in messages]
        if len(mids) != len(records) or mids[0] != mid_of(path.name) or len(set(mids)) < len(mids):
            return None, "damaged (its envelope does not match its name)"
        return messages, ""

    def take(self, path: Path) -> Path:
        """Move a file whose messages the queue has recorded from incoming/ to its queued
        place.

        No fsync: if a crash undoes the rename, the file is found in incoming/ again and
        the queue, which already has its records, takes it again.
        """
        final = self.root / path.name
        os.replace(path, final)
        return final

    def messages(self) -> list[SpooledMessage]:
        """Every complete message in the spool, taken or not, lowest MID first (for tools
        and tests: the queue itself reads incoming/ and its database)."""
        found: dict[int, SpooledMessage] = {}
        for folder in (self.incoming_dir, self.root):  # the order a message moves in
            for path in folder.glob("*" + SUFFIX):
                messages = self.load(path) if mid_of(path.name) is not None else None
                for message in messages or ():
                    found.setdefault(message.mid, message)
        return sorted(found.values(), key=lambda m: m.mid)


_MESSAGE, _SKIP = "message", "skip"


def _classify(entry: os.DirEntry[str], own: frozenset[str]) -> tuple[str, tuple[Path, int, int]]:
    """(_MESSAGE, _SKIP or why it is a stray; the entry's identity for "reported once")."""
    path = Path(entry.path)
    if entry.name in own or _TMP_NAME.fullmatch(entry.name):
        return _SKIP, (path, 0, 0)  # ours: a write in progress, the counters, incoming/
    try:
        info = entry.stat(follow_symlinks=False)
        regular = entry.is_file(follow_symlinks=False)
    except FileNotFoundError:  # renamed or removed since the listing: not there, no stray
        return _SKIP, (path, 0, 0)
    except OSError as exc:
        return f"unreadable ({exc.strerror or exc})", (path, 0, 0)
    key = (path, info.st_mtime_ns, info.st_size)
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
