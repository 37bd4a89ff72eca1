"""Listening sockets: why a bind fails, and a probe that binds and lets go at once.

Standard library only: `commit` and `commit check` probe the addresses a commit
would newly listen on (esacli must not import aiosmtpd), and the engine words a
failed bind the same way in mail_logs and `status`.
"""

from __future__ import annotations

import errno
import socket

IN_USE = "Already in use"


def bind_error(exc: BaseException) -> str:
    """A failed bind as `status` shows it ("Already in use", "Cannot assign ...")."""
    if isinstance(exc, OSError):
        if exc.errno == errno.EADDRINUSE:
            return IN_USE
        return exc.strerror or type(exc).__name__
    return f"{type(exc).__name__}: {exc}"


def probe(ip: str, port: int) -> str | None:
    """Why nothing could listen on ip:port right now, or None if it could.

    Binds as asyncio's create_server does (SO_REUSEADDR, so a port whose last
    connections are in TIME_WAIT is free) and closes the socket at once; Linux
    refuses the bind when another socket listens there.
    """
    family = socket.AF_INET6 if ":" in ip else socket.AF_INET
    try:
        with socket.socket(family, socket.SOCK_STREAM) as sock:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            sock.bind((ip, port))
    except (OSError, OverflowError, ValueError) as exc:
        return bind_error(exc)
    return None
