"""The web console of a real `esacli run --web` holds only what its gate allows
(esacli/web/gate.py): a flood of 1,500 connections that never send leaves the appliance's
descriptors bounded (the console stops accepting at its total; the rest wait in the
kernel's queue) while the admin logs in over SSH and mail flows, and the console answers
again once the flood is gone; one source past its cap is closed at once while another is
served; a dribbled header, an idle connection and a slow body are closed within their
timeouts; and every answer, aiohttp's own included, carries the security headers.

The timeouts are set for the test (ESACLI_WEB_*): a handshake long enough that nothing
but the test closes a held connection, an idle and a request timeout of a few seconds."""

from __future__ import annotations

import contextlib
import resource
import socket
import time
from collections.abc import Iterator

import httpx
import pytest

from esacli.web.app import HEADERS
from esacli.web.gate import PER_SOURCE, TOTAL
from tests.kit.appliance import PASSWORD, Appliance, mail_flows, prepared, running
from tests.kit.ports import reserve
from tests.kit.ssh import PROMPT, no_traceback, ssh_login
from tests.kit.waiting import wait_until
from tests.web.gate_kit import (
    BOUND,
    client_context,
    closed_within,
    descriptors,
    get,
    plain,
    served,
    tls,
    waiting,
)

IDLE = REQUEST = 3.0
SLACK = 3.0  # a busy CI machine's lateness on top of a timeout
FLOOD = [f"127.0.0.{2 + n}" for n in range(50)]  # 30 connections each: under PER_SOURCE
EACH = 30
# SSH's session, mail's connections, log files: what the process may open besides
MARGIN = 64


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Appliance]:
    appliance = prepared(tmp_path_factory.mktemp("web-gate"))
    appliance.args = ("--web", f"127.0.0.1:{reserve()}")
    appliance.env = {"ESACLI_WEB_HANDSHAKE": "120", "ESACLI_WEB_IDLE": str(IDLE),
                     "ESACLI_WEB_REQUEST": str(REQUEST)}
    with running(appliance):
        yield appliance


@pytest.fixture(scope="module")
def port(app: Appliance) -> int:
    return int(app.args[1].rsplit(":", 1)[1])


@pytest.fixture
def held() -> Iterator[list[socket.socket]]:
    socks: list[socket.socket] = []
    yield socks
    for sock in socks:
        sock.close()


@pytest.fixture
def many_files() -> Iterator[None]:
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if hard != resource.RLIM_INFINITY and hard < 4096:
        pytest.skip(f"the hard open-files limit ({hard}) cannot hold the flood")
    resource.setrlimit(resource.RLIMIT_NOFILE, (max(soft, 4096), hard))
    yield
    resource.setrlimit(resource.RLIMIT_NOFILE, (soft, hard))


def flood(port: int, held: list[socket.socket]) -> None:
    """EACH connections from each FLOOD source, not waited for: once the console is full
    the kernel queues some and leaves the rest retrying their SYN."""
    for source in FLOOD:
        for _ in range(EACH):
            sock = socket.socket()
            held.append(sock)
            sock.bind((source, 0))
            sock.setblocking(False)
            sock.connect_ex(("127.0.0.1", port))


def test_a_flood_never_takes_the_process_descriptors(
        app: Appliance, port: int, held: list[socket.socket], many_files: None) -> None:
    assert app.proc is not None and served(port, "127.0.0.60")
    pid = app.proc.pid
    before = descriptors(pid)
    flood(port, held)
    # full: TOTAL held (a descriptor a few other files may have closed since) and the rest
    # left waiting in the kernel's queue
    wait_until(lambda: waiting(port) > 0 and descriptors(pid) >= before + TOTAL - 8, BOUND,
               "the console full, connections queued")
    most = [descriptors(pid)]
    admin = ssh_login(app)  # from 127.0.0.1
    try:
        most.append(descriptors(pid))
        mail_flows(app)
        most.append(descriptors(pid))
        admin.sendline("status")
        admin.expect_exact(PROMPT)
    finally:
        admin.close()
    assert max(most) <= before + TOTAL + MARGIN, (before, most)
    for sock in held:
        sock.close()
    held.clear()
    wait_until(lambda: served(port, "127.0.0.60"), 20, "the console to answer again")
    wait_until(lambda: descriptors(pid) <= before + 8, BOUND, "the flood's descriptors released")
    logs = app.system_logs()
    assert (f"Web console: {TOTAL} connections open, the most it serves at once;"
            " new ones wait to be accepted") in logs
    no_traceback(logs + app.console(), "system_logs and the console")


