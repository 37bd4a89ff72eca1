"""Helpers for the cluster tests: databases on a real PostgreSQL, standalone data dirs,
and the calls the shell will make (create, join, level sessions). Members run as
`esacli run` processes through tests/kit/appliance.py."""

from __future__ import annotations

import asyncio
import smtplib
import threading
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Self

from esacli.appliance import end_shell, open_shell
from esacli.console import ScriptedConsole
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
from tests.kit.shell import NOW

PASSPHRASE = "cluster-Pass-phrase-77"


@dataclass
class Database:
    server: pg.PostgresServer
    name: str
    url: str

    def dump(self) -> str:
        return self.server.dump(self.name)

    @property
    def address(self) -> str:
        """What an administrator types at clusterconfig (the password is asked apart)."""
        return f"postgresql://{pg.SUPERUSER}@{self.server.ip}:{self.server.port}/{self.name}"

    password = pg.PASSWORD


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


class HookedConsole(ScriptedConsole):
    """A ScriptedConsole whose script may hold callables: each runs (off the event loop)
    when the shell reaches it, e.g. another machine committing between two answers."""

    async def readline(self, prompt: str, **kwargs: Any) -> str:
        while self._lines and callable(self._lines[0]):
            await asyncio.to_thread(self._lines.popleft())  # type: ignore[operator]
        return await super().readline(prompt, **kwargs)


async def shell_screen(box: Box, lines: Sequence[Any], user: str = "admin") -> str:
    """The shell over `box` as `esacli run` opens it (a member edits through its cluster
    modes), fed `lines`; the screen. The script must end the session itself."""
    console = HookedConsole(lines)
    shell = await open_shell(console, box.store, box.secrets, user, "test")
    shell.ctx.clock = lambda: NOW
    try:
        await shell.run()
    finally:
        end_shell(shell)
    assert not console.exhausted, f"script ran out:\n{console.screen}"
    assert not console.remaining, f"unused input {console.remaining}:\n{console.screen}"
    return console.screen


class Load:
    """Mail sent to both machines in turn until stopped (bounded), counting failures."""

    def __init__(self, targets: list[tuple[str, int]], limit: int = 2000) -> None:
        self.targets, self.limit = targets, limit
        self.sent = self.failed = 0
        self.errors: list[str] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.is_set() and self.sent + self.failed < self.limit:
            ip, port = self.targets[(self.sent + self.failed) % len(self.targets)]
            try:
                with smtplib.SMTP(ip, port, timeout=10) as client:
                    client.sendmail("load@sender.example", ["user@example.com"],
                                    b"Subject: load\r\n\r\nhello\r\n")
                self.sent += 1
            except (OSError, smtplib.SMTPException) as exc:
                self.failed += 1
                self.errors.append(f"{ip}: {exc}")

    def __enter__(self) -> Self:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join(timeout=30)
