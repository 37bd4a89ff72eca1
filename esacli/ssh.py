"""The SSH server: password and public key authentication, one shell session per
connection.

Logins are for the accounts of the committed configuration (state.users.Accounts): a
password (unless sshconfig SETUP turned password logins off) or a public key sshconfig
authorised for that account. The failed passwords allowed per connection, the login
throttling and the idle timeout of interactive sessions are read from the committed
configuration for each connection.

A connection with a terminal (a pty) gets the interactive shell: prompt_toolkit on the
client's terminal. Without one it gets the batch shell: an exec request (`ssh admin@host
'listenerconfig edit ...'`) runs its command line, then reads the client's input line
by line, as does a shell request without a pty (`printf 'help\\nexit\\n' | ssh -T
admin@host`); the session ends with the input, and the exit status says whether every
command did what it was asked (0) or not (1). Either way the client's bytes are read as
UTF-8, a byte that is not UTF-8 as U+FFFD (esacli/ssh_channel.py): the line holding it is
refused as any other, and the connection and its pending changes go on.

Password checks go through esacli/login_guard.py (own threads, limits per connection
and per address); connections not logged in yet are capped by esacli/ssh_startups.py.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import weakref
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import asyncssh
from prompt_toolkit.application.current import create_app_session
from prompt_toolkit.contrib.ssh import PromptToolkitSSHServer, PromptToolkitSSHSession
from prompt_toolkit.input.posix_pipe import PosixPipeInput
from prompt_toolkit.output.vt100 import Vt100_Output

from esacli.console import Console, LineConsole
from esacli.login_guard import LoginGuard
from esacli.ssh_channel import session_channel
from esacli.ssh_keys import KeyFeeder
from esacli.ssh_startups import Startups
from esacli.terminal import PromptToolkitConsole
from state.model_access import AccessSettings
from state.secrets import write_private
from state.users import Accounts

log = logging.getLogger("esacli.ssh")

# Runs one shell session for `user` (from `address`, on a terminal or not) on `console`
# until the user leaves; its exit status.
RunShell = Callable[[Console, str, str, bool], Awaitable[int]]
# The access settings of the committed configuration (read at each login).
Access = Callable[[], AccessSettings]
LOGIN_TIMEOUT = 60
TOO_MANY_FAILURES = "Too many authentication failures"


def host_key(data_dir: Path) -> asyncssh.SSHKey:
    """The appliance's host key, made once and kept in the secrets area."""
    path = Path(data_dir) / "secrets" / "ssh_host_ed25519_key"
    if not path.exists():
        key = asyncssh.generate_private_key("ssh-ed25519")
        write_private(path, key.export_private_key())
    return asyncssh.read_private_key(str(path))


_OPEN: weakref.WeakSet[ApplianceSSHSession] = weakref.WeakSet()  # sessions of this process


def tell_every_session(text: str) -> None:
    """A last line on every open session (the appliance is stopping: they end next)."""
    for session in list(_OPEN):
        session.tell(text)


class ApplianceSSHSession(PromptToolkitSSHSession):  # type: ignore[misc]
    """One SSH session. The interactive part replaces prompt_toolkit's own `_interact`,
    which feeds keys with a blocking write (see esacli/ssh_keys.py) and print()s any
    exception to the appliance's stdout."""

    def __init__(self, run_shell: RunShell, user: str, address: str, access: Access) -> None:
        super().__init__(self._unused, enable_cpr=False)
        self._run_shell = run_shell
        self._user = user
        self._address = address
        self._access = access
        self._command: str | None = None
        self._lines: LineConsole | None = None
        self._keys: KeyFeeder | None = None
        self._early: list[str] = []  # keys that came before the terminal's input existed
        _OPEN.add(self)

    def tell(self, text: str) -> None:
        if self._chan is not None and not self._chan.is_closing():
            self._chan.write(f"\r\n{text}\r\n" if self._lines is None else f"\n{text}\n")

    async def _unused(self, ssh_session: PromptToolkitSSHSession) -> None:
        raise AssertionError("the interactive session is run by _interact")

    async def _interact(self) -> None:
        chan = self._chan
        if chan is None:
            return
        self._output = Vt100_Output(self.stdout, self._get_size,
                                    term=chan.get_terminal_type(), enable_cpr=False)
        status = 1
        with PosixPipeInput.create() as pipe:
            self._input = pipe
            self._keys = KeyFeeder(pipe.pipe.write_fd, chan.pause_reading, chan.resume_reading)
            self._keys.feed("".join(self._early))
            self._early.clear()
            with create_app_session(input=pipe, output=self._output) as app_session:
                self.app_session = app_session
                try:
                    # asyncssh has a login timeout but no idle timeout: the console has one
                    idle = self._access().idle_timeout_minutes * 60.0
                    console = PromptToolkitConsole(idle_timeout=idle)
                    status = await self._run_shell(console, self._user, self._address, True)
                except Exception:  # run_shell guards the session itself; the last guard
                    log.exception("SSH session failed")
                finally:
                    self._keys.close()
                    self._exit(status)
                    chan.close()

    def exec_requested(self, command: str) -> bool:
        self._command = command
        return True

    def session_started(self) -> None:
        if self._chan is None:
            return
        if self._command is None and self._chan.get_terminal_type() is not None:
            super().session_started()
            return
        chan = self._chan
        self._lines = LineConsole(self._write, chan.pause_reading, chan.resume_reading)
        if self._command is not None:
            self._lines.feed(self._command + "\n")
        self._lines.feed("".join(self._early))
        self._early.clear()
        self.interact_task = asyncio.get_running_loop().create_task(self._batch(self._lines))

    async def _batch(self, console: LineConsole) -> None:
        status = 1
        try:
            status = await self._run_shell(console, self._user, self._address, False)
        except Exception:  # run_shell guards the session itself; this is the last guard
            log.exception("SSH batch session failed")
        finally:
            self._exit(status)

    def _exit(self, status: int) -> None:
        if self._chan is not None:
            self._chan.exit(status)

    def _write(self, text: str) -> None:
        # A session whose client has gone still says its last words (the changes it
        # drops): nobody reads them, and that is no fault of the session.
        if self._chan is not None:
            with contextlib.suppress(BrokenPipeError):
                self._chan.write(text)

    def data_received(self, data: str, datatype: Any) -> None:
        if self._lines is not None:
            self._lines.feed(data)
        elif self._keys is None:
            self._early.append(data)
        else:
            self._keys.feed(data)

    def eof_received(self) -> bool:
        if self._lines is not None:
            self._lines.close()
        return True  # keep the channel open for the rest of the output

    def connection_lost(self, exc: Exception | None) -> None:
        if self._lines is not None:
            self._lines.abandon()
        elif self._input is not None:
            self._input.close()  # a prompt waiting on it ends the session
            if self._keys is not None:
                self._keys.close()