def test_one_source_past_its_cap_is_closed_while_another_is_served(
        app: Appliance, port: int, held: list[socket.socket]) -> None:
    source = "127.0.0.70"
    held += [plain(port, source) for _ in range(PER_SOURCE)]
    with plain(port, source) as extra:  # closed at once: the handshake timeout is 120 s
        assert closed_within(extra, BOUND), "one past the cap was not closed"
    assert served(port, "127.0.0.71")
    one = client_context().wrap_socket(held[-1])  # a held one goes on, its TLS done now
    held.append(one)
    one.sendall(b"GET /login HTTP/1.1\r\nHost: x\r\n\r\n")
    assert one.recv(4096).startswith(b"HTTP/1.1 200")
    held.pop(0).close()
    wait_until(lambda: served(port, source), BOUND, "one more admitted once one went")
    assert (f"Web console connection from {source} refused: too many connections from"
            " that source") in app.system_logs()


def seconds_to_close(sock: socket.socket, dribble: bytes) -> float:
    """Send `dribble` a byte at a time, each after waiting up to 0.2 s for the server to
    close; how long it took to close (fails after IDLE + SLACK)."""
    started = time.monotonic()
    for byte in dribble:
        sock.sendall(bytes([byte]))
        if closed_within(sock, 0.2):
            return time.monotonic() - started
        assert time.monotonic() - started < IDLE + SLACK, "still open"
    raise AssertionError("the dribble ended before the server closed")


def test_a_dribbled_header_is_closed_within_the_idle_timeout(
        port: int, held: list[socket.socket]) -> None:
    sock = tls(port, "127.0.0.80")
    held.append(sock)
    took = seconds_to_close(sock, b"GET / HTTP/1.1\r\nHost: x\r\nX-Slow: " + b"a" * 1000)
    assert IDLE - 0.5 < took < IDLE + SLACK, took


def test_an_idle_connection_is_closed_after_its_answer(
        port: int, held: list[socket.socket]) -> None:
    sock = tls(port, "127.0.0.81")
    held.append(sock)
    sock.sendall(b"GET /login HTTP/1.1\r\nHost: x\r\n\r\n")
    assert sock.recv(65536).startswith(b"HTTP/1.1 200")
    assert closed_within(sock, IDLE + SLACK)
    with tls(port, "127.0.0.81") as silent:
        assert closed_within(silent, IDLE + SLACK)  # nothing sent at all


def test_a_slow_body_is_answered_408(port: int, held: list[socket.socket]) -> None:
    sock = tls(port, "127.0.0.82")
    held.append(sock)
    url = f"https://127.0.0.1:{port}"
    sock.sendall(f"POST /login HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nOrigin: {url}\r\n"
                 "Content-Type: application/x-www-form-urlencoded\r\n"
                 "Content-Length: 1000\r\n\r\nuser=".encode())
    started, answer = time.monotonic(), b""
    while b"\r\n\r\n" not in answer:  # the answer's header, in as many reads as it takes
        assert time.monotonic() - started < REQUEST + SLACK, f"no answer: {answer!r}"
        if not answer:
            sock.sendall(b"a")
        sock.settimeout(0.2)
        with contextlib.suppress(TimeoutError):
            answer += sock.recv(65536)
    assert answer.startswith(b"HTTP/1.1 408"), answer[:100]
    assert b"X-Frame-Options: DENY" in answer
    assert REQUEST - 0.5 < time.monotonic() - started < REQUEST + SLACK


@pytest.mark.parametrize(("method", "path", "status"), [
    ("GET", "/login", 200),
    ("GET", "/", 303),  # a redirect to /login
    ("GET", "/no-such-page", 303),  # no session: the same
    ("PUT", "/login", 405),
    ("GET", "/" + "x" * 9000, 400),  # aiohttp's own: the request line is too long
])
def test_every_answer_carries_the_security_headers(
        port: int, method: str, path: str, status: int) -> None:
    answer = get(port, "127.0.0.90", path, method)
    assert answer.status_code == status
    assert {k: answer.headers.get(k) for k in HEADERS} == HEADERS


def test_a_logged_in_404_carries_the_security_headers(port: int) -> None:
    url = f"https://127.0.0.1:{port}"
    transport = httpx.HTTPTransport(local_address="127.0.0.91", verify=client_context())
    with httpx.Client(transport=transport, base_url=url, timeout=BOUND) as client:
        login = client.post("/login", data={"user": "admin", "password": PASSWORD},
                            headers={"Origin": url})
        assert login.status_code == 303
        for answer in (login, client.get("/no-such-page"), client.put("/")):
            assert {k: answer.headers.get(k) for k in HEADERS} == HEADERS, answer
        assert [client.get("/no-such-page").status_code, client.put("/").status_code] == \
            [404, 405]
