"""Issue 9, item 1 as found: slow clients must not lock everyone out of `esacli run`.

1,000 connections from 100 loopback addresses (10 each, the per-address limit),
half of them idle after the banner and half sending one byte every 5 seconds, fill
InboundMail's default limit of 1,000. A normal client still gets its 220 and
delivers: at the limit the connection without progress for longest makes room.
The appliance starts with a soft open-files limit of 1024, as under systemd, and
must raise it itself. The timeouts are scaled up by configuration so that nothing
but the newcomer ends a held connection during the test.
"""

from __future__ import annotations

import asyncio
import contextlib
import resource
import smtplib
import socket
from collections.abc import Iterator
from pathlib import Path

import pytest

from state import model
from tests.kit.appliance import Appliance, prepared
from tests.kit.waiting import wait_until_async

FLOOD_ADDRESSES = [f"127.0.{1 + n // 250}.{1 + n % 250}" for n in range(100)]
PER_ADDRESS = 10  # the ACCEPTED policy's per-address concurrency
EVICTED = b"421 4.4.2 Too many concurrent connections, closing the idlest one\r\n"


def held_timeouts(config: model.Config) -> model.Config:
    long = model.SmtpTimeouts(greeting=600, command=600, data_block=600, injection=600,
                              stress=600, stress_injection=600, evict_idle=0.01)
    setup = model.replace(config.listener_setup, timeouts=long)
    return model.replace(config, listener_setup=setup)


@pytest.fixture
def flooded(tmp_path: Path) -> Iterator[Appliance]:
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if hard != resource.RLIM_INFINITY and hard < 4096:
        pytest.skip(f"the hard open-files limit ({hard}) cannot hold 1,000 connections twice")
    resource.setrlimit(resource.RLIMIT_NOFILE, (max(soft, 4096), hard))
    app = prepared(tmp_path, held_timeouts)
    app.open_files = 1024
    app.start()
    try:
        yield app
    finally:
        app.stop()
        resource.setrlimit(resource.RLIMIT_NOFILE, (soft, hard))


class Holder:
    """One flood connection: reads its banner, then idles or trickles a byte every 5 s."""

    def __init__(self, source: str, port: int, trickle: bool) -> None:
        self.source, self.port, self.trickle = source, port, trickle
        self.banner = b""
        self.last = b""  # the line the server closed with, if it did
        self.writer: asyncio.StreamWriter | None = None

    async def open(self) -> None:
        sock = socket.socket()
        sock.bind((self.source, 0))
        sock.setblocking(False)
        await asyncio.get_running_loop().sock_connect(sock, ("127.0.0.1", self.port))
        reader, self.writer = await asyncio.open_connection(sock=sock)
        self.banner = await asyncio.wait_for(reader.readline(), 30)
        self.task = asyncio.create_task(self._hold(reader))

    async def _hold(self, reader: asyncio.StreamReader) -> None:
        assert self.writer is not None
        with contextlib.suppress(ConnectionError):
            for byte in b"EHLO slow.client.test\r\n":
                if self.trickle:
                    self.writer.write(bytes([byte]))
                line = await _line_within(reader, 5.0)  # the client's pace: 1 byte / 5 s
                if line is not None:
                    self.last = line
                    return

    async def close(self) -> None:
        self.task.cancel()
        if self.writer is not None:
            self.writer.close()
            with contextlib.suppress(ConnectionError):
                await self.writer.wait_closed()


async def _line_within(reader: asyncio.StreamReader, seconds: float) -> bytes | None:
    try:
        return await asyncio.wait_for(reader.readline(), seconds)
    except TimeoutError:
        return None


def deliver(port: int) -> tuple[bytes, dict[str, tuple[int, bytes]]]:
    with smtplib.SMTP(timeout=30) as client:
        code, banner = client.connect("127.0.0.1", port)
        assert code == 220, banner
        refused = client.sendmail("normal@sender.test", ["user@example.com"],
                                  b"Subject: through the flood\r\n\r\nhello\r\n")
        return banner, refused


async def flood_and_deliver(app: Appliance) -> tuple[list[Holder], bytes]:
    holders = [Holder(ip, app.inbound, trickle=n % 2 == 1)
               for ip in FLOOD_ADDRESSES for n in range(PER_ADDRESS)]
    for start in range(0, len(holders), 50):  # no more at once than the TCP queue of 50
        await asyncio.gather(*(h.open() for h in holders[start:start + 50]))
    try:
        assert [h.banner[:4] for h in holders] == [b"220 "] * 1000  # all 1,000 are held
        banner, refused = await asyncio.to_thread(deliver, app.inbound)
        assert refused == {}
        await wait_until_async(lambda: any(h.last for h in holders), timeout=10)
        gone = [h for h in holders if h.last]
        return gone, banner
    finally:
        await asyncio.gather(*(h.close() for h in holders))


def test_a_normal_client_delivers_while_1000_slow_clients_are_held(flooded: Appliance) -> None:
    gone, banner = asyncio.run(flood_and_deliver(flooded))
    assert banner.startswith(b"mail.example.com")
    assert [h.last for h in gone] == [EVICTED] * len(gone) and 1 <= len(gone) <= 2
    log = flooded.mail_logs()
    assert "Closed at the connection limit as the idlest connection" in log
    assert "From: <normal@sender.test>" in log
    assert "bytes from <normal@sender.test>" in log  # "MID n ready ... bytes from"
    assert "Open files limited" not in log
    assert flooded.proc is not None and flooded.proc.poll() is None
