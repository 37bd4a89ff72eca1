"""ICID and MID allocation, unique across restarts and crashes.

The counter file holds a reservation: every number handed out is below the
value on disk. A clean stop writes the exact next numbers; after a crash the
engine skips to the reservation, leaving a gap but never repeating an ID.
Reserving in blocks keeps the fsync off the per-connection path.
"""

from __future__ import annotations

import json
import os
import threading
from pathlib import Path

from state import files

BLOCK = 1000
_KINDS = ("icid", "mid")


class Counters:
    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self._lock = threading.Lock()
        self._next = dict.fromkeys(_KINDS, 1)
        self._next.update(self._read())
        self._reserved = {k: v + BLOCK for k, v in self._next.items()}
        self._persist(self._reserved)

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

    def _take(self, kind: str) -> int:
        with self._lock:
            value = self._next[kind]
            self._next[kind] = value + 1
            if self._next[kind] >= self._reserved[kind]:
                self._reserved[kind] = self._next[kind] + BLOCK
                self._persist(self._reserved)
            return value

    def next_icid(self) -> int:
        return self._take("icid")

    def next_mid(self) -> int:
        return self._take("mid")

    def close(self) -> None:
        with self._lock:
            self._persist(dict(self._next))
