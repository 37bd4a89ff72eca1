"""Nothing a remote MX says stops mail (`esacli run`, smtproutes to loopback servers):
hostile.test goes to a server of the test's own that refuses one recipient with a
multi-line reply whose second line reads like a header field and holds control
characters, and answers DATA with 250 (no 354) for another; good.test goes to a fake MX
that behaves. Good mail is delivered at once; the refusal bounces once (no delivery loop)
with a DSN showing the reply on one line, escaped; the 250-to-DATA message is deferred,
not counted delivered; mail_logs holds no raw control character; SSH still answers."""

from __future__ import annotations

import asyncio
import email
import smtplib
from email.message import Message
from pathlib import Path
from typing import cast

from engine.queue.admin import QueueAdmin
from state import model
from tests.kit.appliance import Appliance, prepared
from tests.kit.fakemx import Behaviour, FakeMX
from tests.kit.ports import reserve
from tests.kit.ssh import ssh_exec
from tests.kit.waiting import wait_until_async

SENDER = "sender@origin.test"
REFUSED, SILENT = "gone@hostile.test", "silent@hostile.test"
RETRY = 3600  # only the first attempt happens within the test
CONTROLS = bytes(range(0x20)).replace(b"\n", b"") + b"\x7f"


async def hostile(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    """RCPT for REFUSED: the header-like multi-line 550; DATA: 250 at once."""
    writer.write(b"220 hostile.test ESMTP\r\n")
    while line := await reader.readline():
        verb = line[:4].upper()
        if verb == b"RCPT" and REFUSED.encode() in line:
            writer.write(b"550-No such user \x1b[2J\x00\r\n550 Reason: unknown\r\n")
        elif verb == b"DATA":
            writer.write(b"250 2.0.0 sure\r\n")
        elif verb == b"QUIT":
            writer.write(b"221 bye\r\n")
            return
        else:
            writer.write(b"250 hostile.test\r\n")
        await writer.drain()


def prepare(tmp_path: Path, hostile_port: int, good_port: int) -> Appliance:
    def routed(config: model.Config) -> model.Config:
        def to(port: int) -> tuple[model.RouteHost, ...]:
            return (model.RouteHost(host="127.0.0.1", port=port),)

        routes = (model.Route(domain="hostile.test", hosts=to(hostile_port)),
                  model.Route(domain="good.test", hosts=to(good_port)),
                  model.Route(domain="origin.test", hosts=to(good_port)))
        return model.replace(config, routes=routes, delivery=model.DeliverySettings(
            initial_retry_seconds=RETRY, max_retry_seconds=RETRY))

    return prepared(tmp_path, routed)


def send(app: Appliance, recipient: str) -> None:
    with smtplib.SMTP("127.0.0.1", app.outbound, timeout=10) as client:
        client.sendmail(SENDER, [recipient], b"Subject: hostile\r\n\r\nhi\r\n")


async def test_a_hostile_mx_stops_no_mail(tmp_path: Path) -> None:
    connections = 0

    async def serve(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        nonlocal connections
        connections += 1
        try:
            await hostile(reader, writer)
        except ConnectionError:
            pass
        finally:
            writer.close()

    server = await asyncio.start_server(serve, "127.0.0.1", reserve())
    async with server, FakeMX(Behaviour(starttls=False)) as good:
        app = prepare(tmp_path, server.sockets[0].getsockname()[1], good.port)
        await asyncio.to_thread(app.start)
        try:
            await asyncio.to_thread(send, app, REFUSED)
            await asyncio.to_thread(send, app, SILENT)
            await asyncio.to_thread(send, app, "u@good.test")
            await wait_until_async(lambda: len(good.messages) == 2, timeout=20,
                                   what="good.test's message and the bounce")

            def silent_deferred() -> bool:
                found = [r for r in QueueAdmin(app.data).recipients() if r.address == SILENT]
                return bool(found) and found[0].attempts == 1

            await wait_until_async(silent_deferred, timeout=20, what="the 250-to-DATA deferral")
            shown = await asyncio.to_thread(ssh_exec, app, "showrecipients", "3\n")
            logs = (app.data / "logs" / "mail_logs").read_bytes()
        finally:
            await asyncio.to_thread(app.stop)
    assert connections <= 2  # one delivery each (or both on one connection): no loop
    [dsn] = [m for m in good.messages if m.recipients == [SENDER]]
    report = email.message_from_bytes(dsn.data)
    [status] = [p for p in report.walk() if p.get_content_type() == "message/delivery-status"]
    code = str(cast(list[Message], status.get_payload())[1]["Diagnostic-Code"])
    assert code.replace("\r\n", "").replace("\n", "") == (
        "smtp; 5.1.0 - Unknown address error ('550', "
        "['No such user \\x1b[2J\\x00\\nReason: unknown'])")
    assert shown.returncode == 0
    assert "Unexpected reply to DATA: 250" in shown.stdout
    assert not any(c in CONTROLS for c in logs.replace(b"\n", b""))
