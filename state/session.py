"""A CLI session's candidate configuration over a base version (commit-model.md)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from state import bindings, diff, validate
from state.bindings import Probe
from state.errors import CommitRefused, ConfigError, StoreError
from state.model import Config
from state.secrets import Secrets
from state.store import Confirmation, Store, VersionInfo

ROLLBACK_SOURCE = "rollback"


@dataclass(frozen=True)
class CommitResult:
    info: VersionInfo
    merged: list[str] = field(default_factory=list)  # paths that came in from other commits
    confirmed: Confirmation | None = None  # this user's confirmed commit, now confirmed


class Session:
    """One candidate per CLI session; invisible to everyone else until `commit`."""

    def __init__(self, store: Store, secrets: Secrets, user: str, source: str) -> None:
        self.store = store
        self.secrets = secrets
        self.user = user
        self.source = source
        self.base = store.head_number()
        self._base_config = store.load(self.base)
        self._candidate = self._base_config

    @property
    def candidate(self) -> Config:
        return self._candidate

    def stage(self, config: Config) -> None:
        """Replace the candidate with an edited copy."""
        self._candidate = config

    @property
    def pending(self) -> bool:
        return self._candidate != self._base_config

    def changes(self) -> list[diff.Change]:
        return diff.changes(self._base_config, self._candidate)

    def showchanges(self) -> dict[str, Any]:
        """The pending changes as the appliance prints them (§2.1)."""
        return {"standalone": {"": {c.path: c.new for c in self.changes()}}}

    def clear(self) -> None:
        self._candidate = self._base_config

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
        for _ in range(5):
            try:
                return self._commit_once(comment, confirm_until, probe)
            except StoreError:
                continue  # another process committed between our read and write
        raise StoreError("the configuration is changing too fast; try again")

    def _merged(self) -> tuple[int, Config, list[str]]:
        """The head, and the candidate merged onto it (CommitRefused on conflicts)."""
        head = self.store.head_number()
        if head == self.base:
            return head, self._candidate, []
        result = diff.merge(self._base_config, self.store.load(head), self._candidate)
        if result.conflicts:
            raise CommitRefused(conflicts=result.conflicts)
        return head, result.config, result.incoming

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
        confirmed = waiting if waiting is not None and waiting.user == self.user else None
        return CommitResult(info=info, merged=merged_paths or [], confirmed=confirmed)

    def confirm(self) -> Confirmation | None:
        """A plain commit with nothing pending: confirm this user's confirmed commit."""
        return self.store.confirm(self.user)

    def rollback(self, number: int, comment: str, probe: Probe | None = None) -> CommitResult:
        """Write a new version whose content is version `number`'s (history stays).

        Validated like any commit; the session's candidate becomes the new head.
        """
        target = self.store.load(number)
        self._validate(self.store.head_number(), target, probe)
        for _ in range(5):
            try:
                return self._write(target, self.store.head_number(), ROLLBACK_SOURCE, comment)
            except StoreError:
                continue  # another commit landed between reading the head and writing
        raise StoreError("the configuration is changing too fast; try again")
