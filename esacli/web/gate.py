"""The web console's own accept loop: every connection it holds is a descriptor of the
appliance's process, which also serves SSH and owns the queue, so what a client can make
it hold is bounded in number and in time.

- Counted per source and in all with esacli/ssh_startups.py's `Startups` (a source is an
  IPv4 address or an IPv6 /64): past PER_SOURCE a new connection from that source is
  closed at once; at TOTAL the console stops accepting, and new connections wait in the
  kernel's listen queue (BACKLOG), costing this process nothing, until one closes.
- In time: the TLS handshake within `TIMEOUTS.handshake`; then a complete request header
  within `TIMEOUTS.idle` of the handshake or of the previous answer, and an answer the
  client reads from (esacli/web/connection.py); each request within `TIMEOUTS.request`
  (esacli/web/app.py).

A connection stops counting however it ends (handshake failed or too slow, client gone,
a timeout, the console stopped). Refusals, and the console being full, are each logged at
most once a minute. ESACLI_WEB_HANDSHAKE, ESACLI_WEB_IDLE and ESACLI_WEB_REQUEST (seconds,
read once at start) set the timeouts; the tests shorten or lengthen them.
"""

from __future__ import annotations

import asyncio
import errno
import functools
import logging
import os
import socket
import ssl
from collections.abc import Callable
from dataclasses import dataclass
from typing import NamedTuple

from esacli.ssh_startups import Sparse, Startups, Wording

log = logging.getLogger("esacli.web")

# A browser opens up to 6 connections to one server; a few admins behind one NAT and a
# Prometheus scraper stay well below 32.
PER_SOURCE = 32
# Four such NATs at once: far more than a read-only console needs, and a small share of
# the descriptors the process keeps for SSH, the queue and delivery (engine/service.py).
TOTAL = 128
BACKLOG = 128  # waiting while the console is full; past it the kernel drops the SYN
TLS_CLOSE = 5.0  # seconds for a client to take our close_notify before the socket goes
GRACE = 2.0  # seconds a request in flight gets to finish when the console stops
ACCEPT_RETRY = 1.0  # after an accept error not a client's own: retrying at once would only spin
# accept(2) errors of one client that left (or a signal): anything else waits ACCEPT_RETRY
GONE = frozenset({errno.ECONNABORTED, errno.EPROTO, errno.EINTR, errno.EAGAIN})
WEB = Wording("Web console connection", "too many connections from that source", log)

Gone = Callable[[], None]  # a connection's protocol calls it once the connection is lost
Connection = Callable[[Gone], asyncio.BaseProtocol]


class Timeouts(NamedTuple):
    handshake: float  # TLS handshake, from the accept
    idle: float  # a complete request header, or the client reading our answer
    request: float  # a request's handler, its body read included


def _seconds(variable: str, default: float) -> float:
    try:
        given = float(os.environ.get(variable, default))
    except ValueError:  # a typo in the environment must not stop the console
        return default
    return given if given > 0 else default


TIMEOUTS = Timeouts(_seconds("ESACLI_WEB_HANDSHAKE", 10.0), _seconds("ESACLI_WEB_IDLE", 15.0),
                    _seconds("ESACLI_WEB_REQUEST", 30.0))


def listen(ip: str, port: int) -> socket.socket:
    """The console's listening socket (SO_REUSEADDR: a restart finds its port free)."""
    family = socket.AF_INET6 if ":" in ip else socket.AF_INET
    sock = socket.create_server((ip, port), family=family, backlog=BACKLOG)
    sock.setblocking(False)
    return sock


def _settle(lost: asyncio.Future[None]) -> None:
    if not lost.done():
        lost.set_result(None)


@dataclass(eq=False)
class _Accepted:
    sock: socket.socket
    address: str
    handed: bool = False  # to the loop, which owns the socket from then on


class Gate:
    """Accepts on `sock` while fewer than TOTAL connections are open; each is handed to a
    `connection` protocol once its TLS handshake is done. Made in the running loop."""

    def __init__(self, sock: socket.socket, ctx: ssl.SSLContext, connection: Connection) -> None:
        self._sock, self._ctx, self._connection = sock, ctx, connection
        self.startups = Startups(PER_SOURCE, early_drop=TOTAL, full=TOTAL, wording=WEB)
        self.address: tuple[str, int] = sock.getsockname()[:2]
        self._room = asyncio.Event()
        self._room.set()
        self._tasks: set[asyncio.Task[None]] = set()
        self._full, self._short = Sparse(), Sparse()
        self._accepting = asyncio.create_task(self._accept())

    async def _accept(self) -> None:
        loop = asyncio.get_running_loop()
        while True:
            await self._room.wait()
            try:
                sock, peer = await loop.sock_accept(self._sock)
            except OSError as exc:
                await self._accept_failed(exc)
                continue
            self._admit(sock, str(peer[0]) if peer else "?")
            await asyncio.sleep(0)  # an accept that needs no wait does not yield: let SSH run

    async def _accept_failed(self, exc: OSError) -> None:
        if exc.errno in GONE:  # the client went before its accept: the next one is fine
            return
        # short of descriptors or memory, or the socket itself in trouble: retrying at once
        # would only spin the loop that also serves SSH and the queue
        if self._short.due():
            log.error("Web console: cannot accept a connection: %s", exc.strerror or exc)
        await asyncio.sleep(ACCEPT_RETRY)

    def _admit(self, sock: socket.socket, address: str) -> None:
        if not self.startups.admit(address):
            sock.close()
            return
        accepted = _Accepted(sock, address)
        task = asyncio.create_task(self._serve(accepted))
        self._tasks.add(task)
        task.add_done_callback(functools.partial(self._ended, accepted))
        if self.startups.total >= TOTAL:
            self._room.clear()
            if self._full.due():
                log.warning("Web console: %d connections open, the most it serves at once;"
                            " new ones wait to be accepted", self.startups.total)

    async def _serve(self, accepted: _Accepted) -> None:
        loop = asyncio.get_running_loop()
        lost = loop.create_future()
        accepted.handed = True  # the loop's from here: it closes the socket on every path
        transport = None
        try:
            transport, _ = await loop.connect_accepted_socket(
                lambda: self._connection(functools.partial(_settle, lost)), accepted.sock,
                ssl=self._ctx, ssl_handshake_timeout=TIMEOUTS.handshake,
                ssl_shutdown_timeout=TLS_CLOSE)
            await lost
        except OSError:  # a handshake failed or too slow, a client gone: nothing to answer
            pass
        except Exception:  # a fault with one connection must not go unsaid, nor stop others
            log.exception("Web console connection from %s", accepted.address)
        finally:
            if transport is not None and not lost.done():  # cancelled: the console stops
                transport.abort()

    def _ended(self, accepted: _Accepted, task: asyncio.Task[None]) -> None:
        """Here, not in _serve: a task cancelled before its first step runs none of it."""
        self._tasks.discard(task)
        if not accepted.handed:
            accepted.sock.close()
        self.startups.done(accepted.address)
        if self.startups.total < TOTAL:
            self._room.set()

    async def stop_accepting(self) -> None:
        """Close the listening socket (connections waiting in its queue are reset)."""
        self._accepting.cancel()
        await asyncio.gather(self._accepting, return_exceptions=True)
        self._sock.close()

    async def drop(self) -> None:
        """Close every connection still open, in its handshake or not; none counts after."""
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
