"""SSH connections that have not logged in are capped per address (esacli/ssh_startups.py),
against `esacli run`: past the cap a connection from that address is closed at once,
while the admin from another address logs in and mail flows; one more is admitted as
soon as one of them goes."""

from __future__ import annotations

import asyncio
import socket
import time
from collections.abc import Iterator

import pytest

from esacli.ssh_startups import PER_SOURCE
from tests.e2e.guessers import guess
from tests.kit.appliance import Appliance
from tests.kit.smtp import send_mail
from tests.kit.ssh import no_traceback, ssh_batch

FLOODER = "127.0.0.4"
BOUND = 10.0


def hold(port: int) -> socket.socket:
    """A raw connection from FLOODER that says its SSH version and goes no further."""
    sock = socket.create_connection(("127.0.0.1", port), timeout=BOUND,
                                    source_address=(FLOODER, 0))
    sock.sendall(b"SSH-2.0-flood\r\n")
    assert sock.recv(4096).startswith(b"SSH-2.0-")  # the server's banner
    return sock


def admitted(port: int) -> bool:
    """Whether a client from FLOODER gets as far as being asked a password (it offers a
    wrong one); a refused connection is closed before that."""
    return asyncio.run(guess(port, FLOODER)) > 0


@pytest.fixture
def held(appliance: Appliance) -> Iterator[list[socket.socket]]:
    socks: list[socket.socket] = []
    yield socks
    for sock in socks:
        sock.close()


def test_a_flood_of_connections_not_logged_in_is_capped(
    appliance: Appliance, held: list[socket.socket]
) -> None:
    held += [hold(appliance.ssh_port) for _ in range(PER_SOURCE)]
    assert not admitted(appliance.ssh_port)  # one past the cap
    admin = ssh_batch(appliance, ["status"])  # from 127.0.0.1
    assert admin.returncode == 0, admin.stderr
    assert send_mail(appliance.inbound) < BOUND
    held.pop().close()
    deadline = time.monotonic() + BOUND
    while not admitted(appliance.ssh_port):  # once the server has seen that close
        assert time.monotonic() < deadline, "no connection admitted after one went"
    logs = (appliance.data / "logs" / "system_logs").read_text()
    assert f"SSH connection from {FLOODER} refused: too many connections not logged in" in logs
    no_traceback(appliance.console(), "the appliance's output")
