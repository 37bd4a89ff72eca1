"""LevelSession: a CLI session's candidate at one level of a cluster (the commit model).

The same surface as `state.session.Session` (candidate, stage, pending, changes,
showchanges, clear, check, verify, commit, confirm, rollback), plus what the
levels add: `defines`, `start_empty`, `copy_from`, `undefine` (the NOTICE dialogs
of reference §10), `history` and `confirmation` of the level.

The candidate is a whole Config (so every configuration dialog works unchanged):
the level's view (levels.view). What the session keeps and commits is the level's
document; `showchanges` and conflicts name the same paths as a standalone's.

While the cluster database is unreachable a session on this machine's own levels
starts from what the machine last applied; commits at Cluster or Group level are
refused (Offline), and a Machine-level commit that changes only machine-only
settings is applied locally at once and pushed on reconnect (follower.py).
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from typing import Any

from state import certs, diff, users
from state.bindings import Probe
from state.cluster import commit as level_commit
from state.cluster import levels, members, messages
from state.cluster.db import ClusterDB
from state.cluster.errors import (
    ClusterError,
    Faulted,
    Offline,
    Uncertain,
    UnknownName,
    Unreachable,
)
from state.cluster.levels import Doc, Kind, Level
from state.cluster.local import Outbox
from state.cluster.node import ClusterNode
from state.cluster.sections import Sections
from state.errors import CommitRefused, ConfigError, StoreError
from state.model import Config
from state.session import AUTO_USER, ROLLBACK_SOURCE, CommitResult, ConfirmationEnded
from state.store import Confirmation, VersionInfo

log = logging.getLogger("esacli.cluster")
APPLY_WAIT = 2.0  # s a commit waits to apply itself while the follower applies (it then will)


@dataclass(frozen=True)
class LevelCommit(CommitResult):
    offline: bool = False  # applied locally, waiting to be pushed to the cluster


@dataclass(frozen=True)
class _Layers:
    base: int
    doc: Doc
    cluster: Doc
    group: Doc
    machine: Doc
    group_level: Level  # the group whose level lies between this one and the cluster's


class LevelSession(Sections):
    def __init__(self, node: ClusterNode, level: Level, user: str, source: str, *,
                 enforce_role: bool = False, on_password: users.PasswordHook | None = None,
                 ) -> None:
        self.node = node
        self.level = level
        self.user = user
        self.source = source
        self.store = node.store
        self.secrets = node.secrets
        # the role, as on a standalone appliance, from the configuration this machine runs
        self._gate = users.RoleGate(node.store.load, user, enforce_role)
        self.accounts = users.Accounts(node.secrets, node.store.load, on_password)
        self._passwords: dict[str, str] = {}  # user -> hash, stored when the commit is
        # level versions are numbered apart from the local store's: commitdetail shows
        # the local head (what this machine applied)
        self.last_commit: int | None = None
        self._awaiting: int | None = None  # this session's commit confirmed, waiting
        self._reload()

    # -- the level's documents ---------------------------------------------------
    def _reload(self) -> None:
        try:
            with self.node.connect() as db:
                layers = self._layers_online(db)
        except (Offline, Unreachable):
            layers = self._layers_offline()
        except StoreError:  # a level's document the database holds cannot be read (made
            if not self._own():  # by hand): this machine's modes show what it runs, so a
                raise            # login never fails; a commit says why it cannot
            layers = self._layers_offline()
        self._layers = layers
        self._shown: tuple[Doc, Config] | None = None
        self.base = layers.base
        self._base_doc = layers.doc
        self._doc = layers.doc

    def refresh(self) -> None:
        """Start again from the level's head as it is now, unless changes are pending."""
        if not self.pending:
            self._reload()

    def _own(self) -> bool:
        m = self.node.membership
        return self.level in (m.cluster_level, m.group_level, m.machine_level)

    def _layers_online(self, db: ClusterDB) -> _Layers:
        m = self.node.membership
        viewer = m.machine_level
        group = m.group_level
        if self.level.kind is Kind.MACHINE and self.level.scope != m.machine_id:
            row = members.machine_by_id(db, self.level.scope)
            if row is None:
                raise UnknownName(messages.UNKNOWN_MACHINE(name=self.level.name))
            viewer, group = row.level, row.group_level
        elif self.level.kind is Kind.GROUP:
            group = self.level
        head = db.head(self.level)
        return _Layers(head.number, head.document, db.head(m.cluster_level).document,
                       db.head(group).document, db.head(viewer).document, group)

    def _layers_offline(self) -> _Layers:
        if not self._own():
            raise Offline(messages.OFFLINE_OPERATION())
        applied = self.node.local.applied()
        cluster, group, machine = self.node.local_docs()
        number = {Kind.CLUSTER: applied.cluster, Kind.GROUP: applied.group,
                  Kind.MACHINE: applied.machine}[self.level.kind]
        doc = {Kind.CLUSTER: cluster, Kind.GROUP: group, Kind.MACHINE: machine}[self.level.kind]
        return _Layers(number, doc, cluster, group, machine, self.node.membership.group_level)

    def _view(self, doc: Doc) -> Config:
        cluster, group, machine = self._layers.cluster, self._layers.group, self._layers.machine
        if self.level.kind is Kind.CLUSTER:
            cluster = doc
        elif self.level.kind is Kind.GROUP:
            group = doc
        else:
            machine = doc
        return levels.view(self.level.kind, cluster, group, machine)

    # -- the Session surface --------------------------------------------------------
    @property
    def candidate(self) -> Config:
        if self._shown is None or self._shown[0] is not self._doc:
            self._shown = (self._doc, self._view(self._doc))  # dialogs read it often
        return self._shown[1]

    @property
    def document(self) -> Doc:
        """The level's candidate document (the sections it defines)."""
        return dict(self._doc)

    @property
    def role(self) -> users.Role | None:
        return self._gate.role

    def may(self, act: users.Act) -> bool:
        return self._gate.may(act)

    def stage(self, config: Config) -> None:
        if config != self.candidate:
            self._gate.require(users.Act.CHANGE)
        if users.touches_accounts(self.candidate, config):
            self._gate.require(users.Act.ACCOUNTS)
        self._doc = levels.normalise(levels.stage(self._doc, self.candidate, config))

    def stage_password(self, user: str, password_hash: str) -> None:
        """A password for `user`'s account, stored (in the cluster's user database too)
        when this session commits."""
        self._gate.require(users.Act.CHANGE)
        self._gate.require(users.Act.ACCOUNTS)
        self._passwords[user] = password_hash

    @property
    def staged_passwords(self) -> dict[str, str]:
        return dict(self._passwords)

    @property
    def pending(self) -> bool:
        return self._doc != self._base_doc or bool(self._passwords)

    def changes(self) -> list[diff.Change]:
        return diff.tree_changes(self._base_doc, self._doc)

    def showchanges(self) -> dict[str, Any]:
        return {self.level.label: {"": {c.path: c.new for c in self.changes()}}}

    def clear(self) -> None:
        self._doc = self._base_doc
        self._passwords = {}

    # -- checking and committing ---------------------------------------------------------
    def check(self) -> list[ConfigError]:
        try:
            with self.node.connect() as db:
                return level_commit.validate_level(db, self.node, self.level, self._doc)
        except (Offline, Unreachable):
            return levels.misplaced(self.level.kind, self._doc) + self._offline_errors()

    def _offline_errors(self) -> list[ConfigError]:
        if self.level.kind is not Kind.MACHINE:
            return []
        return self.node.validate_local(self._doc)

    def put_key(self, key: certs.PrivateKey) -> str:
        """Store a profile's private key locally; a commit seals it into the cluster."""
        return self.secrets.put_key(key)

    def close(self) -> None:
        self.clear()

    def verify(self, probe: Probe | None = None) -> list[str]:
        """`commit check`: the paths a commit would merge in; CommitRefused like commit.
        (Listener addresses are not test-bound: a level reaches other machines' sockets;
        a machine that cannot bind one reports the listener failed in its status.)"""
        try:
            db = self.node.connect_for(self.level)
        except Offline as offline:
            self._offline_allowed(None, offline)
            self._check_offline()
            return []
        with db, db.locked():
            head = db.head(self.level)
            target, merged = level_commit.merged_target(head, self.base, self._base_doc, self._doc)
            errors = level_commit.validate_level(db, self.node, self.level, target)
        if errors:
            raise CommitRefused(errors=errors)
        return merged

    def preview(self) -> tuple[Config, Config]:
        """(what this mode runs now, what it would run after a commit), for commit's dry
        run; CommitRefused on conflicts, like commit. Offline: against the applied view."""
        try:
            db = self.node.connect_for(self.level)
        except (Offline, Unreachable):  # (WrongCluster: the commit says why)
            return self._view(self._base_doc), self.candidate
        try:
            with db:
                head = db.head(self.level)
                target, _ = level_commit.merged_target(head, self.base, self._base_doc,
                                                       self._doc)
        except (Unreachable, StoreError):  # lost, refused, or a head made by hand: the
            return self._view(self._base_doc), self.candidate  # commit says why
        return self._view(head.document), self._view(target)

    def _offline_allowed(self, confirm_until: float | None, offline: Offline) -> None:
        """Offline: only a plain commit of machine-only settings at this machine's level
        (else `offline`, which says why the database is out of reach)."""
        if self.level != self.node.membership.machine_level:
            raise offline
        if confirm_until is not None:
            raise Offline(messages.OFFLINE_CONFIRMED())
        shared = sorted(levels.changed_sections(self._base_doc, self._doc) - levels.MACHINE_ONLY)
        if shared:
            raise Offline(messages.OFFLINE_SHARED(sections=", ".join(shared)))

    def _check_offline(self) -> None:
        errors = self._offline_errors()
        if errors:
            raise CommitRefused(errors=errors)

    def commit(self, comment: str, *, confirm_until: float | None = None,
               probe: Probe | None = None) -> LevelCommit | None:
        if not self.pending:
            return None
        self._gate.require(users.Act.COMMIT)
        if self._passwords:
            self._gate.require(users.Act.ACCOUNTS)
        try:
            db = self.node.connect_for(self.level)
        except Offline as offline:
            self._offline_allowed(confirm_until, offline)
            return self._commit_offline(comment)
        try:
            with db:
                written = level_commit.write_level(
                    db, self.node, self.level, self.base, self._base_doc, self._doc, self.user,
                    self.source, comment, confirm_until=confirm_until)
        except (Faulted, Uncertain):  # the server's own error (rolled back); or lost
            raise                      # while it committed: it says so
        except Unreachable as exc:  # lost in the transaction: rolled back (or, lost at
            # the very instant of COMMIT, committed: the next catch-up shows it either way)
            because = f" ({exc})"
            raise Offline(messages.OFFLINE(mode=self.level.label, because=because)) from None
        row = written.row
        self.base, self._base_doc, self._doc = row.number, row.document, row.document
        if written.confirmed is not None and written.confirmed.version == self._awaiting:
            self._awaiting = None
        if confirm_until is not None:
            self._awaiting = row.number
        self._apply_here()
        self._store_passwords()
        info = VersionInfo(row.number, row.parent, row.author, row.source, row.time, row.comment)
        return LevelCommit(info=info, merged=written.merged, confirmed=written.confirmed)

    def _store_passwords(self) -> None:
        for user, line in self._passwords.items():
            self.accounts.set_hash(user, line)
        self._passwords = {}

    def _apply_here(self) -> None:
        """This machine runs a commit made on it at once (its follower would, one NOTIFY
        later; it then finds nothing to do). The commit stands whatever happens here."""
        if not self._own():
            return
        try:
            with self.node.connect() as db:
                self.node.catch_up(db, wait=APPLY_WAIT)
        except (ClusterError, StoreError) as exc:
            log.warning("cluster %s: the commit is applied by the follower: %s",
                        self.node.membership.cluster, exc)

    def _commit_offline(self, comment: str) -> LevelCommit:
        self._check_offline()
        local = self.node.local
        box = local.outbox()
        applied = local.applied()
        local.put_outbox(Outbox(
            base=box.base if box else applied.machine,
            base_doc=box.base_doc if box else applied.machine_doc,
            doc=self._doc, author=self.user,
            comments=(box.comments if box else ()) + (comment,), time=time.time()))
        cluster, group, machine = self.node.local_docs()
        number = self.node.write_local(levels.effective(cluster, group, machine), self.user,
                                       f"{self.level.label} (offline): {comment}")
        self._base_doc = self._doc
        info = self.store.info(number)
        return LevelCommit(info=info, offline=True)

    def confirm(self) -> Confirmation | None:
        try:
            with self.node.connect() as db:
                confirmed = level_commit.confirm(db, self.level, self.user)
        except (Offline, Unreachable):
            return None
        if confirmed is not None and confirmed.version == self._awaiting:
            self._awaiting = None
        return confirmed

    def confirmation_ended(self) -> ConfirmationEnded | None:
        """Once, when this session's confirmed commit stopped waiting by someone else's
        doing (confirmed elsewhere, or rolled back by whichever machine noticed first)."""
        version = self._awaiting
        if version is None:
            return None
        try:
            with self.node.connect() as db:
                pending = db.confirmation(self.level)
                later = db.history(self.level, 10)
        except (Offline, Unreachable):
            return None
        if pending is not None and Confirmation(*pending).version == version:
            return None
        self._awaiting = None
        rolled_back = any(r.number > version and r.author == AUTO_USER
                          and r.source == ROLLBACK_SOURCE for r in later)
        return ConfirmationEnded(version, rolled_back)

    def confirmation(self) -> Confirmation | None:
        """The level's confirmed commit waiting for confirmation, if any."""
        try:
            with self.node.connect() as db:
                pending = db.confirmation(self.level)
        except (Offline, Unreachable):
            return None
        return Confirmation(*pending) if pending else None

    # -- history ------------------------------------------------------------------------
    def history(self, limit: int = 10) -> list[VersionInfo]:
        with self.node.connect() as db:
            rows = db.history(self.level, limit)
        return [VersionInfo(r.number, r.parent, r.author, r.source, r.time, r.comment)
                for r in rows]

    def rollback_points(self, limit: int = 10) -> list[VersionInfo]:
        """As history: operational commands write no level versions on a member."""
        return self.history(limit)

    def load(self, number: int) -> Config:
        """The view of this level as version `number` had it (rollbackconfig shows it)."""
        return self._view(self._version_doc(number))

    def _version_doc(self, number: int) -> Doc:
        with self.node.connect() as db:
            row = db.version(number)
        if (row is None or not row.number or row.level is not self.level.kind
                or row.scope != self.level.scope):
            raise CommitRefused(errors=[ConfigError("version", messages.NO_LEVEL_VERSION(
                number=number, level=self.level.label))])
        return row.document

    def rollback(self, number: int, comment: str, probe: Probe | None = None) -> LevelCommit:
        """A new version of this level whose document is version `number`'s."""
        self._gate.require(users.Act.COMMIT)
        target = self._version_doc(number)
        self._reload()  # over the head as it is now: the result is exactly `target`
        if users.touches_accounts(self._view(self._base_doc), self._view(target)):
            self._gate.require(users.Act.ACCOUNTS)  # (as in state/session.py)
        with self.node.connect_for(self.level) as db:
            written = level_commit.write_level(
                db, self.node, self.level, self.base, self._base_doc, target, self.user,
                ROLLBACK_SOURCE, comment)
            result = written.row
        self.base, self._base_doc, self._doc = result.number, result.document, result.document
        self._apply_here()
        if written.confirmed is not None and written.confirmed.version == self._awaiting:
            self._awaiting = None  # a rollback by the same user confirms, as a commit does
        info = VersionInfo(result.number, result.parent, result.author, result.source,
                           result.time, result.comment)
        return LevelCommit(info=info, confirmed=written.confirmed)
