"""SSH connections that have not logged in are capped per address (esacli/ssh_startups.py),
against `esacli run`: past the cap a connection from that address is closed at once,
while the admin from another address logs in and mail flows; one more is admitted as
soon as one of them goes."""

from __future__ import annotations

import socket
import time
from collections.abc import Iterator

import pytest

from esacli.ssh_startups import PER_ADDRESS
from tests.kit.appliance import Appliance
from tests.kit.smtp import send_mail
from tests.kit.ssh import no_traceback, ssh_batch

FLOODER = "127.0.0.4"
BOUND = 10.0


def admitted(port: int) -> tuple[bool, socket.socket]:
    """A raw connection from FLOODER that says its SSH version: True once the server goes
    on with the key exchange, False when it closes the connection instead."""
    sock = socket.create_connection(("127.0.0.1", port), timeout=BOUND,
                                    source_address=(FLOODER, 0))
    sock.sendall(b"SSH-2.0-flood\r\n")
    seen = b""
    while True:
        chunk = sock.recv(4096)
        if not chunk:
            return False, sock
        seen += chunk
        if b"\r\n" in seen and len(seen.split(b"\r\n", 1)[1]) > 0:  # past the banner
            return True, sock


@pytest.fixture
def held(appliance: Appliance) -> Iterator[list[socket.socket]]:
    socks: list[socket.socket] = []
    yield socks
    for sock in socks:
        sock.close()


def test_a_flood_of_connections_not_logged_in_is_capped(
    appliance: Appliance, held: list[socket.socket]
) -> None:
    for _ in range(PER_ADDRESS):
        ok, sock = admitted(appliance.ssh_port)
        held.append(sock)
        assert ok
    ok, refused = admitted(appliance.ssh_port)
    refused.close()
    assert not ok  # one past the cap
    admin = ssh_batch(appliance, ["status"])  # from 127.0.0.1
    assert admin.returncode == 0, admin.stderr
    assert send_mail(appliance.inbound) < BOUND
    held.pop().close()
    deadline = time.monotonic() + BOUND
    while True:  # admitted again once the server has seen that close
        ok, sock = admitted(appliance.ssh_port)
        held.append(sock)
        if ok:
            break
        assert time.monotonic() < deadline, "no connection admitted after one went"
    logs = (appliance.data / "logs" / "system_logs").read_text()
    assert f"SSH connection from {FLOODER} refused: too many connections not logged in" in logs
    no_traceback(appliance.console(), "the appliance's output")
