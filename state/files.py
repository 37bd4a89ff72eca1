"""File modes of the data directory: nothing in it is readable by other users.

The queue holds addresses and messages, the logs hold addresses and host names,
the store holds the whole configuration, status.json the traffic figures. The
data directory is 0700 and every file the appliance writes in it is created 0600
(SQLite gives its -wal and -shm files the database file's mode). `harden` brings
a data directory written by an older version, or under a loose umask, to that.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

DIR_MODE = 0o700
FILE_MODE = 0o600
# The process umask of `esacli run` and `esacli shell`: anything else they create
# (an exported table, a journal file) is private too.
UMASK = 0o077


def private_dir(path: Path) -> Path:
    """`path` as a directory only its owner can enter (made if missing)."""
    path = Path(path)
    path.mkdir(mode=DIR_MODE, parents=True, exist_ok=True)
    os.chmod(path, DIR_MODE)
    return path


def private_file(path: Path) -> Path:
    """Create `path` empty with mode 0600 if it does not exist, before anyone opens it."""
    path = Path(path)
    os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, FILE_MODE))
    return path


def open_private(path: str, flags: int) -> int:
    """An `opener` for open(): new files get mode 0600 whatever the umask."""
    return os.open(path, flags, FILE_MODE)


def harden(data_dir: Path) -> None:
    """Make the data directory 0700 and take group and other access off everything in it."""
    root = private_dir(data_dir)
    for folder, dirs, files in os.walk(root):
        for name in dirs + files:
            _owner_only(Path(folder) / name)


def _owner_only(path: Path) -> None:
    try:
        info = path.lstat()
    except FileNotFoundError:
        return  # a spool file delivered meanwhile
    mode = stat.S_IMODE(info.st_mode)
    if not stat.S_ISLNK(info.st_mode) and mode & 0o077:
        os.chmod(path, mode & ~0o077)
