"""Clients of the web console's gate (esacli/web/gate.py) from chosen loopback sources:
plain TCP connections that never send, TLS connections held or dribbling, real HTTPS
GETs; and what the server side holds, read from /proc."""

from __future__ import annotations

import contextlib
import os
import socket
import ssl
import time

import httpx

BOUND = 10.0  # seconds any one client step may take


def plain(port: int, source: str) -> socket.socket:
    """A TCP connection from `source` that sends nothing (the kernel completes it)."""
    return socket.create_connection(("127.0.0.1", port), timeout=BOUND,
                                    source_address=(source, 0))


def client_context() -> ssl.SSLContext:
    ctx = ssl.create_default_context()
    ctx.check_hostname, ctx.verify_mode = False, ssl.CERT_NONE  # the Demo certificate
    return ctx


def tls(port: int, source: str) -> ssl.SSLSocket:
    """A TLS connection from `source`, its handshake done."""
    return client_context().wrap_socket(plain(port, source))


def closed_within(sock: socket.socket, seconds: float) -> bool:
    """Whether the server closes `sock` (EOF or reset) within `seconds`; what it sends
    first is read and dropped."""
    deadline = time.monotonic() + seconds
    while (left := deadline - time.monotonic()) > 0:
        sock.settimeout(left)
        try:
            if not sock.recv(65536):
                return True
        except (ConnectionError, ssl.SSLError):
            return True
        except TimeoutError:
            return False
    return False


def get(port: int, source: str, path: str = "/login", method: str = "GET") -> httpx.Response:
    """One HTTPS request from `source` on a connection of its own."""
    transport = httpx.HTTPTransport(local_address=source, verify=client_context())
    with httpx.Client(transport=transport, timeout=BOUND) as client:
        return client.request(method, f"https://127.0.0.1:{port}{path}", follow_redirects=False)


def served(port: int, source: str) -> bool:
    """Whether the console answers a GET from `source` now."""
    with contextlib.suppress(httpx.TransportError):
        return get(port, source).status_code == 200
    return False


def descriptors(pid: int) -> int:
    """How many descriptors process `pid` holds open."""
    return len(os.listdir(f"/proc/{pid}/fd"))


def waiting(port: int) -> int:
    """How many connections wait in the accept queue of the socket listening on
    127.0.0.1:`port` (a listening socket's rx_queue in /proc/net/tcp)."""
    local = f"0100007F:{port:04X}"
    with open("/proc/net/tcp") as table:
        for line in table.readlines()[1:]:
            fields = line.split()
            if fields[1] == local and fields[3] == "0A":  # LISTEN
                return int(fields[4].split(":")[1], 16)
    raise AssertionError(f"nothing listens on 127.0.0.1:{port}")
