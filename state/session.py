"""A CLI session's candidate configuration over a base version (the commit model)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from state import bindings, certs, diff, messages, operations, pending, users, validate
from state.bindings import Probe
from state.errors import CommitRefused, ConfigError, StoreError
from state.model import Config
from state.secrets import Secrets
from state.store import Confirmation, Store, VersionInfo

ROLLBACK_SOURCE = "rollback"
OPERATIONAL_SPAN = 10  # rollback_points looks this many times further back, past them
# How showchanges shows a password staged for an account (the hash never appears).
PASSWORD_CHANGED = "********"
AUTO_USER = "system"  # the author of automatic rollbacks (state/confirm.py) in the history


@dataclass(frozen=True)
class ConfirmationEnded:
    """This session's `commit confirmed` stopped waiting without this session confirming
    it: confirmed by another session of the same user, or rolled back by the timer."""

    version: int
    rolled_back: bool


@dataclass(frozen=True)
class CommitResult:
    info: VersionInfo
    merged: list[str] = field(default_factory=list)  # paths that came in from other commits
    confirmed: Confirmation | None = None  # this user's confirmed commit, now confirmed


class Session:
    """One candidate per CLI session; invisible to everyone else until `commit`.

    With `enforce_role` (a remote login: SSH) the user's role in the committed
    configuration is checked at every stage and at commit (state.users); the local
    console and tools working on the data dir are the machine's owner and are not.
    """

    def __init__(self, store: Store, secrets: Secrets, user: str, source: str, *,
                 enforce_role: bool = False) -> None:
        self.store = store
        self.secrets = secrets
        self.user = user
        self.source = source
        self.enforce_role = enforce_role
        self._gate = users.RoleGate(store.load, user, enforce_role)
        self.accounts = users.Accounts(secrets, store.load)
        self._passwords: dict[str, str] = {}  # user -> hash, stored when the commit is
        self.last_commit: int | None = None  # the version this session wrote last
        self.base = store.head_number()
        self._base_config = store.load(self.base)
        self._candidate = self._base_config
        self._new_keys: dict[str, int] = {}  # key id -> the head when this session stored it
        self._awaiting: int | None = None  # the version of this session's commit confirmed

    @property
    def candidate(self) -> Config:
        return self._candidate

    @property
    def role(self) -> users.Role | None:
        """The user's role in the committed configuration (None: no such account)."""
        return self._gate.role

    def may(self, act: users.Act) -> bool:
        return self._gate.may(act)

    def _require(self, act: users.Act) -> None:
        self._gate.require(act)

    def stage(self, config: Config) -> None:
        """Replace the candidate with an edited copy (AccessRefused for a role that may
        not change anything: the candidate stays as it was)."""
        if config != self._candidate:
            self._require(users.Act.CHANGE)
        if users.touches_accounts(self._candidate, config):
            self._require(users.Act.ACCOUNTS)
        self._candidate = config

    def stage_password(self, user: str, password_hash: str) -> None:
        """A password for `user`'s account, stored when this session commits."""
        self._require(users.Act.CHANGE)
        self._require(users.Act.ACCOUNTS)
        self._passwords[user] = password_hash

    @property
    def staged_passwords(self) -> dict[str, str]:
        return dict(self._passwords)

    @property
    def pending(self) -> bool:
        return self._candidate != self._base_config or bool(self._passwords)

    def changes(self) -> list[diff.Change]:
        return diff.changes(self._base_config, self._candidate)

    def showchanges(self) -> dict[str, Any]:
        """The pending changes as the appliance prints them (§2.1)."""
        shown = pending.shown(self._base_config, self._candidate)
        shown.update({f"users[{u}].password": PASSWORD_CHANGED for u in sorted(self._passwords)})
        return {"standalone": {"": shown}}

    def clear(self) -> None:
        self._candidate = self._base_config
        self._passwords = {}

    def put_key(self, key: certs.PrivateKey) -> str:
        """Store the private key of a profile about to be staged; returns its id. A key
        this session adds is removed again by `close` unless a committed version names it."""
        kid = certs.key_id(key)
        if not self.secrets.has_key(kid):
            self._new_keys.setdefault(kid, self.store.head_number())
        return self.secrets.put_key(key)

    def close(self) -> None:
        """The session ends (exit, end of input, dropped connection): its staged changes
        go, and so does every key it stored that no version committed since names."""
        if self._new_keys:
            since = min(self._new_keys.values())
            named = {c.key_id for n in range(since + 1, self.store.head_number() + 1)
                     for c in self.store.load(n).certificates}
            for kid in set(self._new_keys) - named:
                self.secrets.remove_key(kid)
        self._new_keys = {}
        self.clear()

    def check(self) -> list[ConfigError]:
        return validate.validate(self._candidate, self.secrets)

    def commit(self, comment: str, *, confirm_until: float | None = None,
               probe: Probe | None = None) -> CommitResult | None:
        """Merge with the head if it moved, validate all, write one version.

        Returns None when nothing is pending; raises CommitRefused (nothing
        written, candidate kept) on conflicts or validation errors, including a
        listener address `probe` cannot bind. The write confirms this user's
        waiting confirmed commit; with `confirm_until` it starts a new one
        (ConfirmationPending if one is already waiting).
        """
        if not self.pending:
            return None
        self._require(users.Act.COMMIT)
        for _ in range(5):
            try:
                return self._commit_once(comment, confirm_until, probe)
            except StoreError:
                continue  # another process committed between our read and write
        raise StoreError(messages.CHANGING_TOO_FAST())

    def _merged(self) -> tuple[int, Config, list[str]]:
        """The head, and the candidate merged onto it (CommitRefused on conflicts)."""
        head = self.store.head_number()
        if head == self.base:
            return head, self._candidate, []
        result = diff.merge(self._base_config, self.store.load(head), self._candidate)
        if result.conflicts:
            raise CommitRefused(conflicts=result.conflicts)
        return head, result.config, result.incoming

    def preview(self) -> tuple[Config, Config]:
        """(the head, what a commit would write now): the candidate merged onto the head.
        CommitRefused on conflicts, like commit; nothing is validated or written."""
        head, target, _ = self._merged()
        return self.store.load(head), target

    def verify(self, probe: Probe | None = None) -> list[str]:
        """`commit check`: what commit would do, writing nothing.

        Returns the paths a commit would merge in; raises CommitRefused like commit.
        """
        head, target, merged_paths = self._merged()
        self._validate(head, target, probe)
        return merged_paths

    def _validate(self, head: int, target: Config, probe: Probe | None) -> None:
        """CommitRefused unless `target` is valid and (with a probe) every address it
        would newly listen on can be bound."""
        errors = validate.validate(target, self.secrets)
        if not errors and probe is not None:
            errors = bindings.bind_errors(self.store.load(head), target, probe)
        if errors:
            raise CommitRefused(errors=errors)

    def _commit_once(self, comment: str, confirm_until: float | None,
                     probe: Probe | None) -> CommitResult:
        head, target, merged_paths = self._merged()
        if self._passwords or users.touches_accounts(self.store.load(head), target):
            self._require(users.Act.ACCOUNTS)
        self._validate(head, target, probe)
        return self._write(target, head, self.source, comment, confirm_until, merged_paths)

    def _write(
        self, target: Config, head: int, source: str, comment: str,
        confirm_until: float | None = None, merged_paths: list[str] | None = None,
    ) -> CommitResult:
        waiting = self.store.confirmation()
        info = self.store.write(target, head, self.user, source, comment,
                                confirm_until=confirm_until)
        self.base, self._base_config, self._candidate = info.number, target, target
        self.last_commit = info.number
        self._store_passwords(target)
        confirmed = waiting if waiting is not None and waiting.user == self.user else None
        if confirmed is not None and confirmed.version == self._awaiting:
            self._awaiting = None
        if confirm_until is not None:
            self._awaiting = info.number
        return CommitResult(info=info, merged=merged_paths or [], confirmed=confirmed)

    def confirmation(self) -> Confirmation | None:
        """The confirmed commit waiting for confirmation, if any."""
        return self.store.confirmation()

    def history(self, limit: int = 10) -> list[VersionInfo]:
        return self.store.history(limit)

    def rollback_points(self, limit: int = 10) -> list[VersionInfo]:
        """The last `limit` versions a rollback may go to: the operational commands'
        are left out (suspenddel & co.: they would fill the list, and a rollback keeps
        the operational state as it is anyway)."""
        found = [v for v in self.store.history(limit * OPERATIONAL_SPAN)
                 if not operations.is_operational(v.source)]
        return found[:limit]

    def load(self, number: int) -> Config:
        """Version `number` as a whole configuration (rollbackconfig shows it)."""
        return self.store.load(number)

    def _store_passwords(self, after: Config) -> None:
        """After a write: the staged passwords of the accounts it has. (A deleted
        account's hash may stay: logins need an account, a rollback that brings it back
        brings its password back too, and a new account of that name gets a new one.)"""
        for user, line in self._passwords.items():
            if users.account(after, user) is not None:
                self.accounts.set_hash(user, line)
        self._passwords = {}

    def confirm(self) -> Confirmation | None:
        """A plain commit with nothing pending: confirm this user's confirmed commit."""
        confirmed = self.store.confirm(self.user)
        if confirmed is not None and confirmed.version == self._awaiting:
            self._awaiting = None
        return confirmed

    def confirmation_ended(self) -> ConfirmationEnded | None:
        """Once, when this session's confirmed commit has stopped waiting by someone
        else's doing (the shell says so at its next prompt)."""
        version = self._awaiting
        if version is None:
            return None
        pending = self.store.confirmation()
        if pending is not None and pending.version == version:
            return None
        self._awaiting = None
        later = self.store.history(self.store.head_number() - version)
        rolled_back = any(v.user == AUTO_USER and v.source == ROLLBACK_SOURCE for v in later)
        return ConfirmationEnded(version, rolled_back)

    def rollback(self, number: int, comment: str, probe: Probe | None = None) -> CommitResult:
        """Write a new version whose content is version `number`'s (history stays).

        Validated like any commit; the session's candidate becomes the new head.
        """
        self._require(users.Act.COMMIT)
        head = self.store.load(self.store.head_number())
        target = operations.keep_operational(head, self.store.load(number))
        if users.touches_accounts(head, target):
            self._require(users.Act.ACCOUNTS)  # or an Operator's rollback would undo a demotion
        self._validate(self.store.head_number(), target, probe)
        for _ in range(5):
            try:
                return self._write(target, self.store.head_number(), ROLLBACK_SOURCE, comment)
            except StoreError:
                continue  # another commit landed between reading the head and writing
        raise StoreError(messages.CHANGING_TOO_FAST())
