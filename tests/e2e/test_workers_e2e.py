"""`esacli run --workers 2`: two SMTP worker processes on the same listeners.

- A commit reaches both workers at one instant: once a new connection has seen the new
  policy, no later one sees the old, and both workers serve it.
- kill -9 of a worker under relay load loses no acknowledged message; the supervisor
  starts it again and it serves.
- The smuggling and STARTTLS injection cases hold on every worker.
- A second appliance on the port the first one's workers share (SO_REUSEPORT) does not
  join it: its listener fails "Already in use" and every message goes to the first.
- A TLS 1.1 client refused by a worker (its STARTTLS on uvloop's TLS layer) gets the
  `protocol_version` alert, not a bare close, and the workers go on serving.
Which worker served what is read from the files the workers publish (workers/<n>.json).
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
import json
import os
import re
import signal
import smtplib
import socket
import ssl
import struct
import threading
import time
import warnings
from pathlib import Path

import pytest

from engine.spool import Spool
from engine.workerstatus import alive
from state import model
from tests.kit import smtpsink
from tests.kit.appliance import (
    Appliance,
    commit_change,
    head_number,
    on_ports,
    prepared,
    running,
)
from tests.kit.queue import DOMAIN, RelayLoad, relay_appliance
from tests.kit.smtpsink import SmtpSink
from tests.kit.waiting import wait_until, wait_until_async

WORKERS = ("--workers", "2")
DEADLINE = 3.0  # s from the commit's return to the new policy (0.2-0.35 s measured; loose: load)


def worker_files(app: Appliance) -> dict[int, dict[str, object]]:
    found = {}
    for path in (app.data / "workers").glob("*.json"):
        try:
            doc = json.loads(path.read_text())
        except (OSError, ValueError):
            continue  # being replaced: read it again later
        found[int(doc["index"])] = doc
    return found


def received_by_worker(app: Appliance) -> dict[int, int]:
    return {i: int(doc["counters"]["messages_received"])  # type: ignore[index]
            for i, doc in worker_files(app).items()}


def commit_banner(app: Appliance, name: str) -> None:
    """From this process, as another shell would: InboundMail's default banner host."""
    def change(config: model.Config) -> model.Config:
        listeners = []
        for li in config.listeners:
            if li.name == "InboundMail":
                default = model.replace(li.hat.default, banner_hostname=name)
                li = model.replace(li, hat=model.replace(li.hat, default=default))
            listeners.append(li)
        return model.replace(config, listeners=tuple(listeners))

    commit_change(app.data, change, "new banner")


def one_message(port: int) -> str:
    with smtplib.SMTP(timeout=10) as client:
        banner = client.connect("127.0.0.1", port)[1].decode()
        client.sendmail("a@sender.test", ["u@example.com"], b"Subject: w\r\n\r\nx\r\n")
    return banner


def test_a_commit_reaches_both_workers_at_one_instant(tmp_path: Path) -> None:
    app = prepared(tmp_path)
    app.args = WORKERS
    with running(app):
        wait_until(lambda: len(worker_files(app)) == 2, what="two workers")
        assert "new.example" not in one_message(app.inbound)
        banners: list[tuple[float, bool]] = []
        at_switch: dict[int, int] = {}
        stop = threading.Event()

        def probe() -> None:
            deadline = time.monotonic() + 20
            while not stop.is_set() and time.monotonic() < deadline:
                new = "new.example" in one_message(app.inbound)
                if new and not at_switch:
                    at_switch.update(received_by_worker(app))
                banners.append((time.monotonic(), new))
                if sum(n for _, n in banners) >= 40:
                    return

        prober = threading.Thread(target=probe)
        prober.start()
        wait_until(lambda: len(banners) >= 5, what="connections before the commit")
        commit_banner(app, "new.example")
        committed = time.monotonic()
        prober.join(timeout=30)
        stop.set()
        seen = [new for _, new in banners]
        first = seen.index(True)
        assert all(seen[first:]), "the old policy was served after the new one"
        assert banners[first][0] - committed < DEADLINE
        assert len(seen) - first >= 40
        # both workers served connections under the new policy
        wait_until(lambda: all(received_by_worker(app).get(i, 0) > at_switch.get(i, 0)
                               for i in (0, 1)), what="both workers to serve the new version")


