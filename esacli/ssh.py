"""The SSH server: password authentication, one shell session per connection."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from pathlib import Path

import asyncssh
from prompt_toolkit.contrib.ssh import PromptToolkitSSHServer, PromptToolkitSSHSession

from state.secrets import Secrets, write_private

log = logging.getLogger("esacli.ssh")

Interact = Callable[[PromptToolkitSSHSession, str], Awaitable[None]]
LOGIN_TIMEOUT = 60


def host_key(data_dir: Path) -> asyncssh.SSHKey:
    """The appliance's host key, made once and kept in the secrets area."""
    path = Path(data_dir) / "secrets" / "ssh_host_ed25519_key"
    if not path.exists():
        key = asyncssh.generate_private_key("ssh-ed25519")
        write_private(path, key.export_private_key())
    return asyncssh.read_private_key(str(path))


class ApplianceSSHServer(PromptToolkitSSHServer):  # type: ignore[misc]
    """prompt_toolkit's SSH server does no authentication: add password checks."""

    def __init__(self, interact: Interact, secrets: Secrets) -> None:
        super().__init__(self._interact, enable_cpr=False)
        self._shell = interact
        self._secrets = secrets
        self._user = ""

    async def _interact(self, ssh_session: PromptToolkitSSHSession) -> None:
        await self._shell(ssh_session, self._user)

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
    host: str, port: int, data_dir: Path, secrets: Secrets, interact: Interact
) -> asyncssh.SSHAcceptor:
    return await asyncssh.create_server(
        lambda: ApplianceSSHServer(interact, secrets),
        host,
        port,
        server_host_keys=[host_key(data_dir)],
        login_timeout=LOGIN_TIMEOUT,
        keepalive_interval=60,
        # prompt_toolkit does the line editing; asyncssh's would double every CR
        line_editor=False,
    )
