"""Listening sockets: why a bind fails, a probe that binds and lets go at once, and who
else listens on a port the SMTP workers share.

Standard library only: `commit` and `commit check` probe the addresses a commit
would newly listen on (esacli must not import the SMTP engine), and the engine words a
failed bind the same way in mail_logs and `status`.
"""

from __future__ import annotations

import errno
import os
import socket
from collections.abc import Iterator
from pathlib import Path

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


_LISTEN = "0A"  # the state column of /proc/net/tcp{,6}
_WILDCARDS = frozenset({"0.0.0.0", "::"})


def held_elsewhere(ip: str, port: int, ours: int) -> bool:
    """Whether a process outside the appliance whose supervisor is `ours` (itself or one
    of its children) listens on `port` at `ip`, or at a wildcard address over it.

    The SMTP workers share their ports through SO_REUSEPORT, which lets any process of
    the same user join too: a second appliance on the same port would bind without an
    error, and the kernel would split the connections between the two. So a worker looks
    before it binds. (Only a process of the same user can join, and /proc shows such a
    process's sockets to us; anyone else's listener makes the bind itself fail.)
    """
    inodes = set(_listening(ip, port))
    return bool(inodes) and any(pid != ours and _parent(pid) != ours for pid in _owners(inodes))


def _listening(ip: str, port: int) -> Iterator[str]:
    """The inodes of the sockets listening on `port` at `ip` or over it."""
    for table, family in (("tcp", socket.AF_INET), ("tcp6", socket.AF_INET6)):
        try:
            lines = Path("/proc/net", table).read_text().splitlines()[1:]
        except OSError:
            continue
        for line in lines:
            fields = line.split()
            address, _, hex_port = fields[1].partition(":")
            if fields[3] != _LISTEN or int(hex_port, 16) != port:
                continue
            theirs = _address(address, family)
            if theirs == ip or theirs in _WILDCARDS or ip in _WILDCARDS:
                yield fields[9]


def _address(hex_address: str, family: int) -> str:
    """/proc/net's address: 32-bit words in the machine's byte order (little endian here)."""
    raw = bytes.fromhex(hex_address)
    words = b"".join(raw[i : i + 4][::-1] for i in range(0, len(raw), 4))
    return socket.inet_ntop(family, words)


def _owners(inodes: set[str]) -> Iterator[int]:
    """The processes holding a socket of `inodes` (those whose descriptors we may read)."""
    wanted = {f"socket:[{inode}]" for inode in inodes}
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            links = {os.readlink(fd.path) for fd in os.scandir(f"/proc/{entry.name}/fd")}
        except OSError:  # gone meanwhile, or another user's
            continue
        if links & wanted:
            yield int(entry.name)


def _parent(pid: int) -> int | None:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    return int(stat.rsplit(")", 1)[1].split()[1])  # (the name may hold spaces and ")")
