"""Boot the appliance: data dir, admin password, engine, SSH server; or a local console."""

from __future__ import annotations

import asyncio
import codecs
import getpass
import logging
import os
import secrets as random
import signal
import sys
import threading
import time
from pathlib import Path

from engine.service import Engine
from esacli import confirm_timer, ssh
from esacli.console import Console, LineConsole
from esacli.shell import Shell, run_session
from esacli.terminal import PromptToolkitConsole
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

    async def run_shell(console: Console, user: str) -> int:
        return await run_session(Shell(console, Session(store, secrets, user, "ssh")), user)

    # An appliance restarted past a `commit confirmed` deadline rolls back before serving.
    confirm_timer.check_safely(store, secrets, time.time())
    engine = Engine(data_dir, store, secrets)
    await engine.start()
    timer = asyncio.create_task(confirm_timer.run(store, secrets))
    try:
        server = await ssh.start_server(ssh_host, ssh_port, data_dir, secrets, run_shell)
    except OSError as exc:
        timer.cancel()
        await engine.stop()
        raise BootError(f"cannot listen for SSH on {ssh_host}:{ssh_port}: {exc.strerror}") from None
    port = server.sockets[0].getsockname()[1]
    print(f"esacli running: SSH on {ssh_host}:{port}, data in {data_dir}", flush=True)
    try:
        await _wait_for_signal()
    finally:
        timer.cancel()
        server.close()
        await server.wait_closed()
        await engine.stop()


async def console(data_dir: Path) -> int:
    """A shell on this process's terminal; with piped input, the batch shell (as
    `ssh -T`): commands are read to the end of the input. Returns the exit status."""
    store, secrets = open_data_dir(data_dir)
    setup_logging(data_dir)
    user = getpass.getuser()
    session = Session(store, secrets, user, "console")
    # Signals from elsewhere (kill -INT, a piped session's terminal) must not end or
    # stop the console and lose the session's pending changes.
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGQUIT, signal.SIGTSTP):
        loop.add_signal_handler(sig, lambda: None)
    if sys.stdin.isatty():
        terminal = PromptToolkitConsole()
        # Raw for the whole session, not only at prompts: keys typed while a command
        # runs wait for the next prompt (where Ctrl-C leaves the dialog) instead of
        # being signals, or flow control (Ctrl-S froze the screen).
        with terminal.input.raw_mode():
            return await run_session(Shell(terminal, session), user)
    lines = LineConsole(_print)
    _read_stdin(lines)
    return await run_session(Shell(lines, session), user)


def _print(text: str) -> None:
    sys.stdout.write(text)
    sys.stdout.flush()


def _read_stdin(lines: LineConsole) -> None:
    """Feed standard input to `lines` from a thread (a pipe or a plain file alike)."""
    loop = asyncio.get_running_loop()
    decoder = codecs.getincrementaldecoder("utf-8")(errors="replace")

    def pump() -> None:
        while chunk := os.read(sys.stdin.fileno(), 1 << 16):
            loop.call_soon_threadsafe(lines.feed, decoder.decode(chunk))
        loop.call_soon_threadsafe(lines.feed, decoder.decode(b"", final=True))
        loop.call_soon_threadsafe(lines.close)

    threading.Thread(target=pump, name="esacli-stdin", daemon=True).start()
