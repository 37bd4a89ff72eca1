"""The SSH server: password authentication, one shell session per connection.

A connection gets the interactive shell (prompt_toolkit on the client's terminal),
or, for an exec request (`ssh admin@host 'listenerconfig edit ...'`), the same
shell fed by the command line and then by the client's input, line by line.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import asyncssh
from prompt_toolkit.contrib.ssh import PromptToolkitSSHServer, PromptToolkitSSHSession

from esacli.console import Console, LineConsole, PromptToolkitConsole
from state.secrets import Secrets, write_private

log = logging.getLogger("esacli.ssh")

# Runs one shell session for `user` on `console` until the user leaves.
RunShell = Callable[[Console, str], Awaitable[None]]
LOGIN_TIMEOUT = 60
# asyncssh has a login timeout but no idle timeout; the interactive console enforces one.
IDLE_TIMEOUT = 30 * 60.0


def host_key(data_dir: Path) -> asyncssh.SSHKey:
    """The appliance's host key, made once and kept in the secrets area."""
    path = Path(data_dir) / "secrets" / "ssh_host_ed25519_key"
    if not path.exists():
        key = asyncssh.generate_private_key("ssh-ed25519")
        write_private(path, key.export_private_key())
    return asyncssh.read_private_key(str(path))


class ApplianceSSHSession(PromptToolkitSSHSession):  # type: ignore[misc]
    def __init__(self, run_shell: RunShell, user: str) -> None:
        super().__init__(self._interactive, enable_cpr=False)
        self._run_shell = run_shell
        self._user = user
        self._command: str | None = None
        self._lines: LineConsole | None = None
        self._dropped = False

    async def _interactive(self, ssh_session: PromptToolkitSSHSession) -> None:
        try:
            await self._run_shell(PromptToolkitConsole(idle_timeout=IDLE_TIMEOUT), self._user)
        except asyncio.CancelledError:
            if not self._dropped:
                raise
            # cancelled by connection_lost: the session is over (prompt_toolkit would
            # print any exception that reaches it as a traceback)

    def exec_requested(self, command: str) -> bool:
        self._command = command
        return True

    def session_started(self) -> None:
        if self._command is None:
            super().session_started()
            return
        self._lines = LineConsole(self._write)
        self._lines.feed(self._command + "\n")
        self.interact_task = asyncio.get_running_loop().create_task(self._batch(self._lines))

    async def _batch(self, console: LineConsole) -> None:
        try:
            await self._run_shell(console, self._user)
        except Exception:  # the shell catches its own; this is the last guard
            log.exception("SSH exec session failed")
        finally:
            if self._chan is not None:
                self._chan.exit(0)

    def _write(self, text: str) -> None:
        if self._chan is not None:
            self._chan.write(text)

    def data_received(self, data: str, datatype: Any) -> None:
        if self._lines is not None:
            self._lines.feed(data)
        else:
            super().data_received(data, datatype)

    def eof_received(self) -> bool:
        if self._lines is not None:
            self._lines.close()
        return True  # keep the channel open for the rest of the output

    def connection_lost(self, exc: Exception | None) -> None:
        if self._lines is not None:
            self._lines.close()
        elif self.interact_task is not None and not self.interact_task.done():
            # prompt_toolkit would wait at the prompt until the idle timeout: end the
            # session now, so its staged changes (and the keys they name) go at once
            self._dropped = True
            self.interact_task.cancel()


class ApplianceSSHServer(PromptToolkitSSHServer):  # type: ignore[misc]
    """prompt_toolkit's SSH server does no authentication: add password checks."""

    def __init__(self, run_shell: RunShell, secrets: Secrets) -> None:
        super().__init__(self._unused, enable_cpr=False)
        self._run_shell = run_shell
        self._secrets = secrets
        self._user = ""

    async def _unused(self, ssh_session: PromptToolkitSSHSession) -> None:
        raise AssertionError("sessions are made by session_requested")

    def session_requested(self) -> ApplianceSSHSession:
        return ApplianceSSHSession(self._run_shell, self._user)

    def begin_auth(self, username: str) -> bool:
        self._user = username
        return True

    def password_auth_supported(self) -> bool:
        return True

    async def validate_password(self, username: str, password: str) -> bool:
        # scrypt is deliberately slow: keep it off the event loop
        ok = await asyncio.to_thread(self._secrets.check_password, password, username)
        if not ok:
            log.warning("SSH login failed for %r", username)
        return ok


async def start_server(
    host: str, port: int, data_dir: Path, secrets: Secrets, run_shell: RunShell
) -> asyncssh.SSHAcceptor:
    return await asyncssh.create_server(
        lambda: ApplianceSSHServer(run_shell, secrets),
        host,
        port,
        server_host_keys=[host_key(data_dir)],
        login_timeout=LOGIN_TIMEOUT,
        keepalive_interval=60,
        # prompt_toolkit does the line editing; asyncssh's would double every CR
        line_editor=False,
    )
