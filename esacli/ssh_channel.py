"""The channel of an SSH session: what the client sends is read as UTF-8, and a byte that is
not UTF-8 (Latin-1 `caf\\xe9` from an old terminal, a stray `\\xff`) becomes U+FFFD. The
line holding it then gets the shell's usual answer (an unknown command, a usage line), and
the session, with its pending changes, goes on. What the appliance writes stays UTF-8.

asyncssh reads strictly by default: one such byte in the data is a protocol error that
drops the whole connection, and an exec request whose command is not UTF-8 is refused
(asyncssh decodes the command itself, strictly, whatever the channel's encoding): both
are replaced here.
"""

from __future__ import annotations

import asyncssh
from asyncssh.packet import SSHPacket

ENCODING = "utf-8"
ERRORS = "replace"  # decoding: U+FFFD; encoding (a lone surrogate): "?"


class ReplacingChannel(asyncssh.SSHServerChannel[str]):
    """asyncssh's server channel, but an exec command that is not UTF-8 runs, replaced."""

    def _process_exec_request(self, packet: SSHPacket) -> bool:
        command = packet.get_string().decode(ENCODING, ERRORS)
        packet.check_end()
        self.logger.info("  Command: %s", command)
        return self._start_session(command=command)


def session_channel(conn: asyncssh.SSHServerConnection) -> asyncssh.SSHServerChannel[str]:
    """A channel for a new session on `conn`, for SSHServer.session_requested to return.
    Made by asyncssh (its window, packet size and line-editor settings), then given the
    exec request of ReplacingChannel, which adds no state of its own."""
    chan: asyncssh.SSHServerChannel[str] = conn.create_server_channel(
        encoding=ENCODING, errors=ERRORS)
    chan.__class__ = ReplacingChannel
    return chan
