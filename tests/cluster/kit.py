"""Helpers for the cluster tests: databases on a real PostgreSQL, standalone data dirs,
and the calls the shell will make (create, join, level sessions)."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from state import model
from state.bootstrap import open_data_dir
from state.cluster import ops
from state.cluster.node import ClusterNode
from state.cluster.session import LevelSession
from state.secrets import Secrets
from state.session import Session
from state.store import Store
from tests import pg
from tests.loopback import loopback_dns

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



def free_port_on(*ips: str) -> int:
    """A TCP port free on every one of `ips` (machines share listener ports, not IPs)."""
    for _ in range(50):
        port = pg.free_port(ips[0])
        try:
            for ip in ips[1:]:
                with socket.socket() as s:
                    s.bind((ip, port))
        except OSError:
            continue
        return port
    raise RuntimeError("no port free on every address")


def accepts(ip: str, port: int) -> bool:
    try:
        with socket.create_connection((ip, port), timeout=1):
            return True
    except OSError:
        return False


def wait_for(predicate: Callable[[], object], timeout: float, what: str) -> float:
    """Poll until `predicate` holds; the seconds it took (AssertionError after `timeout`)."""
    start = time.monotonic()
    while not predicate():
        if time.monotonic() - start > timeout:
            raise AssertionError(f"timed out after {timeout} s waiting for {what}")
        time.sleep(0.01)
    return time.monotonic() - start


@dataclass
class Running:
    """`esacli run` on a member's data dir, as a process (stopped by its pid)."""

    data: Path
    ip: str
    port: int  # InboundMail's port (the same on every machine)
    proc: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        out = self.data.parent / f"{self.data.name}.out"
        command = [sys.executable, "-m", "esacli", "run", "--data", str(self.data),
                   "--ssh", "127.0.0.1:0", "--admin-password", "Run-Admin-pw-1"]
        with out.open("ab") as stdout:
            self.proc = subprocess.Popen(command, stdout=stdout, stderr=subprocess.STDOUT)
        wait_for(lambda: self._alive() and b"esacli running" in out.read_bytes(), 30,
                 f"{self.data.name} to boot ({out})")
        wait_for(lambda: accepts(self.ip, self.port), 20, f"{self.data.name} to listen")

    def _alive(self) -> bool:
        if self.proc is None or self.proc.poll() is not None:
            raise AssertionError(f"{self.data.name} exited")
        return True

    def kill(self) -> None:
        """kill -9: no clean stop, nothing flushed."""
        assert self.proc is not None
        os.kill(self.proc.pid, signal.SIGKILL)
        self.proc.wait()
        self.proc = None

    def stop(self) -> None:
        if self.proc is None:
            return
        self.proc.send_signal(signal.SIGTERM)
        try:
            self.proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.kill(self.proc.pid, signal.SIGKILL)
            self.proc.wait()
        self.proc = None

    def status(self) -> dict[str, Any]:
        path = self.data / "status.json"
        try:
            return dict(json.loads(path.read_text()))
        except (OSError, ValueError):
            return {}

    def mail_logs(self) -> str:
        path = self.data / "logs" / "mail_logs"
        return path.read_text(errors="replace") if path.exists() else ""

    def system_logs(self) -> str:
        path = self.data / "logs" / "system_logs"
        return path.read_text(errors="replace") if path.exists() else ""
