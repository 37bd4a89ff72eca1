"""A CLI session's candidate configuration over a base version (commit-model.md)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from state import diff, validate
from state.errors import CommitRefused, ConfigError, StoreError
from state.model import Config
from state.secrets import Secrets
from state.store import Store, VersionInfo


@dataclass(frozen=True)
class CommitResult:
    info: VersionInfo
    merged: list[str] = field(default_factory=list)  # paths that came in from other commits


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

    def commit(self, comment: str) -> CommitResult | None:
        """Merge with the head if it moved, validate all, write one version.

        Returns None when nothing is pending; raises CommitRefused (nothing
        written, candidate kept) on conflicts or validation errors.
        """
        if not self.pending:
            return None
        for _ in range(5):
            try:
                return self._commit_once(comment)
            except StoreError:
                continue  # another process committed between our read and write
        raise StoreError("the configuration is changing too fast; try again")

    def _commit_once(self, comment: str) -> CommitResult:
        head = self.store.head_number()
        merged_paths: list[str] = []
        target = self._candidate
        if head != self.base:
            theirs = self.store.load(head)
            result = diff.merge(self._base_config, theirs, self._candidate)
            if result.conflicts:
                raise CommitRefused(conflicts=result.conflicts)
            target, merged_paths = result.config, result.incoming
        errors = validate.validate(target, self.secrets)
        if errors:
            raise CommitRefused(errors=errors)
        info = self.store.write(target, head, self.user, self.source, comment)
        self.base, self._base_config, self._candidate = info.number, target, target
        return CommitResult(info=info, merged=merged_paths)
