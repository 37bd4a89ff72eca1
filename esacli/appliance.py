"""Boot the appliance: data dir, admin password, engine, SSH server; or a local console."""

from __future__ import annotations

import asyncio
import getpass
import logging
import secrets as random
import signal
from pathlib import Path

from prompt_toolkit.contrib.ssh import PromptToolkitSSHSession

from engine.service import Engine
from esacli import ssh
from esacli.console import PromptToolkitConsole
from esacli.shell import Shell
from state.bootstrap import open_data_dir
from state.secrets import Secrets
from state.session import Session
from state.store import Store

# asyncssh has a login timeout but no idle timeout; the console enforces this one.
SSH_IDLE_TIMEOUT = 30 * 60.0


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


def _shell_for(
    store: Store, secrets: Secrets, user: str, source: str, idle: float | None = None
) -> Shell:
    return Shell(PromptToolkitConsole(idle_timeout=idle), Session(store, secrets, user, source))


async def run(data_dir: Path, ssh_host: str, ssh_port: int, password: str | None) -> None:
    store, secrets = open_data_dir(data_dir)
    setup_logging(data_dir)
    generated = ensure_password(secrets, password)
    if generated:
        print(f"Generated admin password (shown once): {generated}", flush=True)

    async def interact(ssh_session: PromptToolkitSSHSession, user: str) -> None:
        await _shell_for(store, secrets, user, "ssh", SSH_IDLE_TIMEOUT).run()

    engine = Engine(data_dir, store, secrets)
    await engine.start()
    try:
        server = await ssh.start_server(ssh_host, ssh_port, data_dir, secrets, interact)
    except OSError as exc:
        await engine.stop()
        raise BootError(f"cannot listen for SSH on {ssh_host}:{ssh_port}: {exc.strerror}") from None
    port = server.sockets[0].getsockname()[1]
    print(f"esacli running: SSH on {ssh_host}:{port}, data in {data_dir}", flush=True)
    try:
        await _wait_for_signal()
    finally:
        server.close()
        await server.wait_closed()
        await engine.stop()


async def console(data_dir: Path) -> None:
    store, secrets = open_data_dir(data_dir)
    await _shell_for(store, secrets, getpass.getuser(), "console").run()
