"""Helpers for the cluster tests: databases on a real PostgreSQL, standalone data dirs,
and the calls the shell will make (create, join, level sessions). Members run as
`esacli run` processes through tests/kit/appliance.py."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from state import model
from state.bootstrap import open_data_dir
from state.cluster import ops
from state.cluster.node import ClusterNode
from state.cluster.session import LevelSession
from state.secrets import Secrets
from state.session import Session
from state.store import Store
from tests.kit import pg
from tests.kit.loopback import loopback_dns

PASSPHRASE = "cluster-Pass-phrase-77"


@dataclass
class Database:
    server: pg.PostgresServer
    name: str
    url: str

    def dump(self) -> str:
        return self.server.dump(self.name)


def new_database(server: pg.PostgresServer) -> Database:
    name = "t_" + uuid.uuid4().hex[:16]
    return Database(server, name, server.create_database(name))


@dataclass
class Box:
    """A standalone appliance's data dir (its store and secrets open in this process)."""

    data: Path
    store: Store
    secrets: Secrets

    def close(self) -> None:
        self.store.close()


def standalone(root: Path, name: str, ip: str = "127.0.0.1",
               adjust: Callable[[model.Config], model.Config] | None = None) -> Box:
    """A data dir with the factory configuration, host name `name`.example.com and its
    Management interface on `ip` (what `sethostname` and `interfaceconfig` would set)."""
    data = root / name
    store, secrets = open_data_dir(data)
    secrets.set_password(f"{name}-Admin-pw")
    session = Session(store, secrets, "admin", "console")
    config = session.candidate
    host = f"{name}.example.com"
    iface = model.replace(config.interfaces[0], ip=ip, hostname=host)
    staged = loopback_dns(model.replace(config, hostname=host, interfaces=(iface,)))
    session.stage(adjust(staged) if adjust else staged)
    session.commit("machine settings")
    return Box(data, store, secrets)


def create(box: Box, url: str, cluster: str = "Gateways", machine: str = "") -> ClusterNode:
    return ops.create(box.store, box.secrets, url, cluster, machine or box.data.name,
                      PASSPHRASE, "admin")


def join(box: Box, url: str, group: str = "Main_Group", machine: str = "") -> ClusterNode:
    return ops.join(box.store, box.secrets, url, machine or box.data.name, group, PASSPHRASE,
                    "admin")


def cluster_session(node: ClusterNode, user: str = "admin") -> LevelSession:
    return LevelSession(node, node.membership.cluster_level, user, "test")


def machine_session(node: ClusterNode, user: str = "admin") -> LevelSession:
    return LevelSession(node, node.membership.machine_level, user, "test")


def group_session(node: ClusterNode, user: str = "admin") -> LevelSession:
    return LevelSession(node, node.membership.group_level, user, "test")
