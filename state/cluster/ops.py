"""What `clusterconfig` calls: create, join, probe; groups and machines.

Every operation that changes the cluster database is one transaction under the
commit lock, checked before it writes (a duplicate name, a wrong passphrase, an
unreachable server: a clear error from errors.py and nothing changed), and
NOTIFYs the members. Local files change only after the database has committed.
"""

from __future__ import annotations

from dataclasses import dataclass

from state import bindings, names, validate
from state.cluster import crypto, levels, local, members, messages
from state.cluster.db import ClusterDB
from state.cluster.errors import (
    AlreadyClustered,
    BadName,
    ClusterExists,
    GroupNotEmpty,
    NotClustered,
    RemoveSelf,
)
from state.cluster.levels import Kind, Level
from state.cluster.local import Applied, Membership
from state.cluster.node import ClusterNode
from state.errors import CommitRefused
from state.secrets import Secrets
from state.store import Store

CREATED = "Created the cluster {name}"
JOINED = "Joined the cluster {name}"
SOURCE_CREATE = "clusterconfig"


def check_name(name: str) -> str:
    if not names.is_name(name):
        raise BadName(messages.BAD_NAME(name=name))
    return name


def check_passphrase(passphrase: str) -> str:
    if len(passphrase) < crypto.MIN_PASSPHRASE:
        raise BadName(messages.SHORT_PASSPHRASE(length=crypto.MIN_PASSPHRASE))
    return passphrase


def _standalone(store: Store) -> None:
    if local.is_clustered(store.data_dir):
        here = local.LocalCluster(store.data_dir)
        try:
            name = here.membership().cluster
        finally:
            here.close()
        raise AlreadyClustered(messages.ALREADY_CLUSTERED(name=name))


def open_node(store: Store, secrets: Secrets) -> ClusterNode:
    """The member this data dir is; NotClustered if it is standalone."""
    if not local.is_clustered(store.data_dir):
        raise NotClustered(messages.NOT_CLUSTERED())
    return ClusterNode(store, secrets)


@dataclass(frozen=True)
class ClusterInfo:
    name: str
    groups: list[str]
    machines: list[str]


def probe(conninfo: str) -> ClusterInfo:
    """What a join dialog shows before asking the passphrase: Unreachable, NoCluster."""
    with ClusterDB(conninfo) as db:
        row = members.require_cluster(db)
        return ClusterInfo(row.name, [g.name for g in members.groups(db)],
                           [m.name for m in members.machines(db)])


def check_cluster_passphrase(conninfo: str, passphrase: str) -> None:
    """WrongPassphrase unless `passphrase` opens the cluster's key (the join dialog asks
    it once, before its confirmation); Unreachable, NoCluster as `probe`."""
    with ClusterDB(conninfo) as db:
        row = members.require_cluster(db)
    crypto.unwrap(row.key_salt, row.wrapped_key, passphrase)


def _push_users(db: ClusterDB, secrets: Secrets) -> None:
    for user in secrets.users():
        line = secrets.password_hash(user)
        if line:
            members.put_user(db, user, line)