def thread_policies(pid: int) -> dict[int, int]:
    """Thread id -> scheduling policy (field 41 of /proc/PID/task/TID/stat)."""
    found = {}
    for task in Path(f"/proc/{pid}/task").iterdir():
        with contextlib.suppress(OSError):
            fields = (task / "stat").read_text().rsplit(")", 1)[1].split()
            found[int(task.name)] = int(fields[38])
    return found


@pytest.mark.skipif(not hasattr(os, "SCHED_BATCH"), reason="Linux scheduling classes")
def test_the_fsync_threads_never_preempt_their_event_loops(tmp_path: Path) -> None:
    app = prepared(tmp_path)
    app.args = WORKERS
    with running(app):
        wait_until(lambda: len(worker_files(app)) == 2, what="two workers")
        for _ in range(40):  # a worker starts its spool's fsync thread with its first message
            if all(n > 0 for n in received_by_worker(app).values()):
                break
            one_message(app.inbound)
        assert app.proc is not None
        pids = [app.proc.pid, *(int(str(doc["pid"])) for doc in worker_files(app).values())]
        for pid in pids:  # the appliance's (the queue database's thread), each worker's
            policies = thread_policies(pid)
            assert os.SCHED_BATCH in policies.values(), pid
            assert policies[pid] == os.SCHED_OTHER  # the event loop's own thread


@pytest.mark.skipif(not smtpsink.available(), reason="needs smtp-sink (Debian package postfix)")
async def test_kill_9_of_a_worker_loses_no_acknowledged_message(tmp_path: Path) -> None:
    with SmtpSink() as sink:
        app = relay_appliance(tmp_path / "data", sink.port, per_conn=10, concurrency=4)
        app.args = WORKERS
        load = RelayLoad("127.0.0.1", app.outbound, DOMAIN, per_connection=1)
        await asyncio.to_thread(app.start)
        clients = load.start(4)
        try:
            await wait_until_async(lambda: len(load.acked) >= 30, 30, "the load")
            victim = worker_files(app)[0]
            os.kill(int(victim["pid"]), signal.SIGKILL)  # type: ignore[arg-type]
            await wait_until_async(
                lambda: (doc := worker_files(app).get(0)) is not None
                and doc["pid"] != victim["pid"] and alive(int(doc["pid"])),  # type: ignore[arg-type]
                30, "the supervisor to start worker 0 again")
            restarted = received_by_worker(app).get(0, 0)
            await wait_until_async(lambda: received_by_worker(app).get(0, 0) > restarted + 5,
                                   30, "the new worker 0 to serve")
            await load.stop(clients)
            await wait_until_async(lambda: not Spool(app.data / "spool").messages(),
                                   30, "the queue to drain")
            await wait_until_async(lambda: load.acked <= delivered(sink),
                                   30, "every acknowledged message at the sink")
        finally:
            await load.stop(clients, cancel=True)
            await asyncio.to_thread(app.stop)
        lost = load.acked - delivered(sink)
    assert not lost, f"{len(lost)} of {len(load.acked)} acknowledged messages lost"
    system_logs = (app.data / "logs" / "system_logs").read_text()
    assert f"SMTP worker 0 (pid {victim['pid']}) ended with status -9" in system_logs


def delivered(sink: SmtpSink) -> set[int]:
    return {RelayLoad.number(r) for r in sink.recipients()}


def raw(port: int, data: bytes, wait_for: bytes, tls: bool = False) -> bytes:
    """Send `data` on a new connection (after EHLO, and STARTTLS if asked); what came back."""
    with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
        reply = sock.recv(1000)
        sock.sendall(b"EHLO client.test\r\n")
        reply += _until(sock, b"250 ")
        if tls:
            sock.sendall(b"STARTTLS\r\nMAIL FROM:<evil@attacker.test>\r\n")
            _until(sock, b"220 ")
            context = ssl.create_default_context()
            context.check_hostname, context.verify_mode = False, ssl.CERT_NONE
            with context.wrap_socket(sock) as secure:
                secure.sendall(b"EHLO client.test\r\n")
                _until(secure, b"250 ")
                secure.sendall(data)
                return _until(secure, wait_for)
        sock.sendall(data)
        return reply + _until(sock, wait_for)


