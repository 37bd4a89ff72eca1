"""Boot the appliance: data dir, admin password, engine, SSH server; or a local console."""

from __future__ import annotations

import asyncio
import contextlib
import getpass
import logging
import secrets as random
import signal
import time
from pathlib import Path

from engine.service import Engine
from esacli import cluster_run, confirm_timer, ssh
from esacli.console import Console, PromptToolkitConsole
from esacli.shell import Shell
from state.bootstrap import open_data_dir
from state.secrets import Secrets
from state.session import Session


class BootError(Exception):
    """The appliance cannot start; the message says why."""


def setup_logging(data_dir: Path) -> None:
    """Library and appliance diagnostics go to logs/system_logs, never to a user."""
    handler = logging.FileHandler(Path(data_dir) / "logs" / "system_logs")
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(logging.INFO)
    logging.getLogger("asyncssh").setLevel(logging.WARNING)


def ensure_password(secrets: Secrets, password: str | None) -> str | None:
    """Set the given password; on first boot without one, make one. Returns a new one."""
    if password:
        secrets.set_password(password)
        return None
    if secrets.has_password():
        return None
    generated = random.token_urlsafe(12)
    secrets.set_password(generated)
    return generated


async def _wait_for_signal() -> None:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    await stop.wait()




async def run(data_dir: Path, ssh_host: str, ssh_port: int, password: str | None) -> None:
    store, secrets = open_data_dir(data_dir)
    setup_logging(data_dir)
    generated = ensure_password(secrets, password)
    if generated:
        print(f"Generated admin password (shown once): {generated}", flush=True)

    async def run_shell(console: Console, user: str) -> None:
        await Shell(console, Session(store, secrets, user, "ssh")).run()

    # An appliance restarted past a `commit confirmed` deadline rolls back before serving.
    confirm_timer.check_safely(store, secrets, time.time())
    engine = Engine(data_dir, store, secrets,
                    interfaces_optional=lambda: cluster_run.interfaces_optional(store))
    await engine.start()
    timer = asyncio.create_task(confirm_timer.run(store, secrets))
    follower = asyncio.create_task(cluster_run.supervise(store, secrets))
    try:
        server = await ssh.start_server(ssh_host, ssh_port, data_dir, secrets, run_shell)
    except OSError as exc:
        timer.cancel()
        await _cancel(follower)
        await engine.stop()
        raise BootError(f"cannot listen for SSH on {ssh_host}:{ssh_port}: {exc.strerror}") from None
    port = server.sockets[0].getsockname()[1]
    print(f"esacli running: SSH on {ssh_host}:{port}, data in {data_dir}", flush=True)
    try:
        await _wait_for_signal()
    finally:
        timer.cancel()
        await _cancel(follower)
        server.close()
        await server.wait_closed()
        await engine.stop()


async def _cancel(task: asyncio.Task[None]) -> None:
    task.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await task


async def console(data_dir: Path) -> None:
    store, secrets = open_data_dir(data_dir)
    session = Session(store, secrets, getpass.getuser(), "console")
    await Shell(PromptToolkitConsole(), session).run()
