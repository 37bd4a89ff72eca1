"""The servers bench/peers.py compares, each a real process tree pinned to given cores.

- `Esacli`: `esacli run --workers N` on a throwaway data dir (InboundMail on a free
  port, TLS Preferred, limits that do not bind the load); messages dropped by a
  /dev/null route, or relayed over STARTTLS (TLS Required) to the bench's sink.
- `Postfix`: a private Postfix (`postfix -c DIR`, as tests/kit/postfix.py starts one) with
  the same certificate and key; its queue, fsync and cleanup as shipped, mail to the
  discard transport, or relayed over STARTTLS (`smtp_tls_security_level = encrypt`).
- `Bare`: a bare server of the bench's own, bench/tls_ceiling.py (a TLS handshake and
  close, asyncio's or uvloop's) or bench/smtp_floor.py (the least SMTP session in Python).

CPU is user + system time of the whole tree: live processes, plus what the tree's
processes have reaped (cutime/cstime: Postfix's exited smtpd and cleanup children, a
restarted worker). `idle()` is true once the spool or queue is empty and the tree uses
under 5 % of a core, so one side's leftover work never lands in the other's turn.
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from state import model
from state.bootstrap import open_data_dir
from state.session import Session
from tests.kit.postfix import PostfixServer

TICK = os.sysconf("SC_CLK_TCK")
PAGE_KB = os.sysconf("SC_PAGE_SIZE") // 1024
DOMAIN = "example.com"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_port(port: int, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return
        except OSError:
            time.sleep(0.05)
    raise SystemExit(f"nothing listens on {port}")


def _stat(pid: int) -> list[str] | None:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None


def tree(root: int) -> list[int]:
    """`root` and every process below it."""
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit() and (fields := _stat(int(entry))) is not None:
            children.setdefault(int(fields[1]), []).append(int(entry))
    found, todo = [], [root]
    while todo:
        pid = todo.pop()
        found.append(pid)
        todo += children.get(pid, [])
    return found


def tree_cpu(root: int) -> float:
    total = 0
    for pid in tree(root):
        fields = _stat(pid)
        if fields is not None:
            total += sum(int(f) for f in fields[11:15])  # utime stime cutime cstime
    return total / TICK


def _role(pid: int) -> str:
    try:
        command = Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return "gone"
    return "workers" if b"engine.worker" in command else "main"


def tree_cpu_by_role(root: int) -> dict[str, float]:
    """CPU seconds of esacli's SMTP workers and of the rest (the queue's process)."""
    split: dict[str, float] = {}
    for pid in tree(root):
        fields = _stat(pid)
        if fields is not None:
            role = _role(pid)
            split[role] = split.get(role, 0.0) + sum(int(f) for f in fields[11:15]) / TICK
    return split


def tree_rss_kb(root: int) -> int:
    total = 0
    for pid in tree(root):
        fields = _stat(pid)
        if fields is not None:
            total += int(fields[21]) * PAGE_KB
    return total


def pin(root: int, cores: set[int]) -> None:
    for pid in tree(root):
        with contextlib.suppress(OSError):  # gone meanwhile
            os.sched_setaffinity(pid, cores)


class Server:
    name = ""
    port = 0

    def root(self) -> int:
        raise NotImplementedError

    def cpu(self) -> float:
        return tree_cpu(self.root())

    def cpu_split(self) -> dict[str, float]:
        """CPU seconds per kind of process, where the server has kinds (esacli)."""
        return {}

    def rss_kb(self) -> int:
        return tree_rss_kb(self.root())

    def drained(self) -> bool:
        return True

    def idle(self, window: float = 0.4) -> bool:
        if not self.drained():
            return False
        before = self.cpu()
        time.sleep(window)
        return self.drained() and (self.cpu() - before) / window < 0.05

    def wait_idle(self, timeout: float = 120) -> None:
        deadline = time.monotonic() + timeout
        while not self.idle():
            if time.monotonic() > deadline:
                raise SystemExit(f"{self.name} did not become idle")

    def stop(self) -> None:
        raise NotImplementedError


def has_workers(tree: Path) -> bool:
    """Whether the checkout at `tree` serves SMTP in worker processes (older ones do not)."""
    return (tree / "engine" / "worker.py").exists()


class Esacli(Server):
    name = "esacli"

    def __init__(self, tmp: Path, cores: str, workers: int, relay: int | None = None,
                 tree_dir: Path = ROOT) -> None:
        self.data = tmp / "esacli"
        self.port = free_port()
        self.cert, self.key = self._prepare(relay)
        self.proc = subprocess.Popen(
            ["taskset", "-c", cores, sys.executable, "-m", "esacli", "run", "--data",
             str(self.data), "--ssh", "127.0.0.1:0", "--admin-password", "bench",
             *(["--workers", str(workers)] if has_workers(tree_dir) else [])],
            cwd=tree_dir, stdout=subprocess.DEVNULL)
        try:
            wait_port(self.port)
        except SystemExit:  # it never listened: it does not outlive the bench
            self.stop()
            raise

    def _prepare(self, relay: int | None) -> tuple[str, str]:
        store, secrets = open_data_dir(self.data)
        session = Session(store, secrets, "bench", "console")
        config = session.candidate
        listeners = []
        for li in config.listeners:
            if li.name == "InboundMail":
                default = model.replace(li.hat.default, max_concurrency=10000,
                                        max_msgs_per_session=100000,
                                        max_message_size=100 * 1024 * 1024,
                                        tls=model.TLSMode.PREFERRED)
                li = model.replace(li, port=self.port, max_connections=10000,
                                   hat=model.replace(li.hat, default=default))
            else:
                li = model.replace(li, port=free_port())
            listeners.append(li)
        host = model.RouteHost(host="/dev/null") if relay is None else \
            model.RouteHost(host="127.0.0.1", port=relay)
        entry = model.DestinationEntry(domain=DOMAIN, tls=model.TLSMode.REQUIRED,
                                       max_concurrency=20, max_msgs_per_connection=1000)
        no_dns = model.DnsSettings(servers=("127.0.0.1",), port=free_port(), timeout=0.5)
        session.stage(model.replace(
            config, listeners=tuple(listeners), dns=no_dns,
            routes=(model.Route(domain="ALL", hosts=(host,)),),
            destinations=model.replace(config.destinations, entries=(entry,))))
        session.commit("bench")
        demo = session.candidate.certificates[0]
        cert = self.data.parent / "bench-cert.pem"
        cert.write_text("".join(demo.chain))
        key = secrets.key_path(demo.key_id)
        store.close()
        return str(cert), str(key)

    def root(self) -> int:
        return self.proc.pid

    def cpu_split(self) -> dict[str, float]:
        return tree_cpu_by_role(self.root())

    def drained(self) -> bool:
        spool = self.data / "spool"
        return not any(spool.glob("*.msg")) and not any(spool.glob("incoming/*.msg"))

    def stop(self) -> None:
        self.proc.send_signal(signal.SIGTERM)
        try:
            self.proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()


DISCARD = f"""
relay_domains = {DOMAIN}
default_transport = discard
relay_transport = discard
smtpd_tls_loglevel = 0
smtpd_client_connection_count_limit = 0
smtpd_client_message_rate_limit = 0
message_size_limit = 104857600
"""
RELAY = f"""
relay_domains = {DOMAIN}
default_transport = smtp
relay_transport = smtp
relayhost = [127.0.0.1]:{{sink}}
smtp_tls_security_level = encrypt
smtp_tls_loglevel = 0
smtpd_tls_loglevel = 0
smtpd_client_connection_count_limit = 0
message_size_limit = 104857600
"""


class Postfix(Server):
    name = "postfix"

    def __init__(self, cert: str, key: str, cores: set[int], relay: int | None = None) -> None:
        extra = DISCARD if relay is None else RELAY.format(sink=relay)
        self.server = PostfixServer(ip="127.0.0.1", domain="bench.invalid", users=[],
                                    cert=Path(cert).read_text(), key=Path(key).read_text(),
                                    main_extra=extra)
        self.server.start()
        self.port = self.server.port
        self.cores = cores
        pin(self.root(), cores)  # the master's children inherit it

    def root(self) -> int:
        pid = self.server.master_pid()
        assert pid is not None, "postfix is not running"
        return pid

    def drained(self) -> bool:
        queue = self.server.root / "queue"
        return not any(path.is_file() for sub in ("incoming", "active", "deferred", "maildrop")
                       for path in (queue / sub).rglob("*"))

    def stop(self) -> None:
        self.server.stop()


class Bare(Server):
    """One of the bench's own servers (`script` in bench/), given PORT CERT KEY."""

    def __init__(self, script: str, name: str, cert: str, key: str, cores: str,
                 *extra: str) -> None:
        self.name, self.port = name, free_port()
        self.proc = subprocess.Popen(
            ["taskset", "-c", cores, sys.executable, str(ROOT / "bench" / script),
             str(self.port), cert, key, *extra])
        wait_port(self.port)

    def root(self) -> int:
        return self.proc.pid

    def stop(self) -> None:
        self.proc.terminate()
        self.proc.wait()
