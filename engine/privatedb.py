"""SQLite files of the engine that only the appliance may read (mode 0600).

The file is created 0600 before SQLite opens it; SQLite gives its -wal and -shm files
the database's mode, so they stay private too. WAL with synchronous=FULL: each committed
transaction is on disk, as everywhere else in the data dir.
"""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path


def connect_private(path: Path, schema: str) -> sqlite3.Connection:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    os.close(fd)
    os.chmod(path, 0o600)  # a file made before by someone else's umask
    db = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
    db.execute("PRAGMA journal_mode=WAL")
    db.execute("PRAGMA synchronous=FULL")
    db.executescript(schema)
    return db
