"""What a cluster member keeps in its data dir, beside its local store.

  cluster.db               SQLite: the membership (cluster, machine and group, by id
                           and name), the cluster's identity (its creation time in the
                           cluster database: a database holding another cluster is not
                           followed), the level versions the local head was made from
                           (with their documents, so the member can serve, show and
                           commit machine-only settings while the cluster database is
                           away), the outbox (a Machine-level commit made offline, pushed
                           on reconnect) and the link state (connected or why not)
  cluster.lock             held by whoever applies the cluster's heads (node.catch_up)
  secrets/cluster.key      the cluster key (0600, like the private keys beside it)
  secrets/cluster.conninfo the PostgreSQL connection string (0600: it may hold a password)

A data dir is clustered when cluster.db exists; it is written whole (a temporary
file renamed into place) only once create or join has succeeded.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import sqlite3
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from state.cluster import levels
from state.cluster.levels import Doc, Kind, Level
from state.secrets import write_private

FILE = "cluster.db"
APPLY_LOCK = "cluster.lock"
KEY_FILE = "cluster.key"
CONNINFO_FILE = "cluster.conninfo"

_SCHEMA = """
CREATE TABLE IF NOT EXISTS membership (
    id INTEGER PRIMARY KEY CHECK (id = 1), cluster TEXT NOT NULL,
    machine_id INTEGER NOT NULL, machine TEXT NOT NULL,
    group_id INTEGER NOT NULL, grp TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS levels (
    kind TEXT PRIMARY KEY, scope INTEGER NOT NULL, number INTEGER NOT NULL, document TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS outbox (
    id INTEGER PRIMARY KEY CHECK (id = 1), base INTEGER NOT NULL, base_doc TEXT NOT NULL,
    doc TEXT NOT NULL, author TEXT NOT NULL, comments TEXT NOT NULL, time REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS identity (
    id INTEGER PRIMARY KEY CHECK (id = 1), created REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS link (
    id INTEGER PRIMARY KEY CHECK (id = 1), connected INTEGER NOT NULL, since REAL NOT NULL,
    reason TEXT NOT NULL, admin_disconnected INTEGER NOT NULL, push_error TEXT NOT NULL
);
"""


def is_clustered(data_dir: Path) -> bool:
    return (Path(data_dir) / FILE).exists()


@dataclass(frozen=True)
class Membership:
    cluster: str
    machine_id: int
    machine: str
    group_id: int
    group: str

    @property
    def cluster_level(self) -> Level:
        return Level(Kind.CLUSTER, 0, self.cluster)

    @property
    def group_level(self) -> Level:
        return Level(Kind.GROUP, self.group_id, self.group)

    @property
    def machine_level(self) -> Level:
        return Level(Kind.MACHINE, self.machine_id, self.machine)


@dataclass(frozen=True)
class Applied:
    """The level versions (and documents) the local head was made from."""

    cluster: int = 0
    group: int = 0
    machine: int = 0
    group_id: int = 0
    cluster_doc: Doc = field(default_factory=dict)
    group_doc: Doc = field(default_factory=dict)
    machine_doc: Doc = field(default_factory=dict)

    @property
    def numbers(self) -> tuple[int, int, int]:
        return (self.cluster, self.group, self.machine)


@dataclass(frozen=True)
class Outbox:
    """A Machine-level commit made offline: pushed as one version on reconnect, merged
    three-way (base_doc, the head then, doc) if the level moved meanwhile."""

    base: int
    base_doc: Doc
    doc: Doc
    author: str
    comments: tuple[str, ...]
    time: float


@dataclass(frozen=True)
class Link:
    connected: bool = False
    since: float = 0.0
    reason: str = ""
    admin_disconnected: bool = False
    push_error: str = ""


class LocalCluster:
    def __init__(self, data_dir: Path) -> None:
        self.data_dir = Path(data_dir)
        self.path = self.data_dir / FILE
        self._db = _open(self.path)
        self._lock = threading.RLock()

    def close(self) -> None:
        with self._lock:
            self._db.close()

    @contextlib.contextmanager
    def applying(self, wait: float | None = None) -> Iterator[bool]:
        """One applier of the heads at a time on this data dir, in any process: the
        follower, and a session applying its own commit at once, would otherwise both
        write and log the same version. Yields False when `wait` seconds went by first
        (the other applier will see what this one would have applied)."""
        fd = os.open(self.data_dir / APPLY_LOCK, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            yield _lock(fd, wait)
        finally:
            os.close(fd)  # (the lock goes with it)

    def _rows(self, sql: str, args: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
        with self._lock:
            return self._db.execute(sql, args).fetchall()

    def _run(self, sql: str, args: tuple[Any, ...] = ()) -> None:
        with self._lock:
            self._db.execute(sql, args)

    # -- secrets beside the store ------------------------------------------------
    def cluster_key(self) -> bytes:
        return (self.data_dir / "secrets" / KEY_FILE).read_bytes()

    def conninfo(self) -> str:
        return (self.data_dir / "secrets" / CONNINFO_FILE).read_text()

    # -- membership ----------------------------------------------------------------
    def membership(self) -> Membership:
        [row] = self._rows("SELECT cluster, machine_id, machine, group_id, grp FROM membership")
        return Membership(row[0], int(row[1]), row[2], int(row[3]), row[4])

    def set_membership(self, m: Membership) -> None:
        self._run("INSERT OR REPLACE INTO membership VALUES (1, ?, ?, ?, ?, ?)",
                  (m.cluster, m.machine_id, m.machine, m.group_id, m.group))

    # -- the cluster's identity -----------------------------------------------------
    def identity(self) -> float | None:
        """When the cluster this machine belongs to was created (its row in the cluster
        database); None for a member enrolled before it was kept."""
        rows = self._rows("SELECT created FROM identity")
        return float(rows[0][0]) if rows else None

    def set_identity(self, created: float) -> None:
        self._run("INSERT OR REPLACE INTO identity VALUES (1, ?)", (created,))

    # -- applied levels ------------------------------------------------------------
    def applied(self) -> Applied:
        found = {kind: (int(scope), int(number), levels.decode(doc)) for kind, scope, number, doc
                 in self._rows("SELECT kind, scope, number, document FROM levels")}
        empty: tuple[int, int, Doc] = (0, 0, {})
        c, g, m = (found.get(k.value, empty) for k in Kind)
        return Applied(c[1], g[1], m[1], g[0], c[2], g[2], m[2])

    def set_applied(self, a: Applied) -> None:
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            for kind, scope, number, doc in (
                (Kind.CLUSTER, 0, a.cluster, a.cluster_doc),
                (Kind.GROUP, a.group_id, a.group, a.group_doc),
                (Kind.MACHINE, 0, a.machine, a.machine_doc),
            ):
                self._db.execute("INSERT OR REPLACE INTO levels VALUES (?, ?, ?, ?)",
                                 (kind.value, scope, number, levels.encode(doc)))
            self._db.execute("COMMIT")

    # -- outbox --------------------------------------------------------------------
    def outbox(self) -> Outbox | None:
        rows = self._rows("SELECT base, base_doc, doc, author, comments, time FROM outbox")
        if not rows:
            return None
        base, base_doc, doc, author, comments, at = rows[0]
        return Outbox(int(base), levels.decode(base_doc), levels.decode(doc), author,
                      tuple(json.loads(comments)), float(at))

    def put_outbox(self, o: Outbox) -> None:
        self._run("INSERT OR REPLACE INTO outbox VALUES (1, ?, ?, ?, ?, ?, ?)",
                  (o.base, levels.encode(o.base_doc), levels.encode(o.doc), o.author,
                   json.dumps(list(o.comments)), o.time))

    def take_outbox(self, expected: Outbox) -> bool:
        """Drop the outbox if it is still `expected` (not extended meanwhile)."""
        with self._lock:
            if self.outbox() != expected:
                return False
            self._db.execute("DELETE FROM outbox")
            return True

    # -- link ----------------------------------------------------------------------
    def link(self) -> Link:
        rows = self._rows("SELECT connected, since, reason, admin_disconnected, push_error"
                          " FROM link")
        if not rows:
            return Link()
        c, since, reason, admin, push = rows[0]
        return Link(bool(c), float(since), reason, bool(admin), push)

    def set_link(self, connected: bool, reason: str = "") -> None:
        with self._lock:
            old = self.link()
            since = old.since if old.connected == connected and old.since else time.time()
            self._put_link(Link(connected, since, reason, old.admin_disconnected, old.push_error))

    def set_admin_disconnected(self, value: bool) -> None:
        with self._lock:
            old = self.link()
            self._put_link(Link(old.connected, old.since, old.reason, value, old.push_error))

    def set_push_error(self, text: str) -> None:
        with self._lock:
            old = self.link()
            self._put_link(Link(old.connected, old.since, old.reason, old.admin_disconnected,
                                text))

    def _put_link(self, link: Link) -> None:
        self._db.execute("INSERT OR REPLACE INTO link VALUES (1, ?, ?, ?, ?, ?)",
                         (int(link.connected), link.since, link.reason,
                          int(link.admin_disconnected), link.push_error))


def _lock(fd: int, wait: float | None) -> bool:
    if wait is None:
        fcntl.flock(fd, fcntl.LOCK_EX)
        return True
    deadline = time.monotonic() + wait
    while True:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return True
        except BlockingIOError:
            if time.monotonic() >= deadline:
                return False
            time.sleep(0.02)


def _open(path: Path) -> sqlite3.Connection:
    db = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    db.execute("PRAGMA journal_mode=WAL")
    db.execute("PRAGMA busy_timeout=5000")
    db.executescript(_SCHEMA)
    return db


def enrol(data_dir: Path, membership: Membership, applied: Applied, cluster_key: bytes,
          conninfo: str, created: float | None = None) -> LocalCluster:
    """Make the data dir a member: secrets first, then cluster.db renamed into place."""
    data_dir = Path(data_dir)
    write_private(data_dir / "secrets" / KEY_FILE, cluster_key)
    write_private(data_dir / "secrets" / CONNINFO_FILE, conninfo.encode())
    tmp = data_dir / (FILE + ".new")
    for leftover in (tmp, Path(f"{tmp}-wal"), Path(f"{tmp}-shm")):
        leftover.unlink(missing_ok=True)
    db = _open(tmp)
    db.execute("PRAGMA journal_mode=DELETE")  # one file to rename
    db.close()
    staging = LocalCluster.__new__(LocalCluster)
    staging.data_dir, staging.path = data_dir, tmp
    staging._db, staging._lock = sqlite3.connect(tmp, isolation_level=None), threading.RLock()
    staging.set_membership(membership)
    staging.set_applied(applied)
    if created is not None:
        staging.set_identity(created)
    staging._put_link(Link(True, time.time(), "", False, ""))
    staging.close()
    os.replace(tmp, data_dir / FILE)
    return LocalCluster(data_dir)


def leave(data_dir: Path) -> None:
    """Back to standalone (removed from the cluster): the local store is kept as it is."""
    data_dir = Path(data_dir)
    for name in (FILE, f"{FILE}-wal", f"{FILE}-shm"):
        (data_dir / name).unlink(missing_ok=True)
    for name in (KEY_FILE, CONNINFO_FILE):
        (data_dir / "secrets" / name).unlink(missing_ok=True)
