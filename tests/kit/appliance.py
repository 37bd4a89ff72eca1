"""The appliance as its users run it: `esacli run` as a process on a throwaway data dir.

    app = prepared(tmp_path)            # listeners on reserved loopback ports, loopback DNS
    with running(app):                  # started; stopped by its pid at the end
        send_mail(app.inbound); ssh_login(app)

The e2e fixtures (`appliance`, `module_appliance`, tests/e2e/conftest.py) and the
cluster tests build on this. What a second process would commit while the appliance runs
goes through `commit_change`.
"""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from state import model
from state.bootstrap import open_data_dir
from state.session import Session
from tests.kit.loopback import loopback_dns
from tests.kit.ports import accepts, reserve
from tests.kit.processes import stop_process
from tests.kit.smtp import send_mail
from tests.kit.waiting import wait_until

PASSWORD = "e2e-Secret-pw"
BOOTED = re.compile(r"esacli running: SSH on 127\.0\.0\.1:(\d+)")

Change = Callable[[model.Config], model.Config]


@dataclass
class Appliance:
    data: Path
    inbound: int  # InboundMail's port
    outbound: int = 0  # OutboundMail's port
    ip: str = "127.0.0.1"  # where InboundMail listens
    ssh_port: int = 0  # as `esacli run --ssh 127.0.0.1:0` reports it
    proc: subprocess.Popen[str] | None = None
    args: tuple[str, ...] = ()  # more `esacli run` options
    open_files: int | None = None  # the soft RLIMIT_NOFILE it starts with (as under systemd)
    env: dict[str, str] = field(default_factory=dict)  # added to the process's environment

    @property
    def out(self) -> Path:
        """What the appliance printed on its console (stdout and stderr)."""
        return self.data.parent / f"{self.data.name}.out"

    def console(self) -> str:
        return self.out.read_text() if self.out.exists() else ""

    def start(self) -> None:
        # Two SMTP workers unless a test says: what every test shows holds with several,
        # whatever the machine's core count.
        workers = () if "--workers" in self.args else ("--workers", "2")
        command = [sys.executable, "-m", "esacli", "run", "--data", str(self.data),
                   "--ssh", "127.0.0.1:0", "--admin-password", PASSWORD, *workers, *self.args]
        if self.open_files is not None:  # the soft limit only; the hard one stays
            command = ["sh", "-c", f'ulimit -S -n {self.open_files} && exec "$@"', "sh", *command]
        with self.out.open("w") as stdout:  # a file, not a pipe: nothing can block on it
            self.proc = subprocess.Popen(
                command, stdout=stdout, stderr=subprocess.STDOUT, text=True,
                env={**os.environ, **self.env},
            )
        booted = wait_until(lambda: self._alive() and BOOTED.search(self.console()),
                            timeout=30, what=f"the appliance to start ({self.out})")
        self.ssh_port = int(booted.group(1))
        wait_until(lambda: accepts(self.inbound, self.ip), timeout=20,
                   what=f"InboundMail to listen on {self.ip}:{self.inbound}")

    def _alive(self) -> bool:
        if self.proc is None or self.proc.poll() is not None:
            raise AssertionError(f"the appliance exited:\n{self.console()[-3000:]}")
        return True

    def stop(self) -> None:
        """SIGTERM; an appliance that has not stopped 15 s later is killed, and fails."""
        stopped = stop_process(self.proc, timeout=15)
        self.proc = None
        assert stopped, "the appliance did not stop within 15 s of SIGTERM"

    def kill(self) -> None:
        """kill -9: no clean stop, nothing flushed."""
        assert self.proc is not None
        os.kill(self.proc.pid, signal.SIGKILL)
        self.proc.wait()
        self.proc = None

    def mail_logs(self) -> str:
        return _read(self.data / "logs" / "mail_logs")

    def system_logs(self) -> str:
        return _read(self.data / "logs" / "system_logs")

    def status(self) -> dict[str, Any]:
        """The status.json it publishes ({} until there is one)."""
        try:
            return dict(json.loads((self.data / "status.json").read_text()))
        except (OSError, ValueError):
            return {}


def _read(path: Path) -> str:
    return path.read_text(errors="replace") if path.exists() else ""


def commit_change(data: Path, change: Change, comment: str = "test") -> None:
    """Commit `change` of the candidate on `data`, as a second process (a console
    shell, another tool) would while the appliance runs."""
    store, secrets = open_data_dir(data)
    try:
        session = Session(store, secrets, "test", "console")
        session.stage(change(session.candidate))
        session.commit(comment)
    finally:
        store.close()


def committed(data: Path) -> model.Config:
    """The head version of the store on `data`, read as a second process would."""
    store, _ = open_data_dir(data)
    try:
        return store.load()
    finally:
        store.close()


def head_number(data: Path) -> int:
    """The number of the head version of the store on `data`."""
    store, _ = open_data_dir(data)
    try:
        return store.head_number()
    finally:
        store.close()


def on_ports(config: model.Config, ports: dict[str, int]) -> model.Config:
    """`config` with the named listeners moved to the given ports."""
    listeners = tuple(model.replace(li, port=ports[li.name]) if li.name in ports else li
                      for li in config.listeners)
    return model.replace(config, listeners=listeners)


def prepared(tmp_path: Path, adjust: Change | None = None) -> Appliance:
    """A data dir (tmp_path/data) whose seed has its listeners on reserved loopback ports,
    the dead loopback resolver, and whatever `adjust` changes committed; not started."""
    data = tmp_path / "data"
    inbound, outbound = reserve(), reserve()

    def change(config: model.Config) -> model.Config:
        moved = on_ports(config, {"InboundMail": inbound, "OutboundMail": outbound})
        staged = loopback_dns(moved)
        return adjust(staged) if adjust else staged

    commit_change(data, change, "test ports, loopback DNS")
    return Appliance(data, inbound, outbound)


@contextmanager
def running(app: Appliance) -> Iterator[Appliance]:
    app.start()
    try:
        yield app
    finally:
        app.stop()


def mail_flows(app: Appliance) -> None:
    """Both listeners accept a message."""
    send_mail(app.inbound)
    send_mail(app.outbound)
