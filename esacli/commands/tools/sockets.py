"""The TCP sockets of one process, from Linux's /proc: /proc/<pid>/fd names each
socket's inode, /proc/net/tcp and tcp6 give its addresses, state and queues."""

from __future__ import annotations

import ipaddress
import os
import re
from dataclasses import dataclass
from pathlib import Path

PROC = Path("/proc")
STATES = {
    "01": "ESTABLISHED", "02": "SYN_SENT", "03": "SYN_RECEIVED", "04": "FIN_WAIT_1",
    "05": "FIN_WAIT_2", "06": "TIME_WAIT", "07": "CLOSED", "08": "CLOSE_WAIT",
    "09": "LAST_ACK", "0A": "LISTEN", "0B": "CLOSING",
}
_SOCKET = re.compile(r"socket:\[(\d+)\]")


@dataclass(frozen=True)
class Socket:
    proto: str  # tcp4 or tcp6
    local: tuple[str, int]
    remote: tuple[str, int]
    state: str
    send_q: int
    recv_q: int


def inodes(pid: int, proc: Path = PROC) -> set[str]:
    """The inodes of the sockets process `pid` holds open."""
    found = set()
    try:
        names = os.listdir(proc / str(pid) / "fd")
    except OSError:
        return set()
    for name in names:
        try:
            match = _SOCKET.fullmatch(os.readlink(proc / str(pid) / "fd" / name))
        except OSError:
            continue  # closed meanwhile
        if match:
            found.add(match.group(1))
    return found


def _address(text: str) -> tuple[str, int]:
    """`0100007F:09C5` (the address in host byte order, 32 bits at a time) -> (ip, port)."""
    host, port = text.split(":")
    raw = bytes.fromhex(host)
    words = b"".join(raw[i:i + 4][::-1] for i in range(0, len(raw), 4))
    ip = ipaddress.ip_address(words)
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return str(ip), int(port, 16)


def parse(table: str, proto: str, wanted: set[str]) -> list[Socket]:
    """The rows of one /proc/net/tcp* table whose inode is in `wanted`."""
    out = []
    for line in table.splitlines()[1:]:
        fields = line.split()
        if len(fields) < 10 or fields[9] not in wanted:
            continue
        send_q, recv_q = (int(x, 16) for x in fields[4].split(":"))
        out.append(Socket(proto, _address(fields[1]), _address(fields[2]),
                          STATES.get(fields[3], fields[3]), send_q, recv_q))
    return out


def children(pid: int, proc: Path = PROC) -> list[int]:
    """The processes `pid` started (the appliance's SMTP workers)."""
    found: list[int] = []
    try:
        tasks = list((proc / str(pid) / "task").iterdir())
    except OSError:
        return found
    for task in tasks:
        try:
            found += [int(child) for child in (task / "children").read_text().split()]
        except (OSError, ValueError):
            continue
    return found


def of_process(pid: int, proc: Path = PROC) -> list[Socket]:
    """The TCP sockets of `pid` and of the processes it started (its SMTP workers hold the
    listeners)."""
    wanted = inodes(pid, proc)
    for child in children(pid, proc):
        wanted |= inodes(child, proc)
    found: list[Socket] = []
    for name, proto in (("tcp", "tcp4"), ("tcp6", "tcp6")):
        try:
            table = (proc / str(pid) / "net" / name).read_text()
        except OSError:
            continue
        found += parse(table, proto, wanted)
    return found
