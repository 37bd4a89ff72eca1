"""One connection to the cluster database, its commit transaction, and the versions.

Every psycopg failure to reach or use the server becomes `Unreachable`, whose
message names the server (host, port, database; never the password); an error the
server answers with (out of disk space, a table missing) becomes `Faulted`, in the
server's words; the commit lock waited for longer than LOCK_TIMEOUT, `Busy`. Queries
on machines, groups, keys and users are in members.py.
"""

from __future__ import annotations

import contextlib
import os
import re
import socket
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, Self

import psycopg
from psycopg import conninfo as pg_conninfo

from state.cluster import levels, messages, schema
from state.cluster.errors import Busy, Faulted, Uncertain, Unreachable
from state.cluster.levels import Doc, Kind, Level

CONNECT_TIMEOUT = 3  # seconds: an unreachable address must not hold a commit long
ANSWER_TIMEOUT = 10.0  # seconds one round trip may take before the connection is cut
LOCK_TIMEOUT = 8.0  # seconds a commit waits for the commit lock (held by a commit that
# does not end: its machine stopped or cut off mid-commit, until the server notices)
Errors = (psycopg.Error,)
# SQLSTATE classes of a server that cannot be used at all (a connection exception, shutting
# down or starting up, authentication, too many connections): Unreachable. Any other error
# it answers with is its own (disk full, a table missing, read-only): Faulted.
_AWAY = ("08", "57", "28", "53300")
_LIBPQ_PREFIX = re.compile(r'^(?:[a-z ]+ failed: )?(?:connection to server at "[^"]*"'
                           r"(?: \([^)]*\))?, port \d+ failed: )?(?:(?:FATAL|ERROR):\s+)?")


def where(conninfo: str) -> str:
    """`host:port/dbname` of a connection string, for messages (no password)."""
    try:
        params = pg_conninfo.conninfo_to_dict(conninfo)
    except psycopg.ProgrammingError:
        return "(invalid connection string)"
    host = str(params.get("host") or params.get("hostaddr") or "localhost")
    return f"{host}:{params.get('port') or 5432}/{params.get('dbname') or params.get('user') or ''}"


def has_password(conninfo: str) -> bool:
    try:
        return bool(pg_conninfo.conninfo_to_dict(conninfo).get("password"))
    except psycopg.ProgrammingError:
        return False


def with_password(conninfo: str, password: str) -> str:
    """`conninfo` with `password` added (asked apart, so it is never echoed); the
    connection string as it was if it is not one (connecting then says why)."""
    if not password:
        return conninfo
    try:
        return pg_conninfo.make_conninfo(conninfo, password=password)
    except psycopg.ProgrammingError:
        return conninfo


def first_line(exc: BaseException) -> str:
    """Why, in one line: the server's own message, else the driver's first line without
    the address (the message names it) -- never libpq's hint on the lines after it, nor
    the caret under a query."""
    diag = getattr(exc, "diag", None)
    primary = getattr(diag, "message_primary", None)
    if primary:
        return str(primary).strip()
    for line in str(exc).splitlines():
        if line.strip():
            return _LIBPQ_PREFIX.sub("", line.strip()) or line.strip()
    return type(exc).__name__


def unreachable(conninfo: str, exc: BaseException) -> Unreachable:
    state = getattr(exc, "sqlstate", None)
    if state and not state.startswith(_AWAY):
        return Faulted(messages.FAULTED(where=where(conninfo), reason=first_line(exc)))
    return Unreachable(messages.UNREACHABLE(where=where(conninfo), reason=first_line(exc)))


@dataclass(frozen=True)
class VersionRow:
    number: int
    parent: int | None
    level: Kind
    scope: int
    author: str
    source: str
    machine: str
    time: float
    comment: str
    document: Doc


EMPTY = VersionRow(0, None, Kind.CLUSTER, 0, "", "", "", 0.0, "", {})
_VERSION_COLUMNS = "number, parent, level, scope, author, source, machine, time, comment, document"


