"""`commit confirmed` (commit model §4): the automatic rollback of an unconfirmed commit.

The waiting confirmation (version, previous version, deadline, user) is a row in
the store's database, so the timer survives a restart; whoever checks it passes
the time in (`now`), so the rule is testable with a fake clock.

When the deadline passes unconfirmed, the version before it comes back as a NEW
version (source "rollback"): history stays append-only. If someone committed on
top of the unconfirmed version meanwhile, their work is kept by a three-way
revert (base = the unconfirmed version, theirs = the head, mine = the previous
version). A conflict, or a result that does not validate, keeps the head and
ends the wait: nothing invalid or half-merged is ever written.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field

from state import diff, validate
from state.errors import ConfigError, Conflict, StoreError
from state.model import Config
from state.secrets import Secrets
from state.session import AUTO_USER, ROLLBACK_SOURCE
from state.store import Confirmation, Store, VersionInfo

__all__ = ["AUTO_USER", "Expiry", "Outcome", "Revert", "deadline", "expire", "revert"]


class Outcome(enum.Enum):
    ROLLED_BACK = "rolled back"  # a new version was written
    UNCHANGED = "unchanged"  # the head already had the previous content: nothing to write
    CONFLICT = "conflict"  # the revert conflicts with later commits: head kept
    INVALID = "invalid"  # the reverted configuration does not validate: head kept


@dataclass(frozen=True)
class Revert:
    """What the rollback of an unconfirmed version would produce (pure decision)."""

    config: Config | None
    conflicts: list[Conflict] = field(default_factory=list)


@dataclass(frozen=True)
class Expiry:
    """What happened to an expired confirmation (for the system log and the tests)."""

    pending: Confirmation
    outcome: Outcome
    head: int  # the head the decision was made against
    written: VersionInfo | None = None
    conflicts: list[Conflict] = field(default_factory=list)
    errors: list[ConfigError] = field(default_factory=list)


def deadline(now: float, minutes: float) -> float:
    """`commit confirmed N`: N minutes from now (the CLI allows state.ranges.CONFIRM_MINUTES)."""
    return now + minutes * 60.0


def revert(pending: Confirmation, head: int, unconfirmed: Config, previous: Config,
           head_config: Config) -> Revert:
    """The configuration that undoes `pending.version` while keeping later commits."""
    if head == pending.version:
        return Revert(previous)
    merged = diff.merge(base=unconfirmed, theirs=head_config, mine=previous)
    if merged.conflicts:
        return Revert(None, merged.conflicts)
    return Revert(merged.config)


def expire(store: Store, secrets: Secrets, now: float, comment: str) -> Expiry | None:
    """Roll back the waiting confirmed commit if its deadline has passed; else None.

    `comment` is the history comment, formatted with {version} and {previous}.
    Safe against a confirmation, or another process's commit, arriving meanwhile.
    """
    for _ in range(5):
        pending = store.confirmation()
        if pending is None or now < pending.deadline:
            return None
        try:
            return _expire_once(store, secrets, pending, comment)
        except StoreError:
            continue  # the head moved or the commit was confirmed: look again
    return None


def _expire_once(store: Store, secrets: Secrets, pending: Confirmation,
                 comment: str) -> Expiry | None:
    head = store.head_number()
    head_config = store.load(head)
    decision = revert(pending, head, store.load(pending.version),
                      store.load(pending.previous), head_config)
    if decision.config is None:
        return _keep(store, pending, head, Outcome.CONFLICT, conflicts=decision.conflicts)
    errors = validate.validate(decision.config, secrets)
    if errors:
        return _keep(store, pending, head, Outcome.INVALID, errors=errors)
    if decision.config == head_config:
        return _keep(store, pending, head, Outcome.UNCHANGED)
    text = comment.format(version=pending.version, previous=pending.previous)
    info = store.write(decision.config, head, AUTO_USER, ROLLBACK_SOURCE, text,
                       settles=pending.version)
    return Expiry(pending, Outcome.ROLLED_BACK, head, written=info)


def _keep(store: Store, pending: Confirmation, head: int, outcome: Outcome,
          conflicts: list[Conflict] | None = None,
          errors: list[ConfigError] | None = None) -> Expiry | None:
    """End the wait without writing; None if it was confirmed in the meantime."""
    if not store.settle(pending.version):
        return None
    return Expiry(pending, outcome, head, conflicts=conflicts or [], errors=errors or [])
