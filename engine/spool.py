"""The inbound spool: accepted messages, durable before the client hears 250.

One file per message, `<MID>.msg`: a header line (`ESACLI-SPOOL 1 ` + JSON
envelope, including the content's size and SHA-256), the content, then an end
marker naming the MID. The file is written under a temporary name, fsynced,
renamed into place and the directory fsynced. A file whose size, digest or end
marker does not check out is torn and ignored.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import os
from dataclasses import dataclass
from pathlib import Path

from engine.errors import SpoolError
from state import files

MAGIC = b"ESACLI-SPOOL 1 "
SUFFIX = ".msg"
TMP_SUFFIX = ".tmp"


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

    def content(self) -> bytes:
        parsed = _parse(self.path.read_bytes())
        if parsed is None:
            raise SpoolError(f"MID {self.mid}: spool file is damaged")
        return parsed[1]


def _end_marker(mid: int) -> bytes:
    return b"\r\nESACLI-END " + str(mid).encode() + b"\n"


def _encode(envelope: dict[str, object], content: bytes) -> bytes:
    head = dict(envelope, size=len(content), sha256=hashlib.sha256(content).hexdigest())
    line = MAGIC + json.dumps(head, separators=(",", ":")).encode() + b"\n"
    return line + content + _end_marker(int(str(envelope["mid"])))


def _parse(data: bytes) -> tuple[dict[str, object], bytes] | None:
    if not data.startswith(MAGIC):
        return None
    head_end = data.find(b"\n")
    try:
        head = json.loads(data[len(MAGIC) : head_end])
        size, mid = int(head["size"]), int(head["mid"])
    except (ValueError, KeyError, TypeError):
        return None
    body = data[head_end + 1 : head_end + 1 + size]
    if len(body) != size or data[head_end + 1 + size :] != _end_marker(mid):
        return None
    if hashlib.sha256(body).hexdigest() != head.get("sha256"):
        return None
    return head, body


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view) :]


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


class Spool:
    def __init__(self, root: Path) -> None:
        self.root = files.private_dir(root)
        for stale in self.root.glob("*" + TMP_SUFFIX):
            stale.unlink(missing_ok=True)

    def _write(self, mid: int, data: bytes) -> Path:
        final = self.root / f"{mid}{SUFFIX}"
        tmp = self.root / f"{mid}{SUFFIX}{TMP_SUFFIX}"
        try:
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            try:
                _write_all(fd, data)
                os.fsync(fd)
            finally:
                os.close(fd)
            os.replace(tmp, final)
            _fsync_dir(self.root)
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
    ) -> Path:
        """Write the message durably; returns only once file and directory are fsynced."""
        envelope: dict[str, object] = {
            "mid": mid, "icid": icid, "listener": listener, "sender": sender,
            "recipients": list(recipients), "time": when,
        }
        data = _encode(envelope, content)
        # fsync blocks for milliseconds: keep it off the event loop.
        return await asyncio.to_thread(self._write, mid, data)

    def messages(self) -> list[SpooledMessage]:
        """Every complete message in the spool, oldest MID first; torn files are skipped."""
        found = []
        for path in self.root.glob("*" + SUFFIX):
            message = self._load(path)
            if message is not None:
                found.append(message)
        return sorted(found, key=lambda m: m.mid)

    def _load(self, path: Path) -> SpooledMessage | None:
        try:
            parsed = _parse(path.read_bytes())
        except OSError:
            return None
        if parsed is None:
            return None
        head, _ = parsed
        return SpooledMessage(
            mid=int(str(head["mid"])), icid=int(str(head["icid"])),
            listener=str(head["listener"]), sender=str(head["sender"]),
            recipients=tuple(str(r) for r in head["recipients"]),  # type: ignore[attr-defined]
            time=float(str(head["time"])), size=int(str(head["size"])), path=path,
        )
