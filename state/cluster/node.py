"""A cluster member: its local state, keys, and catching up with the cluster database.

`ClusterNode` is what everything else of a member works through: sessions
(session.py), operations (ops.py) and the follower (follower.py). Catching up
reads the heads of the machine's three levels (every version after the ones it
applied; only the newest of each level matters, since a level's version is
whole), opens the private keys they need, merges, validates and writes the
result into the local store as an ordinary version. The engine follows that.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from state import validate
from state.cluster import crypto, levels, members, messages
from state.cluster.db import ClusterDB, VersionRow, where
from state.cluster.errors import Offline, Unreachable, WrongCluster
from state.cluster.levels import Doc, Level
from state.cluster.local import Applied, LocalCluster, Membership
from state.errors import ConfigError, StoreError
from state.model import Config
from state.secrets import Secrets, hash_password
from state.store import Store

log = logging.getLogger("esacli.cluster")
SOURCE = "cluster"  # the source of local versions written from the cluster


class Removed(Exception):
    """This machine's row is gone from the cluster database (REMOVEMACHINE elsewhere)."""


@dataclass(frozen=True)
class Heads:
    machine: members.MachineRow
    cluster: VersionRow
    group: VersionRow
    own: VersionRow

    @property
    def numbers(self) -> tuple[int, int, int]:
        return (self.cluster.number, self.group.number, self.own.number)