def _until(sock: socket.socket, marker: bytes) -> bytes:
    got = b""
    while marker not in got:
        chunk = sock.recv(4096)
        if not chunk:
            break
        got += chunk
    return got


def tls_preferred(config: model.Config) -> model.Config:
    listeners = []
    for li in config.listeners:
        if li.name == "InboundMail":
            default = model.replace(li.hat.default, tls=model.TLSMode.PREFERRED)
            li = model.replace(li, hat=model.replace(li.hat, default=default))
        listeners.append(li)
    return model.replace(config, listeners=tuple(listeners))


def test_smuggling_and_starttls_injection_on_every_worker(tmp_path: Path) -> None:
    app = prepared(tmp_path, tls_preferred)
    app.args = WORKERS
    smuggled = (b"MAIL FROM:<a@b.test>\r\nRCPT TO:<u@example.com>\r\nDATA\r\n"
                b"Subject: s\r\n\r\nfirst\n.\nMAIL FROM:<evil@x.test>\r\n"
                b"RCPT TO:<v@example.com>\r\n"
                b"still\r.\rdata\n.\r\nmore\r\n.\r\nQUIT\r\n")
    with running(app):
        wait_until(lambda: len(worker_files(app)) == 2, what="two workers")
        for _ in range(12):  # new connections: both workers take some
            reply = raw(app.inbound, smuggled, b"221")
            assert reply.count(b"250 ok:  Message") == 1, reply
            after = raw(app.inbound, b"RCPT TO:<u@example.com>\r\nQUIT\r\n", b"221", tls=True)
            assert b"503" in after, after  # the injected MAIL FROM was discarded
        wait_until(lambda: all(v > 0 for v in received_by_worker(app).values()),
                   what="both workers to have served")
        assert len(received_by_worker(app)) == 2
    log = app.mail_logs()
    assert "evil@x.test" not in log and "evil@attacker.test" not in log
    assert log.count(" ready ") >= 12


def tls11_only() -> ssl.SSLContext:
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    context.check_hostname, context.verify_mode = False, ssl.CERT_NONE
    context.set_ciphers("DEFAULT:@SECLEVEL=0")  # OpenSSL 3 offers TLS 1.1 only at level 0
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)  # TLS 1.1 is deprecated: the point
        context.minimum_version = context.maximum_version = ssl.TLSVersion.TLSv1_1
    return context


def refused_handshake(port: int) -> str:
    """STARTTLS, then a TLS 1.1 handshake: what the client's OpenSSL says ended it."""
    with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
        _until(sock, b"220 ")
        sock.sendall(b"EHLO client.test\r\n")
        _until(sock, b"250 ")
        sock.sendall(b"STARTTLS\r\n")
        _until(sock, b"220 ")
        try:
            tls11_only().wrap_socket(sock).close()
        except (ssl.SSLError, OSError) as error:
            return str(error)
    return "handshake completed"


def test_a_tls11_client_gets_the_protocol_version_alert_from_the_workers(
    tmp_path: Path,
) -> None:
    """Refused and good handshakes at once: each refused client gets its own alert (the
    alert goes to the connection whose handshake failed), each good one its session."""
    app = prepared(tmp_path, tls_preferred)
    app.args = WORKERS
    with running(app):
        wait_until(lambda: len(worker_files(app)) == 2, what="two workers")
        # 6 at a time: under the policy's 10 connections per host
        with concurrent.futures.ThreadPoolExecutor(6) as pool:
            refused = [pool.submit(refused_handshake, app.inbound) for _ in range(8)]
            good = [pool.submit(raw, app.inbound, b"QUIT\r\n", b"221", True) for _ in range(8)]
            ended, served = [f.result() for f in refused], [f.result() for f in good]
        # the server's alert, as the client names it (a bare close is an EOF error)
        assert all("TLSV1_ALERT_PROTOCOL_VERSION" in e for e in ended), ended
        assert all(b"221" in s for s in served), served
        wait_until(lambda: app.mail_logs().count("TLS failed: unsupported protocol") == 8,
                   what="eight failed handshakes in mail_logs")


