"""What a member can tell about the cluster: LIST, CONNSTATUS, clustercheck;
and DISCONNECT / RECONNECT of this machine (kept in its local state)."""

from __future__ import annotations

from dataclasses import dataclass

from state.cluster import members, messages
from state.cluster.db import where
from state.cluster.levels import Kind, Level
from state.cluster.local import Link
from state.cluster.node import ClusterNode


@dataclass(frozen=True)
class MachineStatus:
    name: str
    group: str
    connected: bool  # its follower holds a connection to the cluster database now
    applied: tuple[int, int, int]  # cluster, group, machine versions it runs
    applied_at: float | None
    error: str  # why it cannot apply the heads, "" if it can
    this: bool  # the machine this call runs on


@dataclass(frozen=True)
class Connection:
    """CONNSTATUS of this machine (from its local state: readable while offline)."""

    cluster: str
    machine: str
    group: str
    server: str  # host:port/dbname, never the password
    connected: bool
    since: float
    reason: str  # why it is disconnected
    admin_disconnected: bool
    offline_commit: bool  # a Machine-level commit waits to be pushed
    push_error: str  # paths of the last offline commit the cluster refused


@dataclass(frozen=True)
class Inconsistency:
    """clustercheck: a machine whose applied versions differ from the heads, and why."""

    machine: str
    group: str
    applied: tuple[int, int, int]
    heads: tuple[int, int, int]
    reason: str


def machines(node: ClusterNode) -> list[MachineStatus]:
    me = node.membership.machine_id
    with node.connect() as db:
        connected = members.connected_names(db)
        rows = members.machines(db)
    return [MachineStatus(m.name, m.group, m.name in connected, m.applied, m.applied_at,
                          m.applied_error, m.id == me) for m in rows]


def connection(node: ClusterNode) -> Connection:
    m = node.membership
    link: Link = node.local.link()
    return Connection(m.cluster, m.machine, m.group, where(node.local.conninfo()),
                      link.connected and not link.admin_disconnected, link.since,
                      messages.ADMIN_DISCONNECTED if link.admin_disconnected else link.reason,
                      link.admin_disconnected, node.local.outbox() is not None, link.push_error)


def check(node: ClusterNode) -> list[Inconsistency]:
    """Every machine not running the heads of its levels; [] when all are consistent."""
    found = []
    with node.connect() as db:
        connected = members.connected_names(db)
        cluster_head = db.head_number(Level(Kind.CLUSTER, 0, ""))
        for m in members.machines(db):  # numbers only: a document made by hand cannot
            # stop it (the machine's error then says why it does not apply it)
            heads = (cluster_head, db.head_number(m.group_level), db.head_number(m.level))
            if m.applied == heads and m.applied_group_id == m.group_id:
                continue
            found.append(Inconsistency(m.name, m.group, m.applied, heads, _why(m, heads,
                                                                             connected)))
    return found


def _why(m: members.MachineRow, heads: tuple[int, int, int], connected: set[str]) -> str:
    if m.applied_error:
        return messages.CHECK_ERROR.format(error=m.applied_error)
    if m.name not in connected:
        return messages.CHECK_DISCONNECTED
    applied = "/".join(str(n) for n in m.applied)
    return messages.CHECK_BEHIND.format(applied=applied, head="/".join(str(n) for n in heads))


def disconnect(node: ClusterNode) -> None:
    """Stop following the cluster (the follower lets go within a second); this machine
    keeps serving on what it runs, and commits at Cluster and Group level are refused."""
    node.local.set_admin_disconnected(True)


def reconnect(node: ClusterNode) -> None:
    """Follow the cluster again; Unreachable if the cluster database cannot be reached
    now (the follower keeps trying)."""
    node.local.set_admin_disconnected(False)
    node.connect().close()
