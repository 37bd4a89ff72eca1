"""The bytes of a spool file (engine/spool.py says where files live and who moves them).

A file holds one message, or several received together, in one of two formats:

  1  records `ESACLI-SPOOL 1 ` + JSON envelope (with the content's size and SHA-256), a
     newline, the content, `<CR><LF>ESACLI-END <MID><LF>`, one after the other: the
     queue's own messages, and the messages an SMTP worker received in one group
     commit (one file, one fsync for all of them; the file is named by the first)
  2  one record `ESACLI-SPOOL 2 ` + JSON envelope, a newline, the content, then
     `<CR><LF>ESACLI-END <MID> <size> <sha256><LF>`: written while the message
     arrives (`Spool.receive`), so a message in flight costs a bounded buffer and
     its file, never its size in memory; size and digest are known only at the end.

A file any of whose records does not check out (size, digest, end marker; nothing left
over) is torn: none of it is read as mail.
"""

from __future__ import annotations

import hashlib
import json
import os
import threading
from pathlib import Path

from engine.errors import SpoolError
from engine.messageflags import PLAIN_MESSAGE, Flags

MAGIC = b"ESACLI-SPOOL 1 "
MAGIC2 = b"ESACLI-SPOOL 2 "
END = b"\r\nESACLI-END "
LIGHT_LOAD = 1 << 20  # format 2 files above this: envelope and trailer read, not the content
HEADER_READ = 1 << 16  # ... and this much of the content: the message's header (TLS-Required)
Record = tuple[dict[str, object], bytes]  # (envelope, content)
_NO_MID = -1  # `parse(only=...)` naming no message: no digest checked


def encode(
    mid: int, icid: int, listener: str, sender: str, recipients: list[str], content: bytes,
    when: float, flags: Flags = PLAIN_MESSAGE, *, sha256: str | None = None,
) -> bytes:
    """A format-1 record (a whole file, or one of a group's; tools and tests write these);
    `sha256`: the content's digest, when the caller has it already."""
    head: dict[str, object] = {
        "mid": mid, "icid": icid, "listener": listener, "sender": sender,
        "recipients": list(recipients), "time": when,
        "size": len(content), "sha256": sha256 or hashlib.sha256(content).hexdigest(),
    }
    if flags.encode():  # only then: a plain message's envelope is as it always was
        head["flags"] = flags.encode()
    line = MAGIC + json.dumps(head, separators=(",", ":")).encode() + b"\n"
    return line + content + _end_marker(mid)


def head2(mid: int, icid: int, listener: str, sender: str, recipients: list[str],
          when: float, flags: Flags) -> bytes:
    head: dict[str, object] = {"mid": mid, "icid": icid, "listener": listener,
                               "sender": sender, "recipients": list(recipients), "time": when}
    if flags.encode():
        head["flags"] = flags.encode()
    return MAGIC2 + json.dumps(head, separators=(",", ":")).encode() + b"\n"


def trailer2(mid: int, size: int, digest: str) -> bytes:
    return END + f"{mid} {size} {digest}\n".encode()


def parse(data: bytes, only: int | None = None) -> list[Record] | None:
    """Every record of a file, or None if any of it is torn or damaged; with `only`, the
    digest is checked of that MID's record alone (the queue checked all when it took
    the file; a message delivered from a shared one reads it again)."""
    if data.startswith(MAGIC2):
        record = _parse2(data)
        return None if record is None else [record]
    records = []
    start = 0
    while start < len(data):
        parsed = _parse1(data, start, only)
        if parsed is None:
            return None
        record, start = parsed
        records.append(record)
    return records or None


def content_of(path: Path, mid: int) -> bytes:
    """Message `mid`'s content in spool file `path`; SpoolError if it is gone or damaged."""
    try:
        records = parse(path.read_bytes(), only=mid)
    except OSError as exc:
        raise SpoolError(f"spool file {path.name}: {exc.strerror or exc}") from None
    found = [body for head, body in records or () if head.get("mid") == mid]
    if not found:
        raise SpoolError(f"spool file {path.name} is damaged")
    return found[0]


class FileContents:
    """The contents of one spool file's messages for one delivery run, the file read and
    parsed once for all of them (read per message, a file of k messages was parsed k
    times: the first cost of the delivering process at one message per connection).
    Each message's digest is still checked when its content is handed out, and each
    content is handed out once and then dropped: what stays is what is still to send."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._records: dict[int, Record] | None = None
        self._lock = threading.Lock()  # a large message's content is read in a thread

    def content(self, mid: int) -> bytes:
        """Message `mid`'s content, as `content_of` gives it."""
        with self._lock:
            if self._records is None:
                self._records = self._read()
            record = self._records.pop(mid, None)
        if record is None:  # asked again (or the file was not readable): on its own
            return content_of(self.path, mid)
        head, body = record
        if hashlib.sha256(body).hexdigest() != head.get("sha256"):
            raise SpoolError(f"spool file {self.path.name} is damaged")
        return body

    def _read(self) -> dict[int, Record]:
        try:
            with open(self.path, "rb") as handle:
                data = handle.read(len(MAGIC2))
                if data == MAGIC2:  # one message, maybe large: content_of reads it
                    return {}
                data += handle.read()
        except OSError:
            return {}
        records = parse(data, only=_NO_MID)  # digests unchecked here: per message above
        return {int(str(head["mid"])): (head, body) for head, body in records or ()}


def read_records(path: Path) -> list[Record] | None:
    """A spool file's records, the whole file checked; for a large format-2 file only its
    head line, trailer and length (the digest is checked when it is sent) and the start
    of the content, where the message's header is."""
    with open(path, "rb") as handle:
        size = os.fstat(handle.fileno()).st_size
        start = handle.read(len(MAGIC2))
        if size <= LIGHT_LOAD or start != MAGIC2:
            return parse(start + handle.read())
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
    return [(head, header)]


def _end_marker(mid: int) -> bytes:
    return END + str(mid).encode() + b"\n"


def _parse1(data: bytes, start: int, only: int | None) -> tuple[Record, int] | None:
    """The format-1 record at `start`, and where the next begins; its digest checked
    unless `only` names another MID."""
    if not data.startswith(MAGIC, start):
        return None
    head_end = data.find(b"\n", start)
    try:
        head = json.loads(data[start + len(MAGIC) : head_end])
        size, mid = int(head["size"]), int(head["mid"])
    except (ValueError, KeyError, TypeError, RecursionError):
        return None
    if head_end < 0 or size < 0:
        return None
    body = data[head_end + 1 : head_end + 1 + size]
    end = head_end + 1 + size
    marker = _end_marker(mid)
    if len(body) != size or not data.startswith(marker, end):
        return None
    if only in (None, mid) and hashlib.sha256(body).hexdigest() != head.get("sha256"):
        return None
    return (head, body), end + len(marker)


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


def _parse2(data: bytes) -> Record | None:
    split = _split2(data)
    if split is None:
        return None
    head, start, size, digest = split
    body = data[start : start + size]
    if len(data) != start + size + len(trailer2(int(str(head["mid"])), size, digest)):
        return None
    if hashlib.sha256(body).hexdigest() != digest:
        return None
    return head, body
