"""The cluster row, groups, machines, sealed keys and users in the cluster database."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from state.cluster import messages, schema
from state.cluster.db import ClusterDB
from state.cluster.errors import DuplicateName, NoCluster, UnknownName
from state.cluster.levels import Kind, Level

DEFAULT_GROUP = "Main_Group"


@dataclass(frozen=True)
class ClusterRow:
    name: str
    key_salt: bytes
    wrapped_key: bytes
    created: float


@dataclass(frozen=True)
class MachineRow:
    id: int
    name: str
    group_id: int
    group: str
    joined: float
    applied: tuple[int, int, int]  # cluster, group, machine version numbers it runs
    applied_group_id: int
    applied_error: str
    applied_at: float | None

    @property
    def level(self) -> Level:
        return Level(Kind.MACHINE, self.id, self.name)

    @property
    def group_level(self) -> Level:
        return Level(Kind.GROUP, self.group_id, self.group)


@dataclass(frozen=True)
class GroupRow:
    id: int
    name: str

    @property
    def level(self) -> Level:
        return Level(Kind.GROUP, self.id, self.name)


def cluster_row(db: ClusterDB) -> ClusterRow | None:
    if not db.has_schema():
        return None
    rows = db.rows("SELECT name, key_salt, wrapped_key, created FROM esacli.cluster")
    if not rows:
        return None
    name, salt, wrapped, created = rows[0]
    return ClusterRow(name, bytes(salt), bytes(wrapped), float(created))


def require_cluster(db: ClusterDB) -> ClusterRow:
    row = cluster_row(db)
    if row is None:
        raise NoCluster(messages.NO_CLUSTER())
    return row


def create_schema(db: ClusterDB, name: str, salt: bytes, wrapped: bytes) -> None:
    """Inside `locked()`: the tables, the cluster row and the default group."""
    db.run(schema.DDL)
    db.run("INSERT INTO esacli.cluster VALUES (1, %s, %s, %s, %s, %s)",
           (name, schema.FORMAT, salt, wrapped, db.now()))
    db.run("INSERT INTO esacli.groups (name) VALUES (%s)", (DEFAULT_GROUP,))


# -- groups ------------------------------------------------------------------
def groups(db: ClusterDB) -> list[GroupRow]:
    return [GroupRow(int(i), n) for i, n in db.rows("SELECT id, name FROM esacli.groups"
                                                    " ORDER BY name")]


def group(db: ClusterDB, name: str) -> GroupRow:
    for row in groups(db):
        if row.name == name:
            return row
    raise UnknownName(messages.UNKNOWN_GROUP(name=name))


def group_by_id(db: ClusterDB, group_id: int) -> GroupRow | None:
    return next((g for g in groups(db) if g.id == group_id), None)


def group_name_free(db: ClusterDB, name: str) -> None:
    if any(g.name == name for g in groups(db)):
        raise DuplicateName(messages.DUPLICATE_GROUP(name=name))


def add_group(db: ClusterDB, name: str) -> GroupRow:
    group_name_free(db, name)
    [(gid,)] = db.rows("INSERT INTO esacli.groups (name) VALUES (%s) RETURNING id", (name,))
    return GroupRow(int(gid), name)


# -- machines ----------------------------------------------------------------
_MACHINE = """SELECT m.id, m.name, m.group_id, g.name, m.joined, m.applied_cluster,
    m.applied_group, m.applied_machine, m.applied_group_id, m.applied_error, m.applied_at
    FROM esacli.machines m JOIN esacli.groups g ON g.id = m.group_id"""


def _machine(row: tuple[Any, ...]) -> MachineRow:
    mid, name, gid, gname, joined, ac, ag, am, agid, error, at = row
    return MachineRow(int(mid), name, int(gid), gname, float(joined), (int(ac), int(ag), int(am)),
                      int(agid), error, None if at is None else float(at))


def machines(db: ClusterDB) -> list[MachineRow]:
    return [_machine(r) for r in db.rows(_MACHINE + " ORDER BY m.name")]


def machine(db: ClusterDB, name: str) -> MachineRow:
    rows = db.rows(_MACHINE + " WHERE m.name = %s", (name,))
    if not rows:
        raise UnknownName(messages.UNKNOWN_MACHINE(name=name))
    return _machine(rows[0])


def machine_by_id(db: ClusterDB, machine_id: int) -> MachineRow | None:
    rows = db.rows(_MACHINE + " WHERE m.id = %s", (machine_id,))
    return _machine(rows[0]) if rows else None


def machine_name_free(db: ClusterDB, name: str) -> None:
    if any(m.name == name for m in machines(db)):
        raise DuplicateName(messages.DUPLICATE_MACHINE(name=name))


def add_machine(db: ClusterDB, name: str, group_id: int) -> int:
    machine_name_free(db, name)
    [(mid,)] = db.rows("INSERT INTO esacli.machines (name, group_id, joined)"
                       " VALUES (%s, %s, %s) RETURNING id", (name, group_id, db.now()))
    return int(mid)


def report_applied(db: ClusterDB, machine_id: int, applied: tuple[int, int, int],
                   group_id: int, error: str) -> None:
    """What this machine runs now (clustercheck compares it with the heads)."""
    db.run("UPDATE esacli.machines SET applied_cluster = %s, applied_group = %s,"
           " applied_machine = %s, applied_group_id = %s, applied_error = %s,"
           " applied_at = extract(epoch FROM clock_timestamp()) WHERE id = %s",
           (*applied, group_id, error, machine_id))


def connected_names(db: ClusterDB) -> set[str]:
    """Machines with a follower connected now (their application_name, see follower.py)."""
    rows = db.rows("SELECT application_name FROM pg_stat_activity"
                   " WHERE application_name LIKE %s", (APPLICATION_PREFIX + "%",))
    return {r[0][len(APPLICATION_PREFIX):] for r in rows}


APPLICATION_PREFIX = "esacli follower "


# -- keys and users ------------------------------------------------------------
def key_ids(db: ClusterDB) -> set[str]:
    return {r[0] for r in db.rows("SELECT key_id FROM esacli.keys")}


def sealed_keys(db: ClusterDB, wanted: set[str]) -> dict[str, bytes]:
    if not wanted:
        return {}
    rows = db.rows("SELECT key_id, sealed FROM esacli.keys WHERE key_id = ANY(%s)",
                   (sorted(wanted),))
    return {kid: bytes(sealed) for kid, sealed in rows}


def put_key(db: ClusterDB, kid: str, sealed: bytes) -> None:
    db.run("INSERT INTO esacli.keys VALUES (%s, %s) ON CONFLICT (key_id) DO NOTHING",
           (kid, sealed))


def users(db: ClusterDB) -> dict[str, str]:
    return {name: hash_ for name, hash_ in db.rows("SELECT name, hash FROM esacli.users")}


def put_user(db: ClusterDB, name: str, password_hash: str) -> None:
    db.run("INSERT INTO esacli.users VALUES (%s, %s, extract(epoch FROM clock_timestamp()))"
           " ON CONFLICT (name) DO UPDATE SET hash = excluded.hash, updated = excluded.updated",
           (name, password_hash))
