"""The configuration version every SMTP worker serves, switched at one instant.

A commit must not be served by one worker and not yet by another: a client that saw
the new policy on one connection would meet the old one on the next. So the supervisor
(esacli/supervisor.py) has each worker build the new version first (`prepare`), and
once every worker has it ready, writes its number here, into `run/active` (8 bytes,
shared memory through the page cache). A worker reads this number when it accepts a
connection (engine/inbound/listeners.py) and serves the staged version from then on:
one write switches all of them. The full listener reconciliation follows (`swap`).
"""

from __future__ import annotations

import mmap
import os
import struct
from pathlib import Path

from state import files

FILE = "active"
_VALUE = struct.Struct("<q")


def path_in(data_dir: Path) -> Path:
    return files.private_dir(Path(data_dir) / "run") / FILE


class ActiveVersion:
    def __init__(self, path: Path) -> None:
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            if os.fstat(fd).st_size < _VALUE.size:
                os.ftruncate(fd, _VALUE.size)
            self._map = mmap.mmap(fd, _VALUE.size)
        finally:
            os.close(fd)

    def read(self) -> int:
        return int(_VALUE.unpack_from(self._map, 0)[0])

    def write(self, version: int) -> None:
        _VALUE.pack_into(self._map, 0, version)

    def close(self) -> None:
        self._map.close()
