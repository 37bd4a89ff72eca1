"""Loopback ports for tests, without the probe-and-reuse race.

A port found by binding port 0 and closing the socket is free only until somebody else
takes it: under parallel runs another test's bind(0) or outgoing connection can get it
before the server under test binds it. So:

- Where the server under test can bind port 0 itself and report its port, let it: the
  engine with port 0 in a test configuration (`engine.bound_port`), `esacli run --ssh
  127.0.0.1:0` (its console line), FakeMX, HttpsServer, the web console's override.
- Where the port must be known before the server starts (a port written into a committed
  configuration, Postfix's master.cf, PostgreSQL's -p), `reserve()` holds it: it leaves
  the port in TIME_WAIT on its address (a connection accepted and closed from the
  listening side). For the next 60 seconds the kernel gives that port to no bind(0) and
  no outgoing connection, while a server that binds it with SO_REUSEADDR, as the engine,
  asyncio, Postfix, PostgreSQL, NSD, Unbound and dnsmasq all do, gets it at once. A
  reservation also bridges the moment a listener closes its socket and binds the same
  port on another address.
- UDP has no such state: `udp_port()` only probes, and servers that need a UDP port are
  started through `start_on_free_port`, which tries another port when the bind lost.
"""

from __future__ import annotations

import socket
from collections.abc import Callable, Iterator
from contextlib import contextmanager

# Ports below the kernel's ephemeral range are never handed out by bind(0), so nothing a
# test starts can ever answer here: a resolver pointed at it fails at once.
DEAD_UDP_PORT = 9  # "discard", unused on these machines


def reserve(ip: str = "127.0.0.1", port: int = 0) -> int:
    """A TCP port on `ip` that stays out of the kernel's hands for a minute (see above)."""
    with socket.socket() as listener:
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind((ip, port))
        listener.listen(1)
        address = listener.getsockname()
        with socket.socket() as client:
            client.connect(address)
            accepted, _ = listener.accept()
            accepted.close()  # closed first: the TIME_WAIT is on `address`
        return int(address[1])


def reserve_on(*ips: str) -> int:
    """One TCP port reserved on every address in `ips` (machines sharing a port)."""
    for _ in range(50):
        port = reserve(ips[0])
        try:
            for ip in ips[1:]:
                reserve(ip, port)
        except OSError:
            continue
        return port
    raise RuntimeError(f"no port free on every one of {ips}")


def udp_port(ip: str = "127.0.0.1") -> int:
    """A UDP port free right now (a probe: see `start_on_free_port`)."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        probe.bind((ip, 0))
        return int(probe.getsockname()[1])


def dns_port(ip: str = "127.0.0.1") -> int:
    """A port free for UDP (probed) and reserved for TCP: DNS servers answer on both."""
    for _ in range(50):
        port = udp_port(ip)
        try:
            return reserve(ip, port)
        except OSError:
            continue
    raise RuntimeError("no port free for both UDP and TCP")


def start_on_free_port(start: Callable[[int], bool], pick: Callable[[], int] = dns_port,
                       tries: int = 5) -> int:
    """Call `start(port)` with a fresh port until it says the server came up; the port."""
    for _ in range(tries):
        port = pick()
        if start(port):
            return port
    raise RuntimeError(f"the server did not start on any of {tries} free ports")


@contextmanager
def held_port(ip: str = "127.0.0.1") -> Iterator[int]:
    """A TCP port another program listens on, for as long as the block runs."""
    with socket.socket() as sock:
        sock.bind((ip, 0))
        sock.listen()
        yield int(sock.getsockname()[1])


@contextmanager
def silent_udp_port(ip: str = "127.0.0.1") -> Iterator[int]:
    """A UDP port that takes every datagram and answers none: a DNS server that hangs."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        sock.bind((ip, 0))
        yield int(sock.getsockname()[1])


def accepts(port: int, ip: str = "127.0.0.1") -> bool:
    """Something accepts TCP connections on `ip`:`port` right now."""
    try:
        with socket.create_connection((ip, port), timeout=1):
            return True
    except OSError:
        return False
