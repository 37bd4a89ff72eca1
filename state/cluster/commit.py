"""A commit at one level: one transaction in the cluster database.

Under the commit lock: read the level's head; if it moved since the session's
base, merge three-way by path (state/diff.py, as two local sessions merge) or
refuse naming each conflicting path; validate the configuration of every machine
the level reaches (all of them for Cluster, the group's for Group); seal the
private keys the document names; write the version; NOTIFY. Nothing is written
unless all of it succeeds. The same module pushes an offline Machine-level commit
and rolls back an expired `commit confirmed`, exactly once cluster-wide.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

import msgspec

from state import diff, validate
from state.cluster import levels, members, messages
from state.cluster.db import ClusterDB, VersionRow
from state.cluster.levels import Doc, Kind, Level
from state.cluster.node import ClusterNode, log
from state.confirm import AUTO_USER, Outcome
from state.errors import CommitRefused, ConfigError, ConfirmationPending, Conflict, StoreError
from state.session import ROLLBACK_SOURCE
from state.store import Confirmation


@dataclass(frozen=True)
class Written:
    row: VersionRow
    merged: list[str] = field(default_factory=list)
    confirmed: Confirmation | None = None


def affected(db: ClusterDB, level: Level) -> list[members.MachineRow]:
    every = members.machines(db)
    if level.kind is Kind.CLUSTER:
        return every
    if level.kind is Kind.GROUP:
        return [m for m in every if m.group_id == level.scope]
    return [m for m in every if m.id == level.scope]


def _docs_for(db: ClusterDB, machine: members.MachineRow | None, level: Level,
              doc: Doc, heads: dict[Level, Doc]) -> tuple[Doc, Doc, Doc]:
    def at(other: Level) -> Doc:
        if other.kind is level.kind and other.scope == level.scope:
            return doc
        if other not in heads:
            heads[other] = db.head(other).document
        return heads[other]

    cluster = at(Level(Kind.CLUSTER, 0, ""))
    if machine is None:  # an empty group: validate it as a machine with nothing of its own
        return cluster, at(Level(Kind.GROUP, level.scope, "")), {}
    return (cluster, at(Level(Kind.GROUP, machine.group_id, "")),
            at(Level(Kind.MACHINE, machine.id, "")))


def validate_level(db: ClusterDB, node: ClusterNode, level: Level, doc: Doc) -> list[ConfigError]:
    """Every error of every configuration `doc` at `level` would make a machine run."""
    errors = levels.misplaced(level.kind, doc)
    reached: list[members.MachineRow | None] = list(affected(db, level)) or [None]
    heads: dict[Level, Doc] = {}
    found: dict[tuple[str, str], tuple[ConfigError, list[str]]] = {}
    for machine in reached:
        docs = _docs_for(db, machine, level, doc, heads)
        node.pull_keys(db, set().union(*(levels.key_ids(d) for d in docs)))
        config = levels.effective(*docs)
        for error in validate.validate(config, node.secrets, interfaces_optional=True):
            found.setdefault((error.path, error.message), (error, []))[1].append(
                machine.name if machine else "")
    for error, names in found.values():
        reason = error.reason
        if len(reached) > 1 and len(names) < len(reached):
            reason = messages.ON_MACHINES(message=error.message, machines=", ".join(names))
        errors.append(ConfigError(error.path, reason))
    return errors


def merged_target(head: VersionRow, base: int, base_doc: Doc, doc: Doc) -> tuple[Doc, list[str]]:
    if head.number == base:
        target, merged = doc, []
    else:
        result = diff.merge_trees(base_doc, head.document, doc)
        if result.conflicts:
            raise CommitRefused(conflicts=result.conflicts)
        target, merged = result.tree, result.incoming
    try:
        return levels.normalise(target), merged
    except (StoreError, msgspec.ValidationError) as exc:
        raise CommitRefused(conflicts=[Conflict("(document)", None, None, str(exc))]) from None


def write_level(db: ClusterDB, node: ClusterNode, level: Level, base: int, base_doc: Doc,
                doc: Doc, author: str, source: str, comment: str, *,
                confirm_until: float | None = None) -> Written:
    """Commit `doc` at `level` (a session's candidate over `base`); CommitRefused or
    ConfirmationPending with nothing written."""
    with db.locked():
        head = db.head(level)
        target, merged = merged_target(head, base, base_doc, doc)
        errors = validate_level(db, node, level, target)
        if errors:
            raise CommitRefused(errors=errors)
        confirmed = _confirmations(db, level, author, confirm_until)
        node.push_keys(db, levels.key_ids(target))
        row = db.insert_version(level, head.number, target, author, source,
                                node.membership.machine, comment)
        if confirm_until is not None:
            deadline = db.now() + max(0.0, confirm_until - time.time())
            db.put_confirmation(level, row.number, head.number, deadline, author)
    return Written(row, merged, confirmed)


def _confirmations(db: ClusterDB, level: Level, author: str,
                   until: float | None) -> Confirmation | None:
    """The level's wait: a new confirmed commit while one waits is refused; the
    author's own plain commit confirms theirs (returned)."""
    pending = db.confirmation(level)
    if pending is None:
        return None
    waiting = Confirmation(*pending)
    if until is not None:
        raise ConfirmationPending(waiting.version, waiting.user, waiting.deadline)
    if waiting.user == author and db.end_confirmation(level, waiting.version):
        return waiting
    return None


def confirm(db: ClusterDB, level: Level, author: str) -> Confirmation | None:
    """A plain commit with nothing pending: confirm `author`'s wait at `level`."""
    pending = db.confirmation(level)
    if pending is None or pending[3] != author:
        return None
    return Confirmation(*pending) if db.end_confirmation(level, pending[0]) else None


def push_outbox(db: ClusterDB, node: ClusterNode) -> int | None:
    """Push the offline Machine-level commit, merged if the level moved; the version
    written, or None (nothing waiting, or refused: logged and kept in the link state)."""
    box = node.local.outbox()
    if box is None:
        return None
    level = node.membership.machine_level
    try:
        written = write_level(db, node, level, box.base, box.base_doc, box.doc, box.author,
                              "offline", "; ".join(box.comments))
    except CommitRefused as refused:
        paths = ", ".join([c.path for c in refused.conflicts] + [e.path for e in refused.errors])
        log.error(messages.LOG_PUSH_REFUSED, node.membership.cluster, paths)
        node.local.set_push_error(paths)
        node.local.take_outbox(box)
        return None
    node.local.take_outbox(box)
    node.local.set_push_error("")
    log.info(messages.LOG_PUSHED, node.membership.cluster, written.row.number)
    return written.row.number


def expire(db: ClusterDB, node: ClusterNode) -> list[tuple[Level, Outcome]]:
    """Roll back every expired unconfirmed commit: whoever gets the lock first does it,
    in the same transaction that ends the wait, so it happens once."""
    done = []
    for kind, scope, version in db.expired_confirmations():
        level = Level(kind, scope, f"{kind.value} {scope}")
        with db.locked():
            pending = db.confirmation(level)
            if pending is None or pending[0] != version:
                continue  # another machine did it, or it was confirmed
            outcome = _roll_back(db, node, level, Confirmation(*pending))
            db.end_confirmation(level, version)
        done.append((level, outcome))
    return done


def _roll_back(db: ClusterDB, node: ClusterNode, level: Level, pending: Confirmation) -> Outcome:
    head = db.head(level)
    unconfirmed, previous = db.version(pending.version), db.version(pending.previous)
    if unconfirmed is None or previous is None:
        return Outcome.CONFLICT
    if head.number == pending.version:
        target = previous.document
    else:
        result = diff.merge_trees(unconfirmed.document, head.document, previous.document)
        if result.conflicts:
            log.error(messages.LOG_ROLLBACK_KEPT, node.membership.cluster, pending.version,
                      level.kind.value, "conflict")
            return Outcome.CONFLICT
        target = levels.normalise(result.tree)
    if validate_level(db, node, level, target):
        log.error(messages.LOG_ROLLBACK_KEPT, node.membership.cluster, pending.version,
                  level.kind.value, "invalid")
        return Outcome.INVALID
    if target == head.document:
        return Outcome.UNCHANGED
    comment = messages.ROLLBACK_COMMENT.format(version=pending.version)
    row = db.insert_version(level, head.number, target, AUTO_USER, ROLLBACK_SOURCE,
                            node.membership.machine, comment)
    log.warning(messages.LOG_ROLLED_BACK, node.membership.cluster, pending.version,
                level.kind.value, row.number)
    return Outcome.ROLLED_BACK
