"""One connection to the cluster database, its commit transaction, and the versions.

Every psycopg failure to reach or use the server becomes `Unreachable`, whose
message names the server (host, port, database; never the password). Queries
on machines, groups, keys and users are in members.py.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, Self

import psycopg
from psycopg import conninfo as pg_conninfo

from state.cluster import levels, messages, schema
from state.cluster.errors import Unreachable
from state.cluster.levels import Doc, Kind, Level

CONNECT_TIMEOUT = 3  # seconds: an unreachable address must not hold a commit long
Errors = (psycopg.OperationalError, psycopg.InterfaceError)


def where(conninfo: str) -> str:
    """`host:port/dbname` of a connection string, for messages (no password)."""
    try:
        params = pg_conninfo.conninfo_to_dict(conninfo)
    except psycopg.ProgrammingError:
        return "(invalid connection string)"
    host = str(params.get("host") or params.get("hostaddr") or "localhost")
    return f"{host}:{params.get('port') or 5432}/{params.get('dbname') or params.get('user') or ''}"


def first_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return text[-1].strip() if text else type(exc).__name__


def unreachable(conninfo: str, exc: BaseException) -> Unreachable:
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
    """A psycopg connection (autocommit outside `locked()`), closed with `close()`."""

    def __init__(self, conninfo: str, application: str = "esacli") -> None:
        self.conninfo = conninfo
        try:
            self.conn = psycopg.connect(conninfo, autocommit=True, application_name=application,
                                        connect_timeout=CONNECT_TIMEOUT)
        except (psycopg.Error, OSError) as exc:
            raise unreachable(conninfo, exc) from None

    def close(self) -> None:
        with contextlib.suppress(psycopg.Error):
            self.conn.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def rows(self, sql: str, args: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
        try:
            return self.conn.execute(sql, args).fetchall()  # type: ignore[arg-type]
        except Errors as exc:
            raise unreachable(self.conninfo, exc) from None

    def run(self, sql: str, args: tuple[Any, ...] = ()) -> int:
        try:
            return self.conn.execute(sql, args).rowcount  # type: ignore[arg-type]
        except Errors as exc:
            raise unreachable(self.conninfo, exc) from None

    @contextlib.contextmanager
    def locked(self) -> Iterator[ClusterDB]:
        """One transaction holding the commit lock; rolled back on any exception."""
        try:
            with self.conn.transaction():
                self.conn.execute("SELECT pg_advisory_xact_lock(%s)", (schema.LOCK,))
                yield self
        except Errors as exc:
            raise unreachable(self.conninfo, exc) from None

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
