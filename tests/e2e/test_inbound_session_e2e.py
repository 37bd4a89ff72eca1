"""The inbound SMTP session (engine/inbound/protocol.py) against careless and hostile
clients through `esacli run` (its SMTP workers, real sockets): resets in the middle of
large messages, a client that never reads its replies, plaintext pipelined behind
STARTTLS. Afterwards mail still flows (smtplib), the console still answers over
OpenSSH (Ctrl-C and Ctrl-D at its prompt), nothing is left in the spool and every
message a log line started has its end. The in-process versions are in
tests/engine/test_inbound_hostile.py and test_protocol_flow.py."""

from __future__ import annotations

import re
import socket
import ssl
import struct
from pathlib import Path

import pexpect

from state import model
from tests.kit.appliance import Appliance, prepared, running
from tests.kit.smtp import send_mail, starttls_offered
from tests.kit.ssh import PROMPT, ssh_login
from tests.kit.waiting import wait_until

RESETS = 12
FLOOD_LIMIT = 32 * 1024 * 1024  # a server that went on reading would take all of it
BODY_CHUNK = b"x" * 76 + b"\r\n"


def reply(sock: socket.socket, code: bytes) -> bytes:
    """Read until a line starting with `code` and a space has come."""
    seen = b""
    while not re.search(rb"(^|\n)" + code + rb" ", seen):
        data = sock.recv(65536)
        assert data, seen[-300:]
        seen += data
    return seen


def reset_in_data(port: int, size: int) -> None:
    """A transaction whose client resets the connection after `size` bytes of DATA."""
    with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
        reply(sock, b"220")
        sock.sendall(b"EHLO reset.test\r\nMAIL FROM:<a@partner.example>\r\n"
                     b"RCPT TO:<user@example.com>\r\nDATA\r\n")
        reply(sock, b"354")
        sock.sendall(b"Subject: cut\r\n\r\n" + BODY_CHUNK * (size // len(BODY_CHUNK)))
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))


def flooding_client(port: int) -> socket.socket:
    """EHLOs pipelined and never read, until a send waits (the server stopped reading)."""
    sock = socket.socket()
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    sock.connect(("127.0.0.1", port))
    sock.settimeout(2.0)
    sent = 0
    try:
        while sent < FLOOD_LIMIT:
            sent += sock.send(b"EHLO x\r\n" * 512)
    except TimeoutError:
        return sock
    sock.close()
    raise AssertionError(f"the server read all {sent} bytes of a client that reads nothing")


def mail_ids_balanced(log: str) -> bool:
    started = set(re.findall(r"Start MID (\d+)", log))
    ended = set(re.findall(r"MID (\d+) ready", log)) | set(
        re.findall(r"Message aborted MID (\d+)", log))
    return started == ended


def incoming_tmp(app: Appliance) -> list[Path]:
    return list((app.data / "spool" / "incoming").glob("*.tmp"))


def test_resets_and_a_flood_leave_mail_and_the_console_serving(tmp_path: Path) -> None:
    app = prepared(tmp_path)
    with running(app):
        for n in range(RESETS):  # 64 KB to 1 MB: the large ones are written while they come
            reset_in_data(app.inbound, 64 * 1024 * (1 + n * 16 // RESETS))
        flood = flooding_client(app.inbound)
        try:
            send_mail(app.inbound)  # served beside the flood
            child = ssh_login(app)
            child.sendcontrol("c")  # Ctrl-C at the prompt: a new prompt, the session stays
            child.expect_exact(PROMPT)
            child.sendcontrol("d")  # Ctrl-D at the top prompt: as AsyncOS, a new prompt
            child.expect_exact(PROMPT)
            child.sendline("exit")
            child.expect(pexpect.EOF)
        finally:
            flood.close()
        wait_until(lambda: not incoming_tmp(app), timeout=10,
                   what="no message file left of the reset transactions")
        wait_until(lambda: mail_ids_balanced(app.mail_logs()), timeout=10,
                   what="every Start MID ended")
        send_mail(app.inbound)
    assert app.mail_logs().count("Receiving aborted: connection lost") >= RESETS
    assert "Traceback" not in app.system_logs()


def tls_preferred(config: model.Config) -> model.Config:
    listeners = tuple(
        model.replace(li, hat=model.replace(li.hat, default=model.replace(
            li.hat.default, tls=model.TLSMode.PREFERRED))) if li.name == "InboundMail" else li
        for li in config.listeners)
    return model.replace(config, listeners=listeners)


def test_plaintext_pipelined_after_starttls_is_never_run(tmp_path: Path) -> None:
    app = prepared(tmp_path, tls_preferred)
    with running(app):
        assert starttls_offered(app.inbound)
        with socket.create_connection(("127.0.0.1", app.inbound), timeout=10) as sock:
            reply(sock, b"220")
            sock.sendall(b"EHLO inject.test\r\nSTARTTLS\r\n"  # then a whole injected start:
                         b"EHLO inject.test\r\nMAIL FROM:<inject@evil.test>\r\n")
            assert b"220 Go ahead with TLS" in reply(sock, b"220")
            context = ssl.create_default_context()
            context.check_hostname, context.verify_mode = False, ssl.CERT_NONE
            with context.wrap_socket(sock) as tls:
                tls.sendall(b"EHLO inject.test\r\n")
                reply(tls, b"250")  # type: ignore[arg-type]
                tls.sendall(b"RCPT TO:<user@example.com>\r\n")
                assert reply(tls, b"503") == b"503 Error: need MAIL command\r\n"  # type: ignore[arg-type]
        send_mail(app.inbound)
    assert "inject@evil.test" not in app.mail_logs()