def create(store: Store, secrets: Secrets, conninfo: str, cluster_name: str,
           machine_name: str, passphrase: str, user: str) -> ClusterNode:
    """A new cluster from this standalone appliance: its shared sections become the
    Cluster level, its machine-only ones its Machine level, in the default group."""
    _standalone(store)
    check_name(cluster_name)
    check_name(machine_name)
    check_passphrase(passphrase)
    shared, own = levels.split(store.load())
    cluster_key = crypto.new_cluster_key()
    salt, wrapped = crypto.wrap(cluster_key, passphrase)
    with ClusterDB(conninfo) as db, db.locked():
        if db.has_schema():
            existing = members.cluster_row(db)
            raise ClusterExists(messages.CLUSTER_EXISTS(
                name=existing.name if existing else ""))
        members.create_schema(db, cluster_name, salt, wrapped)
        created = members.require_cluster(db).created
        group = members.group(db, members.DEFAULT_GROUP)
        machine_id = members.add_machine(db, machine_name, group.id)
        comment = CREATED.format(name=cluster_name)
        top = db.insert_version(Level(Kind.CLUSTER, 0, cluster_name), 0, shared, user,
                                SOURCE_CREATE, machine_name, comment)
        mine = db.insert_version(Level(Kind.MACHINE, machine_id, machine_name), 0, own, user,
                                 SOURCE_CREATE, machine_name, comment)
        for kid in sorted(levels.key_ids(shared)):
            if secrets.has_key(kid):
                members.put_key(db, *crypto.seal_key(cluster_key, secrets.load_key(kid)))
        _push_users(db, secrets)
        applied = Applied(top.number, 0, mine.number, group.id, top.document, {}, mine.document)
        members.report_applied(db, machine_id, applied.numbers, group.id, "")
    membership = Membership(cluster_name, machine_id, machine_name, group.id, group.name)
    return ClusterNode(store, secrets, local.enrol(store.data_dir, membership, applied,
                                                  cluster_key, conninfo, created))


def join(store: Store, secrets: Secrets, conninfo: str, machine_name: str, group_name: str,
         passphrase: str, user: str, probe: bindings.Probe | None = None) -> ClusterNode:
    """This appliance joins a cluster: the cluster's shared settings replace its own,
    its machine-only settings become its Machine level. Refused with nothing written
    (WrongPassphrase, DuplicateName, UnknownName, CommitRefused) when it cannot: as a
    commit, also when a listener would newly listen where `probe` finds it cannot (the
    cluster's listeners name an interface that is another address on this machine)."""
    _standalone(store)
    check_name(machine_name)
    before = store.load()
    _, own = levels.split(before)
    with ClusterDB(conninfo) as db:
        row = members.require_cluster(db)
        cluster_key = crypto.unwrap(row.key_salt, row.wrapped_key, passphrase)
        with db.locked():
            group = members.group(db, group_name)
            machine_id = members.add_machine(db, machine_name, group.id)
            top, mid = (db.head(Level(Kind.CLUSTER, 0, row.name)), db.head(group.level))
            docs = (top.document, mid.document, own)
            _open_keys(db, secrets, cluster_key, docs)
            config = levels.effective(*docs)
            errors = validate.validate(config, secrets, interfaces_optional=True)
            if probe is not None:
                errors = [*errors, *bindings.bind_errors(before, config, probe)]
            if errors:
                raise CommitRefused(errors=errors)
            mine = db.insert_version(Level(Kind.MACHINE, machine_id, machine_name), 0, own,
                                     user, SOURCE_CREATE, machine_name,
                                     JOINED.format(name=row.name))
            applied = Applied(top.number, mid.number, mine.number, group.id, *docs[:2],
                              mine.document)
            members.report_applied(db, machine_id, applied.numbers, group.id, "")
            hashes = members.users(db)
    for name, line in hashes.items():  # the shared user database replaces the local one
        secrets.set_password_hash(line, name)
    membership = Membership(row.name, machine_id, machine_name, group.id, group.name)
    node = ClusterNode(store, secrets, local.enrol(store.data_dir, membership, applied,
                                                  cluster_key, conninfo, row.created))
    node.write_local(config, user, JOINED.format(name=row.name))
    return node


def _open_keys(db: ClusterDB, secrets: Secrets, cluster_key: bytes,
               docs: tuple[levels.Doc, ...]) -> None:
    """Every private key of the cluster into the secrets area (content-addressed files:
    a join refused later leaves only keys no version of this machine names)."""
    wanted = members.key_ids(db)
    for kid, sealed in members.sealed_keys(db, wanted).items():
        if not secrets.has_key(kid):
            secrets.put_key(crypto.open_key(cluster_key, kid, sealed))


