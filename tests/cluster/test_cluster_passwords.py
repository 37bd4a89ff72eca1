"""On a cluster member a password changed in the shell (passwd, or a committed userconfig
password) goes to the shared user database through state.users.Accounts' hook, so the
other machines get it and the follower does not put the old hash back."""

from __future__ import annotations

from collections.abc import Callable

from esacli import cluster_run
from state.cluster import members
from state.cluster.db import ClusterDB
from state.cluster.node import ClusterNode
from state.session import Session
from tests.cluster.kit import Box, Database, create, join

Boxes = Callable[..., Box]


def test_passwords_on_a_member_reach_the_shared_user_database(boxes: Boxes,
                                                              database: Database) -> None:
    a, b = boxes("a"), boxes("b", "127.0.0.2")
    assert cluster_run.password_hook(a.store, a.secrets) is None  # standalone: local only
    create(a, database.url)
    node_b = join(b, database.url)
    session = Session(a.store, a.secrets, "admin", "ssh", enforce_role=True)
    session.accounts.on_password = cluster_run.password_hook(a.store, a.secrets)
    session.accounts.set_password("admin", "changed-Admin-pw")  # what passwd does
    with ClusterDB(database.url) as db:
        assert members.users(db)["admin"] == a.secrets.password_hash("admin")
        node_b.sync_users(db)  # the follower's step on b
    assert b.secrets.check_password("changed-Admin-pw")
    with ClusterDB(database.url) as db:  # and a's own follower keeps it
        ClusterNode(a.store, a.secrets).sync_users(db)
    assert a.secrets.check_password("changed-Admin-pw")
