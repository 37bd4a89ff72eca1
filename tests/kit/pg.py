"""A real PostgreSQL for tests: a throwaway server from Debian's package on a loopback port.

    with PostgresServer() as pg:
        url = pg.create_database("t1")   # a conninfo string with user and password
        ...
        pg.stop(); pg.start()            # the same data directory, the same port

initdb writes a new data directory into a private temporary folder (password
authentication over TCP, trust on the unix socket, which lives in the same
folder); `postgres` runs in the foreground as our child, stopped by its pid. No
system-wide server is used or started. PostgreSQL refuses to run as root, so as
root the folder is handed to `nobody` and the binaries run through setpriv.
`available()` says whether a server can run here (the tests skip with its reason).
"""

from __future__ import annotations

import contextlib
import os
import pwd
import shutil
import signal
import subprocess
import tempfile
from pathlib import Path
from typing import Self

from tests.kit.ports import reserve
from tests.kit.processes import Started, stop_process
from tests.kit.waiting import wait_until

SUPERUSER = "esacli_test"
PASSWORD = "pg-Test-pw-8841"
RUN_AS = "nobody"


def bin_dir() -> Path | None:
    """The newest installed PostgreSQL's binaries (Debian: /usr/lib/postgresql/N/bin)."""
    root = Path("/usr/lib/postgresql")
    versions = sorted((p for p in root.glob("*/bin") if (p / "initdb").exists()),
                      key=lambda p: int(p.parent.name) if p.parent.name.isdigit() else 0)
    if versions:
        return versions[-1]
    found = shutil.which("initdb")
    return Path(found).resolve().parent if found else None


def available() -> str | None:
    """None when a private PostgreSQL can run here, else why not."""
    if bin_dir() is None:
        return "PostgreSQL is not installed (Debian package postgresql)"
    if os.geteuid() == 0:
        if shutil.which("setpriv") is None:
            return "running as root without setpriv to drop privileges for PostgreSQL"
        try:
            pwd.getpwnam(RUN_AS)
        except KeyError:
            return f"running as root and there is no {RUN_AS} user for PostgreSQL"
    return None


class PostgresServer(Started):
    def __init__(self, ip: str = "127.0.0.1") -> None:
        reason = available()
        if reason is not None:
            raise RuntimeError(reason)
        self.ip = ip
        self.bin = bin_dir()
        self.port = 0
        self.root = Path()
        self.proc: subprocess.Popen[bytes] | None = None

    # -- running commands as the unprivileged owner ------------------------
    def _as_owner(self, command: list[str]) -> list[str]:
        if os.geteuid() != 0:
            return command
        user = pwd.getpwnam(RUN_AS)
        return ["setpriv", f"--reuid={user.pw_uid}", f"--regid={user.pw_gid}",
                "--clear-groups", "--", *command]

    def _tool(self, name: str) -> str:
        assert self.bin is not None
        return str(self.bin / name)

    def _make_root(self) -> None:
        # outside pytest's 0700 tree: the server runs as another user and must reach it
        self.root = Path(tempfile.mkdtemp(prefix="esacli-pg-"))
        os.chmod(self.root, 0o700)
        (self.root / "pwfile").write_text(PASSWORD + "\n")
        if os.geteuid() == 0:
            user = pwd.getpwnam(RUN_AS)
            for path in (self.root, self.root / "pwfile"):
                os.chown(path, user.pw_uid, user.pw_gid)

    def init(self) -> None:
        self._make_root()
        subprocess.run(
            self._as_owner([
                self._tool("initdb"), "-D", str(self.root / "data"), "-U", SUPERUSER,
                f"--pwfile={self.root / 'pwfile'}", "--auth-host=scram-sha-256",
                "--auth-local=trust", "-E", "UTF8", "--locale=C", "--no-sync",
            ]),
            check=True, capture_output=True, env=self._env(),
        )
        (self.root / "pwfile").unlink()

    def _env(self) -> dict[str, str]:
        return {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "LC_ALL": "C",
                "HOME": str(self.root)}

    def start(self) -> Self:
        if not self.port:
            self.port = reserve(self.ip)
        log = (self.root / "postgres.log").open("ab")
        self.proc = subprocess.Popen(
            self._as_owner([
                self._tool("postgres"), "-D", str(self.root / "data"), "-p", str(self.port),
                "-k", str(self.root), "-c", f"listen_addresses={self.ip}",
                "-c", "fsync=off", "-c", "synchronous_commit=off",
                "-c", "full_page_writes=off", "-c", "max_connections=60",
                "-c", "shared_buffers=16MB",
            ]),
            stdout=log, stderr=log, env=self._env(),
        )
        log.close()
        self._wait_ready()
        return self

    def _wait_ready(self, timeout: float = 30.0) -> None:
        def ready() -> bool:
            if self.proc is not None and self.proc.poll() is not None:
                raise RuntimeError("postgres exited: " + self.log_tail())
            return subprocess.run(
                [self._tool("pg_isready"), "-q", "-h", self.ip, "-p", str(self.port)],
                check=False, capture_output=True, env=self._env(),
            ).returncode == 0

        try:
            wait_until(ready, timeout, interval=0.05)
        except AssertionError:
            raise RuntimeError("postgres did not become ready: " + self.log_tail()) from None

    def log_tail(self) -> str:
        path = self.root / "postgres.log"
        return path.read_text(errors="replace")[-2000:] if path.exists() else ""

    def stop(self) -> None:
        """Fast shutdown (SIGINT: clients are disconnected), by our child's pid."""
        stop_process(self.proc, timeout=20, how=signal.SIGINT)
        self.proc = None

    def signal_all(self, sig: int) -> None:
        """`sig` to our postgres and every process it started (SIGSTOP: a server that
        stops answering but keeps its connections open)."""
        assert self.proc is not None
        for pid in [self.proc.pid, *descendants(self.proc.pid)]:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, sig)

    @property
    def running(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    # -- databases -------------------------------------------------------
    def url(self, database: str = "postgres", user: str = SUPERUSER,
            password: str = PASSWORD) -> str:
        return (f"host={self.ip} port={self.port} dbname={database} user={user}"
                f" password={password} connect_timeout=3")

    def create_database(self, name: str) -> str:
        import psycopg

        with psycopg.connect(self.url(), autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        return self.url(name)

    def dump(self, database: str) -> str:
        """pg_dump of one database, as text (schema and data)."""
        result = subprocess.run(
            [self._tool("pg_dump"), "-h", self.ip, "-p", str(self.port), "-U", SUPERUSER,
             database],
            check=True, capture_output=True, text=True,
            env={**self._env(), "PGPASSWORD": PASSWORD},
        )
        return result.stdout

    def __enter__(self) -> Self:
        try:
            self.init()
            return self.start()
        except BaseException:
            self.close()
            raise

    def close(self) -> None:
        self.stop()
        if self.root != Path() and self.root.exists():
            shutil.rmtree(self.root, ignore_errors=True)

    def __exit__(self, *exc: object) -> None:
        self.close()


def descendants(pid: int) -> list[int]:
    """The processes below `pid` (its children, theirs, ...), from /proc."""
    parents: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            with contextlib.suppress(OSError):
                parents[int(entry.name)] = int(
                    (entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
    found, frontier = [], [pid]
    while frontier:
        children = [child for child, parent in parents.items() if parent in frontier]
        found += children
        frontier = children
    return found