# -- groups and machines (a member's clusterconfig) --------------------------------
def add_group(node: ClusterNode, name: str) -> None:
    check_name(name)
    with node.connect() as db, db.locked():
        members.add_group(db, name)
        db.notify()


def rename_group(node: ClusterNode, old: str, new: str) -> None:
    check_name(new)
    with node.connect() as db, db.locked():
        group = members.group(db, old)
        if old != new:
            members.group_name_free(db, new)
            db.run("UPDATE esacli.groups SET name = %s WHERE id = %s", (new, group.id))
        db.notify()


def delete_group(node: ClusterNode, name: str) -> None:
    with node.connect() as db, db.locked():
        group = members.group(db, name)
        inside = [m.name for m in members.machines(db) if m.group_id == group.id]
        if inside:
            raise GroupNotEmpty(messages.GROUP_NOT_EMPTY(name=name,
                                                                machines=", ".join(inside)))
        db.run("DELETE FROM esacli.confirmations WHERE level = 'group' AND scope = %s",
               (group.id,))
        db.run("DELETE FROM esacli.groups WHERE id = %s", (group.id,))
        db.notify()


def set_group(node: ClusterNode, machine: str, group: str) -> None:
    """Move a machine to another group: it then runs that group's level."""
    with node.connect() as db, db.locked():
        target = members.group(db, group)
        row = members.machine(db, machine)
        db.run("UPDATE esacli.machines SET group_id = %s WHERE id = %s", (target.id, row.id))
        db.notify()


def remove_machine(node: ClusterNode, machine: str) -> None:
    """Remove another machine (it goes on as a standalone appliance on what it runs)."""
    if machine == node.membership.machine:
        raise RemoveSelf(messages.REMOVE_SELF(name=machine))
    with node.connect() as db, db.locked():
        row = members.machine(db, machine)
        db.run("DELETE FROM esacli.confirmations WHERE level = 'machine' AND scope = %s",
               (row.id,))
        db.run("DELETE FROM esacli.machines WHERE id = %s", (row.id,))
        db.notify()


def set_machine_name(node: ClusterNode, old: str, new: str) -> None:
    check_name(new)
    with node.connect() as db, db.locked():
        row = members.machine(db, old)
        if old != new:
            members.machine_name_free(db, new)
            db.run("UPDATE esacli.machines SET name = %s WHERE id = %s", (new, row.id))
        db.notify()
    if row.id == node.membership.machine_id:
        m = node.membership
        node.local.set_membership(Membership(m.cluster, m.machine_id, new, m.group_id, m.group))


def set_cluster_name(node: ClusterNode, new: str) -> None:
    """Rename the cluster (its level keeps its identity; members follow the name)."""
    check_name(new)
    with node.connect() as db, db.locked():
        db.run("UPDATE esacli.cluster SET name = %s", (new,))
        db.notify()
    m = node.membership
    node.local.set_membership(Membership(new, m.machine_id, m.machine, m.group_id, m.group))


def modes(node: ClusterNode) -> list[Level]:
    """Every mode `clustermode` offers: the cluster, each group, each machine (by name)."""
    with node.connect() as db:
        groups = [g.level for g in members.groups(db)]
        machines = [m.level for m in members.machines(db)]
    return [node.membership.cluster_level, *groups, *machines]


def mode(node: ClusterNode, kind: Kind, name: str = "") -> Level:
    """The level `clustermode cluster|group NAME|machine NAME` names; UnknownName if none.

    This machine's own levels are known offline too (from its local state)."""
    m = node.membership
    own = {Kind.CLUSTER: m.cluster_level, Kind.GROUP: m.group_level,
           Kind.MACHINE: m.machine_level}[kind]
    if kind is Kind.CLUSTER or name == own.name:
        return own
    with node.connect() as db:
        if kind is Kind.GROUP:
            return members.group(db, name).level
        return members.machine(db, name).level