def _version(row: tuple[Any, ...]) -> VersionRow:
    number, parent, level, scope, author, source, machine, time, comment, document = row
    return VersionRow(int(number), None if parent is None else int(parent), Kind(level),
                      int(scope), author, source, machine, float(time), comment,
                      levels.decode(document))


class ClusterDB:
    """A psycopg connection (autocommit outside `locked()`), closed with `close()`.

    Every round trip has ANSWER_TIMEOUT: a server stopped or cut off without a reset
    keeps the connection open and silent, and no error would ever come; the connection
    is then cut (Unreachable, "has not answered for N seconds")."""

    def __init__(self, conninfo: str, application: str = "esacli") -> None:
        self.conninfo = conninfo
        self._silent = False  # the watchdog cut the connection
        self._waiting = False  # a round trip is on (the watchdog cuts only then)
        self._lock = threading.Lock()
        try:
            self.conn = psycopg.connect(conninfo, autocommit=True, application_name=application,
                                        connect_timeout=CONNECT_TIMEOUT)
        except (psycopg.Error, OSError) as exc:
            raise unreachable(conninfo, exc) from None
        # The watchdog's own handle on the socket, taken now: the connection's descriptor
        # number may belong to another file by the time it fires.
        self._socket = socket.socket(fileno=os.dup(self.conn.fileno()))

    def close(self) -> None:
        with contextlib.suppress(psycopg.Error):
            self.conn.close()
        with self._lock:
            self._socket.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _execute(self, sql: str, args: tuple[Any, ...]) -> psycopg.Cursor[Any]:
        """One round trip, cut by the watchdog if the server has not answered in time."""
        timer = threading.Timer(ANSWER_TIMEOUT, self._cut)
        timer.daemon = True
        with self._lock:
            self._waiting = True
        timer.start()
        try:
            return self.conn.execute(sql, args)  # type: ignore[arg-type]
        finally:
            with self._lock:  # from here the watchdog cuts nothing: the answer came
                self._waiting = False
            timer.cancel()

    def _cut(self) -> None:
        with self._lock:
            if not self._waiting:
                return
            self._silent = True
            with contextlib.suppress(OSError):
                self._socket.shutdown(socket.SHUT_RDWR)  # the waiting read ends with an error

    def _failed(self, exc: BaseException) -> Unreachable:
        if self._silent:
            return Unreachable(messages.UNREACHABLE(
                where=where(self.conninfo),
                reason=messages.NOT_ANSWERING.format(seconds=f"{ANSWER_TIMEOUT:g}")))
        return unreachable(self.conninfo, exc)

    def rows(self, sql: str, args: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
        try:
            return self._execute(sql, args).fetchall()
        except Errors as exc:
            raise self._failed(exc) from None

    def run(self, sql: str, args: tuple[Any, ...] = ()) -> int:
        try:
            return self._execute(sql, args).rowcount
        except Errors as exc:
            raise self._failed(exc) from None

    @contextlib.contextmanager
    def locked(self) -> Iterator[ClusterDB]:
        """One transaction holding the commit lock; rolled back on any exception. Busy
        when another holds the lock for longer than LOCK_TIMEOUT; Uncertain when the
        connection is lost while the server commits (it may have, or not)."""
        self.run("BEGIN")
        try:
            self.run("SELECT set_config('lock_timeout', %s, true)",
                     (f"{int(LOCK_TIMEOUT * 1000)}ms",))
            try:
                self._execute("SELECT pg_advisory_xact_lock(%s)", (schema.LOCK,))
            except psycopg.errors.LockNotAvailable:
                raise Busy(messages.BUSY(seconds=f"{LOCK_TIMEOUT:g}")) from None
            except Errors as exc:
                raise self._failed(exc) from None
            yield self
        except BaseException:
            with contextlib.suppress(Unreachable):
                self.run("ROLLBACK")
            raise
        try:
            self.run("COMMIT")
        except Faulted:  # the server answered: it did not commit
            raise
        except Unreachable as exc:
            raise Uncertain(messages.UNCERTAIN(
                reason=exc.reason.params.get("reason", ""))) from None

    def notify(self) -> None:
        """Wake every member (delivered when the transaction commits)."""
        self.run(f"NOTIFY {schema.CHANNEL}")

    def now(self) -> float:
        [(now,)] = self.rows("SELECT extract(epoch FROM clock_timestamp())::float8")
        return float(now)

    def has_schema(self) -> bool:
        [(found,)] = self.rows("SELECT to_regclass('esacli.cluster') IS NOT NULL")
        return bool(found)

    # -- versions ------------------------------------------------------------
    def head(self, level: Level) -> VersionRow:
        """The level's newest version, or EMPTY (number 0, nothing defined)."""
        rows = self.rows(
            f"SELECT {_VERSION_COLUMNS} FROM esacli.versions WHERE level = %s AND scope = %s"
            " ORDER BY number DESC LIMIT 1", (level.kind.value, level.scope))
        return _version(rows[0]) if rows else EMPTY

    def head_number(self, level: Level) -> int:
        """The number of the level's newest version (0: none), its document unread."""
        rows = self.rows("SELECT max(number) FROM esacli.versions WHERE level = %s"
                         " AND scope = %s", (level.kind.value, level.scope))
        return int(rows[0][0] or 0)

    def version(self, number: int) -> VersionRow | None:
        if number == 0:
            return EMPTY
        rows = self.rows(f"SELECT {_VERSION_COLUMNS} FROM esacli.versions WHERE number = %s",
                         (number,))
        return _version(rows[0]) if rows else None

    def history(self, level: Level, limit: int) -> list[VersionRow]:
        rows = self.rows(
            f"SELECT {_VERSION_COLUMNS} FROM esacli.versions WHERE level = %s AND scope = %s"
            " ORDER BY number DESC LIMIT %s", (level.kind.value, level.scope, limit))
        return [_version(r) for r in rows]

    def insert_version(self, level: Level, parent: int, doc: Doc, author: str, source: str,
                       machine: str, comment: str) -> VersionRow:
        """Write the level's next version (inside `locked()`, after checking its head)."""
        [(number, now)] = self.rows(
            "SELECT coalesce(max(number), 0) + 1, extract(epoch FROM clock_timestamp())::float8"
            " FROM esacli.versions")
        self.run(
            f"INSERT INTO esacli.versions ({_VERSION_COLUMNS})"
            " VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s)",
            (number, parent or None, level.kind.value, level.scope, author, source, machine,
             now, comment, levels.encode(doc)))
        self.notify()
        return VersionRow(int(number), parent or None, level.kind, level.scope, author, source,
                          machine, float(now), comment, levels.normalise(doc))

    # -- commit confirmed ------------------------------------------------------
    def confirmation(self, level: Level) -> tuple[int, int, float, str] | None:
        rows = self.rows("SELECT version, previous, deadline, author FROM esacli.confirmations"
                         " WHERE level = %s AND scope = %s", (level.kind.value, level.scope))
        return (int(rows[0][0]), int(rows[0][1]), float(rows[0][2]), rows[0][3]) if rows else None

    def put_confirmation(self, level: Level, version: int, previous: int, deadline: float,
                         author: str) -> None:
        self.run("INSERT INTO esacli.confirmations VALUES (%s, %s, %s, %s, %s, %s)",
                 (level.kind.value, level.scope, version, previous, deadline, author))

    def end_confirmation(self, level: Level, version: int) -> bool:
        """Delete the level's wait for `version`; False if it was no longer there."""
        return self.run("DELETE FROM esacli.confirmations WHERE level = %s AND scope = %s"
                        " AND version = %s", (level.kind.value, level.scope, version)) > 0

    def expired_confirmations(self) -> list[tuple[Kind, int, int]]:
        """(kind, scope, version) of every wait whose deadline has passed (database clock)."""
        rows = self.rows("SELECT level, scope, version FROM esacli.confirmations"
                         " WHERE deadline <= extract(epoch FROM clock_timestamp())")
        return [(Kind(level), int(scope), int(version)) for level, scope, version in rows]
