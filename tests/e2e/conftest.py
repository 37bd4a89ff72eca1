"""Fixtures for end-to-end tests: a real `esacli run` process on a throwaway data dir."""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from state import model
from state.bootstrap import open_data_dir
from state.session import Session
from tests.loopback import loopback_dns

PASSWORD = "e2e-Secret-pw"


def wait_until(predicate: Callable[[], object], timeout: float = 10.0, what: str = "") -> object:
    """Poll `predicate` until it returns something truthy; fail after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what or predicate}")
        time.sleep(0.02)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def accepts(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=1):
            return True
    except OSError:
        return False


@dataclass
class Appliance:
    data: Path
    inbound: int
    outbound: int
    ssh_port: int = 0
    proc: subprocess.Popen[str] | None = None
    args: tuple[str, ...] = ()  # more `esacli run` options
    open_files: int | None = None  # the soft RLIMIT_NOFILE it starts with (as under systemd)
    env: dict[str, str] = field(default_factory=dict)  # added to the process's environment

    @property
    def out(self) -> Path:
        """What the appliance printed on its console (stdout and stderr)."""
        return self.data.parent / "appliance.out"

    def console(self) -> str:
        return self.out.read_text() if self.out.exists() else ""

    def start(self) -> None:
        out = self.out
        command = [sys.executable, "-m", "esacli", "run", "--data", str(self.data),
                   "--ssh", "127.0.0.1:0", "--admin-password", PASSWORD, *self.args]
        if self.open_files is not None:  # the soft limit only; the hard one stays
            command = ["sh", "-c", f'ulimit -S -n {self.open_files} && exec "$@"', "sh", *command]
        with out.open("w") as stdout:  # a file, not a pipe: nothing can block on it
            self.proc = subprocess.Popen(
                command, stdout=stdout, stderr=subprocess.STDOUT, text=True,
                env={**os.environ, **self.env},
            )
        match = wait_until(
            lambda: self.proc is not None and self.proc.poll() is None
            and re.search(r"SSH on 127\.0\.0\.1:(\d+)", out.read_text()),
            timeout=20, what=f"the appliance to start ({out})",
        )
        assert isinstance(match, re.Match)
        self.ssh_port = int(match.group(1))
        wait_until(lambda: accepts(self.inbound), what="InboundMail to listen")

    def stop(self) -> None:
        if self.proc is None:
            return
        self.proc.send_signal(signal.SIGTERM)
        try:
            self.proc.wait(timeout=10)
        finally:
            if self.proc.poll() is None:
                os.kill(self.proc.pid, signal.SIGKILL)
                self.proc.wait()
            self.proc = None

    def mail_logs(self) -> str:
        path = self.data / "logs" / "mail_logs"
        return path.read_text() if path.exists() else ""


def prepared(tmp_path: Path, adjust: Callable[[model.Config], model.Config] | None = None,
             ) -> Appliance:
    """A data dir whose seed has its listeners on free loopback ports (and whatever
    `adjust` changes) committed; the appliance is not started yet."""
    data = tmp_path / "data"
    store, secrets = open_data_dir(data)
    session = Session(store, secrets, "test", "console")
    inbound, outbound = free_port(), free_port()
    ports = {"InboundMail": inbound, "OutboundMail": outbound}
    listeners = tuple(model.replace(li, port=ports[li.name]) for li in session.candidate.listeners)
    staged = loopback_dns(model.replace(session.candidate, listeners=listeners))
    session.stage(adjust(staged) if adjust else staged)
    session.commit("test ports, loopback DNS")
    store.close()
    return Appliance(data, inbound, outbound)


@contextmanager
def running(app: Appliance) -> Iterator[Appliance]:
    app.start()
    try:
        yield app
    finally:
        app.stop()


@pytest.fixture
def appliance(tmp_path: Path) -> Iterator[Appliance]:
    """An appliance whose listeners are moved to free loopback ports before it boots."""
    with running(prepared(tmp_path)) as app:
        yield app


@pytest.fixture(scope="module")
def module_appliance(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Appliance]:
    """One appliance for a whole module, for modules whose tests commit nothing."""
    with running(prepared(tmp_path_factory.mktemp("appliance"))) as app:
        yield app