class ClusterNode:
    def __init__(self, store: Store, secrets: Secrets, local: LocalCluster | None = None) -> None:
        self.store = store
        self.secrets = secrets
        self.data_dir = store.data_dir
        self.local = local if local is not None else LocalCluster(store.data_dir)

    def close(self) -> None:
        self.local.close()

    @property
    def membership(self) -> Membership:
        return self.local.membership()

    def connect(self, application: str = "esacli") -> ClusterDB:
        """A connection to the cluster database; Offline if an administrator
        disconnected this machine, Unreachable if the server cannot be reached,
        WrongCluster if the database there holds another cluster (or none)."""
        if self.local.link().admin_disconnected:
            raise Offline(messages.OFFLINE_OPERATION())
        db = ClusterDB(self.local.conninfo(), application)
        try:
            self.check_identity(db)
        except BaseException:
            db.close()
            raise
        return db

    def connect_for(self, level: Level) -> ClusterDB:
        """`connect` for a commit at `level`: Offline, with the level in its message."""
        try:
            return self.connect()
        except WrongCluster:
            raise
        except Offline:
            because = f" ({messages.ADMIN_DISCONNECTED})"
            raise Offline(messages.OFFLINE(mode=level.label, because=because)) from None
        except Unreachable as exc:  # in the server's words (no free connection slot, ...)
            raise Offline(messages.OFFLINE(mode=level.label, because=f" ({exc})")) from None

    def check_identity(self, db: ClusterDB) -> None:
        """WrongCluster unless the database holds this machine's cluster (an address
        that now reaches another cluster's database, or a database made anew, is not
        followed: its machines, users and levels are not this cluster's)."""
        row = members.cluster_row(db)
        known = self.local.identity()
        if row is not None and known is None:  # enrolled before identities were kept
            self.local.set_identity(row.created)
            return
        if row is None or row.created != known:
            found = messages.FOUND_CLUSTER.format(name=row.name) if row else messages.FOUND_NONE
            raise WrongCluster(messages.WRONG_CLUSTER(
                where=where(db.conninfo), found=found, name=self.membership.cluster))

    # -- keys ----------------------------------------------------------------------
    def pull_keys(self, db: ClusterDB, wanted: set[str]) -> None:
        """Open the sealed keys this machine lacks among `wanted` into its secrets area."""
        missing = {kid for kid in wanted if not self.secrets.has_key(kid)}
        if not missing:
            return
        cluster_key = self.local.cluster_key()
        for kid, sealed in members.sealed_keys(db, missing).items():
            self.secrets.put_key(crypto.open_key(cluster_key, kid, sealed))

    def push_keys(self, db: ClusterDB, wanted: set[str]) -> None:
        """Seal into the cluster database the keys among `wanted` it lacks and we hold."""
        missing = wanted - members.key_ids(db)
        cluster_key = self.local.cluster_key()
        for kid in sorted(missing):
            if self.secrets.has_key(kid):
                sealed_id, sealed = crypto.seal_key(cluster_key, self.secrets.load_key(kid))
                members.put_key(db, sealed_id, sealed)

    def sync_users(self, db: ClusterDB) -> None:
        """The shared user database into the local secrets area (hashes only)."""
        for user, line in members.users(db).items():
            if self.secrets.password_hash(user) != line:
                self.secrets.set_password_hash(line, user)

    def set_password(self, password: str, user: str = "admin") -> None:
        """Change a password cluster-wide (Offline or Unreachable: changed nowhere)."""
        self.set_password_hash(hash_password(password), user)

    def set_password_hash(self, line: str, user: str = "admin") -> None:
        """A hash made elsewhere (state.users.Accounts): the shared user database first,
        then this machine's copy; Offline or Unreachable: changed nowhere."""
        with self.connect() as db:
            members.put_user(db, user, line)
            db.notify()
        self.secrets.set_password_hash(line, user)

    # -- catching up -------------------------------------------------------------------
    def heads(self, db: ClusterDB) -> Heads:
        me = members.machine_by_id(db, self.membership.machine_id)
        if me is None:
            raise Removed()
        return Heads(me, db.head(self.membership.cluster_level), db.head(me.group_level),
                     db.head(me.level))

    def _follow_membership(self, me: members.MachineRow, cluster: str) -> None:
        m = self.membership
        if (cluster, me.name, me.group_id, me.group) != (m.cluster, m.machine, m.group_id,
                                                          m.group):
            self.local.set_membership(Membership(cluster, m.machine_id, me.name, me.group_id,
                                                 me.group))

    def catch_up(self, db: ClusterDB, wait: float | None = None) -> int | None:
        """Apply the heads of this machine's levels if they moved; the local version
        written (or already equal), None if nothing moved or they cannot be applied
        (or, with `wait`, when another applier held on longer than that)."""
        with self.local.applying(wait) as mine:
            return self._catch_up(db) if mine else None

    def _catch_up(self, db: ClusterDB) -> int | None:
        try:
            heads = self.heads(db)
        except StoreError as exc:  # a head's document cannot be read: said in clustercheck
            applied = self.local.applied()
            members.report_applied(db, self.membership.machine_id, applied.numbers,
                                   applied.group_id, str(exc))
            raise
        row = members.cluster_row(db)
        self._follow_membership(heads.machine, row.name if row else self.membership.cluster)
        applied = self.local.applied()
        if heads.numbers == applied.numbers and heads.machine.group_id == applied.group_id:
            if heads.machine.applied != applied.numbers or heads.machine.applied_error:
                members.report_applied(db, heads.machine.id, applied.numbers, applied.group_id, "")
            return self._reassert()
        docs = (heads.cluster.document, heads.group.document, heads.own.document)
        self.pull_keys(db, set().union(*(levels.key_ids(d) for d in docs)))
        config = levels.effective(*docs)
        errors = validate.validate(config, self.secrets, interfaces_optional=True)
        labels = self._labels(heads)
        if errors:
            reason = "; ".join(str(e) for e in errors)
            log.error(messages.LOG_NOT_APPLIED, self.membership.cluster, labels, reason)
            members.report_applied(db, heads.machine.id, applied.numbers, applied.group_id,
                                   reason)
            return None
        newest = max((heads.cluster, heads.group, heads.own), key=lambda v: v.number)
        number = self.write_local(config, newest.author or SOURCE, f"{labels}: {newest.comment}")
        self.local.set_applied(Applied(*heads.numbers, heads.machine.group_id, *docs))
        members.report_applied(db, heads.machine.id, heads.numbers, heads.machine.group_id, "")
        log.info(messages.LOG_APPLIED, self.membership.cluster, labels, number)
        return number

    def _reassert(self) -> int | None:
        """The local store is the applied copy: a version written there behind the
        cluster's back (a standalone session on a member) is replaced by what the
        cluster says, so a member never silently runs something else."""
        config = levels.effective(*self.local_docs())
        if self.store.load() == config:
            return None
        log.warning(messages.LOG_REASSERTED, self.membership.cluster)
        return self.write_local(config, SOURCE, messages.REASSERTED_COMMENT)

    def _labels(self, heads: Heads) -> str:
        return (f"{self.membership.cluster_level.label} v{heads.cluster.number}, "
                f"{heads.machine.group_level.label} v{heads.group.number}, "
                f"{heads.machine.level.label} v{heads.own.number}")

    def write_local(self, config: Config, author: str, comment: str) -> int:
        """`config` as the local store's head (a new version unless it already is)."""
        for _ in range(5):
            head = self.store.head_number()
            if head and self.store.load(head) == config:
                return head
            try:
                return self.store.write(config, head or None, author, SOURCE, comment).number
            except StoreError:
                continue  # a local commit landed in between: look again
        raise StoreError(messages.LOCAL_TOO_FAST())

    # -- offline --------------------------------------------------------------------
    def local_docs(self) -> tuple[Doc, Doc, Doc]:
        """The three levels as this machine last applied them, its offline machine-level
        commit (if one waits to be pushed) in place of its machine level."""
        applied = self.local.applied()
        outbox = self.local.outbox()
        machine = outbox.doc if outbox is not None else applied.machine_doc
        return applied.cluster_doc, applied.group_doc, machine

    def validate_local(self, machine_doc: Doc) -> list[ConfigError]:
        cluster, group, _ = self.local_docs()
        config = levels.effective(cluster, group, machine_doc)
        return validate.validate(config, self.secrets, interfaces_optional=True)