def quick_command_timeout(config: model.Config) -> model.Config:
    timeouts = model.replace(config.listener_setup.timeouts, command=0.5)
    setup = model.replace(config.listener_setup, timeouts=timeouts)
    return tls_preferred(model.replace(config, listener_setup=setup))


def silent_in_handshake(port: int) -> socket.socket:
    """A client that says STARTTLS, then nothing: its handshake never starts."""
    sock = socket.create_connection(("127.0.0.1", port), timeout=10)
    assert _until(sock, b"220 ").startswith(b"220 "), "refused at the banner"
    sock.sendall(b"EHLO client.test\r\n")
    _until(sock, b"250 ")
    sock.sendall(b"STARTTLS\r\n")
    _until(sock, b"220 ")
    return sock


def timed_out_and_closed(log: str) -> int | None:
    """How many connections timed out in mail_logs, or None while one is not closed yet
    (by ICID: the start-up's readiness probe, logged late or not at all, is not one)."""
    timed_out = set(re.findall(r"ICID (\d+) Receiving Failed: Timeout waiting for a command", log))
    closed = set(re.findall(r"ICID (\d+) close\n", log))
    return len(timed_out) if timed_out <= closed else None


def test_a_client_silent_in_its_handshake_is_closed_and_frees_its_place(
    tmp_path: Path,
) -> None:
    """Neither TLS layer reports a connection lost in its handshake: the engine must, or
    each such client keeps one of the 10 places a host has for good (two rounds of 6)."""
    app = prepared(tmp_path, quick_command_timeout)
    app.args = WORKERS
    with running(app):
        for round_ in (1, 2):
            held = [silent_in_handshake(app.inbound) for _ in range(6)]
            for sock in held:
                with sock:
                    _until(sock, b"\0")  # until the server closes it (its deadline)
            wait_until(lambda n=6 * round_: timed_out_and_closed(app.mail_logs()) == n,
                       what=f"{6 * round_} connections timed out and closed in mail_logs")
        assert b"221" in raw(app.inbound, b"QUIT\r\n", b"221", tls=True)


def test_a_second_appliance_does_not_join_the_workers_port(tmp_path: Path) -> None:
    first = prepared(tmp_path / "a")
    first.args = WORKERS
    with running(first):
        second = prepared(tmp_path / "b", lambda c: on_ports(c, {"InboundMail": first.inbound}))
        second.inbound = second.outbound  # (start() waits for it: InboundMail cannot listen)
        second.args = WORKERS
        with running(second):
            where = f"127.0.0.1:{first.inbound}"
            wait_until(lambda: f"Listener InboundMail on {where}: Failed: Already in use"
                       in second.console(), what="the second appliance's listener to fail")
            for n in range(20):  # over fresh connections: the kernel would spread them
                with smtplib.SMTP("127.0.0.1", first.inbound, timeout=10) as client:
                    client.sendmail("a@example.com", [f"u{n}@example.com"], b"S: x\r\n\r\nx\r\n")
            wait_until(lambda: first.mail_logs().count("Start MID") == 20,
                       what="the first appliance to take every message")
            assert "Start MID" not in second.mail_logs()


def test_a_handshake_cut_off_is_worded_one_way(tmp_path: Path) -> None:
    """A peer gone mid-handshake, after part of a record or after a whole ClientHello:
    the same event in the system's words, never an exception's class name."""
    app = prepared(tmp_path, tls_preferred)
    app.args = WORKERS
    with running(app):
        for _ in range(4):
            with silent_in_handshake(app.inbound) as sock:
                sock.sendall(bytes.fromhex("160301020001"))  # the start of a ClientHello
        with silent_in_handshake(app.inbound) as sock:
            context = ssl.create_default_context()
            context.check_hostname, context.verify_mode = False, ssl.CERT_NONE
            outgoing = ssl.MemoryBIO()
            hello = context.wrap_bio(ssl.MemoryBIO(), outgoing)
            with contextlib.suppress(ssl.SSLWantReadError):
                hello.do_handshake()
            sock.sendall(outgoing.read())
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        wait_until(lambda: len(re.findall(r"TLS failed: (.*)", app.mail_logs())) == 5,
                   what="five failed handshakes in mail_logs")
        reasons = set(re.findall(r"TLS failed: (.*)", app.mail_logs()))
        assert not any(re.fullmatch(r"\w+(Error|Exception)", r) for r in reasons), reasons
        assert b"221" in raw(app.inbound, b"QUIT\r\n", b"221", tls=True)