class ApplianceSSHServer(PromptToolkitSSHServer):  # type: ignore[misc]
    """prompt_toolkit's SSH server does no authentication: add password and key checks.
    One instance per connection."""

    def __init__(self, run_shell: RunShell, guard: LoginGuard, accounts: Accounts,
                 startups: Startups) -> None:
        super().__init__(self._unused, enable_cpr=False)
        self._run_shell = run_shell
        self._guard = guard
        self._startups = startups
        self._counted = False  # among the connections not logged in yet
        self._accounts = accounts
        self._access = accounts.access
        self._user = ""
        self._address = "?"
        self._failures = 0
        self._conn: asyncssh.SSHServerConnection | None = None

    async def _unused(self, ssh_session: PromptToolkitSSHSession) -> None:
        raise AssertionError("sessions are made by session_requested")

    def connection_made(self, conn: asyncssh.SSHServerConnection) -> None:
        self._conn = conn
        peer = conn.get_extra_info("peername")
        self._address = str(peer[0]) if peer else "?"
        self._counted = self._startups.admit(self._address)
        if not self._counted:
            asyncio.get_running_loop().call_soon(conn.abort)

    def auth_completed(self) -> None:
        self._uncount()

    def connection_lost(self, exc: Exception | None) -> None:
        self._uncount()

    def _uncount(self) -> None:
        if self._counted:
            self._counted = False
            self._startups.done(self._address)

    # asyncssh's SSHServer.session_requested may return (channel, session); prompt_toolkit
    # declares the session alone
    def session_requested(  # type: ignore[override]
        self,
    ) -> tuple[asyncssh.SSHServerChannel[str], ApplianceSSHSession]:
        # a channel that reads bytes that are not UTF-8 as U+FFFD (esacli/ssh_channel.py)
        assert self._conn is not None  # connection_made comes first
        session = ApplianceSSHSession(self._run_shell, self._user, self._address, self._access)
        return session_channel(self._conn), session

    def begin_auth(self, username: str) -> bool:
        self._user = username
        return True

    def password_auth_supported(self) -> bool:
        return self._access().logins.password_login

    def public_key_auth_supported(self) -> bool:
        return True

    def validate_public_key(self, username: str, key: asyncssh.SSHKey) -> bool:
        if self._accounts.key_allowed(username, key.public_data):
            return True
        log.info("SSH key refused for %r from %s", username, self._address)
        return False

    async def validate_password(self, username: str, password: str) -> bool:
        if await self._guard.check(self._address, username, password):
            return True
        self._failures += 1
        if self._failures >= self._access().logins.max_tries:
            log.warning("SSH connection from %s closed after %d failed logins",
                        self._address, self._failures)
            raise asyncssh.PermissionDenied(TOO_MANY_FAILURES)
        return False


async def start_server(
    host: str, port: int, data_dir: Path, accounts: Accounts, run_shell: RunShell
) -> asyncssh.SSHAcceptor:
    guard = LoginGuard(accounts.check_password, limits=lambda: accounts.access().logins)
    startups = Startups()
    return await asyncssh.create_server(
        lambda: ApplianceSSHServer(run_shell, guard, accounts, startups),
        host,
        port,
        server_host_keys=[host_key(data_dir)],
        login_timeout=LOGIN_TIMEOUT,
        keepalive_interval=60,
        # prompt_toolkit does the line editing; asyncssh's would double every CR
        line_editor=False,
    )
