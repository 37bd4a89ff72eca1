"""What a shell session edits through: a standalone `state.session.Session` or a
cluster member's `state.cluster.session.LevelSession` (one level of the cluster).

Both have this surface, so every configuration dialog, `commit`, `clear`,
`showchanges` and `rollbackconfig` work unchanged at any cluster mode.
"""

from __future__ import annotations

from typing import Any, Protocol

from state import certs, diff, users
from state.bindings import Probe
from state.errors import ConfigError
from state.model import Config
from state.secrets import Secrets
from state.session import CommitResult, ConfirmationEnded
from state.store import Confirmation, Store, VersionInfo


class EditSession(Protocol):
    store: Store  # the local store: data dir, queue, logs
    secrets: Secrets
    user: str
    source: str
    accounts: users.Accounts  # passwords and logins (a member's reach the cluster too)
    last_commit: int | None  # the local version this session wrote last (commitdetail)

    @property
    def role(self) -> users.Role | None: ...

    def may(self, act: users.Act) -> bool: ...

    def stage_password(self, user: str, password_hash: str) -> None: ...

    @property
    def staged_passwords(self) -> dict[str, str]: ...

    @property
    def candidate(self) -> Config: ...

    def stage(self, config: Config) -> None: ...

    @property
    def pending(self) -> bool: ...

    def changes(self) -> list[diff.Change]: ...

    def showchanges(self) -> dict[str, Any]: ...

    def clear(self) -> None: ...

    def put_key(self, key: certs.PrivateKey) -> str: ...

    def close(self) -> None: ...

    def check(self) -> list[ConfigError]: ...

    def preview(self) -> tuple[Config, Config]: ...

    def verify(self, probe: Probe | None = None) -> list[str]: ...

    def commit(self, comment: str, *, confirm_until: float | None = None,
               probe: Probe | None = None) -> CommitResult | None: ...

    def confirm(self) -> Confirmation | None: ...

    def confirmation(self) -> Confirmation | None: ...

    def confirmation_ended(self) -> ConfirmationEnded | None: ...

    def history(self, limit: int = 10) -> list[VersionInfo]: ...

    def rollback_points(self, limit: int = 10) -> list[VersionInfo]: ...

    def load(self, number: int) -> Config: ...

    def rollback(self, number: int, comment: str, probe: Probe | None = None) -> CommitResult: ...