def test_counters_after_a_restart_count_from_its_start(tmp_path: Path) -> None:
    """The workers' files of the run before are not a worker restarted within this run:
    status's Uptime counters all count from the new start."""
    app = prepared(tmp_path)

    def received() -> int:
        return int(app.status().get("counters", {}).get("messages_received", -1))

    with running(app):
        for _ in range(3):
            one_message(app.inbound)
        wait_until(lambda: received() == 3, 10, "status to count 3 messages")
    with running(app):
        one_message(app.inbound)
        wait_until(lambda: sum(received_by_worker(app).values()) == 1, 10, "a worker's count")
        counted = app.status().get("updated", 0)
        wait_until(lambda: app.status().get("updated", 0) > counted, 10, "status written after")
        assert received() == 1


def test_a_stuck_worker_is_replaced(tmp_path: Path) -> None:
    """A worker whose event loop stops answering (SIGSTOP stands in for a stuck loop)
    keeps its share of new connections and serves none: the supervisor kills it and
    starts another, and mail flows on both workers' port again."""
    app = prepared(tmp_path)
    app.env = {"ESACLI_WORKER_HANG": "5"}
    with running(app):
        wait_until(lambda: set(worker_files(app)) == {0, 1}, 20, "both workers")
        commit_banner(app, "stuck.example")  # answered by both: their loops have run
        head = head_number(app.data)
        wait_until(lambda: all(d.get("version") == head for d in worker_files(app).values()),
                   20, "both workers on the new version")
        stuck = int(worker_files(app)[0]["pid"])  # type: ignore[call-overload]
        os.kill(stuck, signal.SIGSTOP)
        try:
            wait_until(lambda: "has not answered for" in app.mail_logs() + app.system_logs(),
                       30, "the stuck worker noticed")
            wait_until(lambda: int(worker_files(app).get(0, {}).get("pid", stuck)) != stuck,  # type: ignore[call-overload]
                       30, "worker 0 started again")
        finally:
            with contextlib.suppress(ProcessLookupError):
                os.kill(stuck, signal.SIGCONT)  # ours, if it is still there
        assert not alive(stuck)
        for _ in range(10):  # new connections go to both workers: none hangs
            one_message(app.inbound)
    assert f"SMTP worker 0 (pid {stuck}) has not answered for" in app.system_logs()


def test_a_supervisor_held_up_blames_no_worker(tmp_path: Path) -> None:
    """The appliance's own process stopped for longer than the workers may stay silent:
    their answers wait unread meanwhile; once it runs again it kills none of them."""
    app = prepared(tmp_path)
    app.env = {"ESACLI_WORKER_HANG": "3"}
    with running(app):
        wait_until(lambda: set(worker_files(app)) == {0, 1}, 20, "both workers")
        pids = {i: d["pid"] for i, d in worker_files(app).items()}
        assert app.proc is not None
        os.kill(app.proc.pid, signal.SIGSTOP)
        try:
            started = time.monotonic()
            while time.monotonic() - started < 7:  # the workers serve on meanwhile
                assert one_message(app.inbound).startswith("mail.example.com")
        finally:
            os.kill(app.proc.pid, signal.SIGCONT)
        commit_banner(app, "late.example")  # a round of the supervisor's after its resume
        head = head_number(app.data)
        wait_until(lambda: all(d.get("version") == head for d in worker_files(app).values()),
                   20, "both workers on the new version")
        assert {i: d["pid"] for i, d in worker_files(app).items()} == pids
    assert "has not answered" not in app.system_logs()
