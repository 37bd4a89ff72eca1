"""The cluster follower beside the engine of `esacli run`.

A standalone appliance imports nothing of the cluster driver: this module looks
once a second whether the data dir is a cluster member (state/cluster/local.py:
a file), starts the follower when it becomes one (at boot, or after a create or
join from the shell), and lets it end when the machine is removed from its
cluster. The follower writes what the cluster commits into the local store,
which the engine follows as usual.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from typing import TYPE_CHECKING

from state.cluster import local
from state.secrets import Secrets
from state.store import Store
from state.users import PasswordHook

if TYPE_CHECKING:
    from state.cluster.follower import Follower

log = logging.getLogger("esacli.cluster")
CHECK_INTERVAL = 1.0


def interfaces_optional(store: Store) -> bool:
    """The engine's question: is this a cluster member (listeners may lack interfaces)?"""
    return local.is_clustered(store.data_dir)


def password_hook(store: Store, secrets: Secrets) -> PasswordHook | None:
    """On a cluster member, where passwords are written (state.users.Accounts.on_password):
    the cluster's shared user database too, or the follower would put its hash back."""
    if not local.is_clustered(store.data_dir):
        return None

    def put(user: str, line: str) -> None:
        from state.cluster.node import ClusterNode

        node = ClusterNode(store, secrets)
        try:
            node.set_password_hash(line, user)
        finally:
            node.close()
    return put


async def supervise(store: Store, secrets: Secrets, interval: float = CHECK_INTERVAL) -> None:
    """Run a follower whenever the data dir is a cluster member, until cancelled."""
    follower: Follower | None = None
    task: asyncio.Task[None] | None = None
    try:
        while True:
            if task is not None and follower is not None and task.done():
                _ended(task)
                follower.node.close()
                follower, task = None, None
            if task is None and local.is_clustered(store.data_dir):
                follower = _follower(store, secrets)
                task = asyncio.create_task(follower.run())
            await asyncio.sleep(interval)
    finally:
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        if follower is not None:
            follower.node.close()


def _follower(store: Store, secrets: Secrets) -> Follower:
    from state.cluster.follower import Follower
    from state.cluster.node import ClusterNode

    return Follower(ClusterNode(store, secrets))


def _ended(task: asyncio.Task[None]) -> None:
    if not task.cancelled() and (exc := task.exception()) is not None:
        log.error("cluster follower stopped: %s: %s", type(exc).__name__, exc)
