"""Operational changes (reference §2.1: they act at once, no commit): suspending and
resuming listeners and delivery.

Each one is written as a new version on top of the committed head, by the user who
asked, with the command as its source: it then reaches the engine the way every
committed version does (the store is the only channel, ARCHITECTURE.md), so every
process that serves the listeners or the queue follows it. Nothing of any session's
candidate goes in, and the version confirms no `commit confirmed` waiting (a session's
pending changes meet it at their commit like any other version: a three-way merge).
The edits themselves are pure functions of the head's configuration.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from state import messages
from state.cluster import local
from state.errors import EditRefused, StoreError
from state.model import Config
from state.records import replace
from state.store import Store

ATTEMPTS = 5  # a head that keeps moving under us (other commits) is tried again
# The operational commands, each the source of the versions it writes.
SUSPENDDEL, RESUMEDEL = "suspenddel", "resumedel"
SUSPENDLISTENER, RESUMELISTENER = "suspendlistener", "resumelistener"
SOURCES = frozenset({SUSPENDDEL, RESUMEDEL, SUSPENDLISTENER, RESUMELISTENER})


@dataclass(frozen=True)
class Applied:
    number: int  # the version written, or the head when nothing needed to change
    changed: tuple[str, ...]  # what changed (listener names, domains, "all")


Edit = Callable[[Config], tuple[Config, tuple[str, ...]]]


def apply_now(store: Store, user: str, source: str, edit: Edit) -> Applied:
    """Write `edit(head)` as the next version at once; EditRefused passes through.

    Refused on a cluster member: its local head is the cluster's, and the member's
    follower would replace the version at once (state/cluster/node.py, `_reassert`)."""
    if local.is_clustered(store.data_dir):
        raise EditRefused(messages.OPERATIONAL_IN_CLUSTER(command=source))
    for _ in range(ATTEMPTS):
        head = store.head_number()
        config, changed = edit(store.load(head))
        if not changed:
            return Applied(head, ())
        try:
            info = store.write(config, head, user, source, f"{source} {' '.join(changed)}",
                               confirms=False)
        except StoreError:
            continue  # someone committed meanwhile: edit the new head
        return Applied(info.number, changed)
    raise StoreError(messages.HEAD_MOVED(expected=head, found=store.head_number()))


def set_listeners(names: Sequence[str] | None, suspended: bool) -> Edit:
    """Suspend (or resume) the listeners named (None: all of them)."""
    def edit(config: Config) -> tuple[Config, tuple[str, ...]]:
        known = [li.name for li in config.listeners]
        for name in names or ():
            if name not in known:
                raise EditRefused(messages.NO_SUCH_LISTENER(name=name))
        wanted = set(known if names is None else names)
        listeners = tuple(replace(li, suspended=suspended)
                          if li.name in wanted and li.suspended != suspended else li
                          for li in config.listeners)
        changed = tuple(li.name for li, old in zip(listeners, config.listeners, strict=True)
                        if li is not old)
        return replace(config, listeners=listeners), changed
    return edit


ALL = "all"


def set_delivery(domains: Sequence[str] | None, suspended: bool) -> Edit:
    """Suspend (or resume) delivery to `domains` (None: to every domain). Resuming
    everything also clears the suspended domains; suspending all keeps them."""
    def edit(config: Config) -> tuple[Config, tuple[str, ...]]:
        delivery = config.delivery
        changed: tuple[str, ...]
        if domains is None:
            listed = () if not suspended else delivery.suspended_domains
            new = replace(delivery, suspended=suspended, suspended_domains=listed)
            changed = (ALL,) if new != delivery else ()
        else:
            current = list(delivery.suspended_domains)
            if suspended:
                added = [d for d in domains if d not in current]
                new = replace(delivery, suspended_domains=(*current, *added))
                changed = tuple(added)
            else:
                changed = tuple(d for d in domains if d in current)
                new = replace(delivery, suspended_domains=tuple(
                    d for d in current if d not in changed))
        return replace(config, delivery=new), changed
    return edit


def delivery_suspended(config: Config, domain: str) -> bool:
    """Whether delivery to `domain` waits (suspenddel), one rule for the queue and the shell."""
    delivery = config.delivery
    return delivery.suspended or domain in delivery.suspended_domains


def keep_operational(head: Config, target: Config) -> Config:
    """`target` (a rollback's version) with the head's operational state: what suspenddel
    and suspendlistener hold now is not undone or brought back by rolling back another
    change (a rollback re-suspended delivery to every domain, or listeners, without a
    word)."""
    now = {li.name: li.suspended for li in head.listeners}
    listeners = tuple(replace(li, suspended=now.get(li.name, False)) for li in target.listeners)
    delivery = replace(target.delivery, suspended=head.delivery.suspended,
                       suspended_domains=head.delivery.suspended_domains)
    return replace(target, listeners=listeners, delivery=delivery)


def is_operational(source: str) -> bool:
    """A version an operational command wrote (no configuration change to roll back to)."""
    return source in SOURCES
