"""Hostile and careless SMTP clients, on real sockets: control characters, NUL, loops,
pipelining, abandoned transactions, refusals that must be counted, old TLS."""

from __future__ import annotations

import asyncio
import re
import socket
import subprocess
from pathlib import Path
from typing import Any

import pytest

from engine.status import status_path
from esacli import status_doc
from esacli.commands.ops.status import render as render_status
from state.model import Certificate, ListenerType, TLSMode
from tests.engine.builders import config, hat, listener
from tests.kit.engine import log_has, read_mail_logs, running_engine
from tests.kit.smtp import RawSmtp
from tests.kit.waiting import wait_until_async

CONTROL_BYTES = re.compile(rb"[\x00-\x09\x0b-\x1f\x7f]")


async def greeted(port: int | None) -> RawSmtp:
    assert port is not None
    client = await RawSmtp.connect(port)
    assert (await client.reply())[0] == 220
    assert (await client.cmd("EHLO client.test"))[0] == 250
    return client


async def raw_reply(client: RawSmtp) -> bytes:
    """One single-line reply exactly as sent, CRLF included."""
    return await asyncio.wait_for(client.reader.readuntil(b"\r\n"), 5)


async def test_control_characters_in_envelope_addresses_are_refused(tmp_path: Path) -> None:
    async with running_engine(tmp_path, config()) as engine:
        client = await greeted(engine.bound_port("InboundMail"))
        refusals = [
            (b"MAIL FROM:<a\rRSET@b.test>\r\n", b"501 5.1.7 Bad sender address syntax\r\n"),
            (b"MAIL FROM:<a\x00@b.test>\r\n", b"501 5.1.7 Bad sender address syntax\r\n"),
            (b"EHLO evil\x1b[2J.test\r\n", b"501 5.5.2 Syntax: HELO/EHLO hostname\r\n"),
        ]
        for line, expected in refusals:
            await client.send(line)
            assert await raw_reply(client) == expected
        await client.send(b"MAIL FROM:<a@b.test>\r\n")
        assert (await raw_reply(client)).startswith(b"250 ")
        await client.send(b"RCPT TO:<u\x07\r\x7f@example.com>\r\n")
        assert await raw_reply(client) == b"501 5.1.3 Bad recipient address syntax\r\n"
        await client.send(b"RCPT TO:<u@example.com>\r\n")
        assert await raw_reply(client) == b"250 recipient <u@example.com> ok\r\n"
        await client.cmd("QUIT")
        await client.close()
        counts = engine.inbound_counts
        assert (counts.rejected_recipients_invalid, counts.refused_commands) == (1, 3)
    log = (tmp_path / "logs" / "mail_logs").read_bytes()
    assert not CONTROL_BYTES.search(log)  # nothing raw, not even the CR
    assert b"ICID 1 From: <a\\rRSET@b.test> Rejected: invalid address" in log
    assert b"ICID 1 From: <a\\x00@b.test> Rejected: invalid address" in log
    assert b"To: <u\\x07\\r\\x7f@example.com> Rejected: invalid address" in log


async def test_a_nul_in_the_body_is_refused_and_logged(tmp_path: Path) -> None:
    async with running_engine(tmp_path, config()) as engine:
        client = await greeted(engine.bound_port("InboundMail"))
        for body, code in ((b"bad\x00byte", 554), (b"clean", 250)):
            await client.cmd("MAIL FROM:<a@b.test>")
            await client.cmd("RCPT TO:<u@example.com>")
            await client.cmd("DATA")
            await client.send(b"Subject: nul\r\n\r\n" + body + b"\r\n.\r\n")
            reply = await client.reply()
            assert reply[0] == code
        assert reply[1][0].startswith("250 ok:  Message 2 accepted")
        await client.close()
        [message] = engine.spool.messages()
        assert b"\x00" not in message.content()
    log = read_mail_logs(tmp_path)
    assert "ICID 1 Receiving Failed: Message contains NUL characters" in log
    assert "Message aborted MID 1 Receiving aborted: Message contains NUL characters" in log


async def test_every_mid_ends_with_a_line_saying_how(tmp_path: Path) -> None:
    cfg = config(listener(the_hat=hat(max_message_size=2000)))
    async with running_engine(tmp_path, cfg) as engine:
        port = engine.bound_port("InboundMail")
        client = await greeted(port)

        async def begin() -> None:
            assert (await client.cmd("MAIL FROM:<a@b.test>"))[0] == 250
            assert (await client.cmd("RCPT TO:<u@example.com>"))[0] == 250

        await begin()
        await client.cmd("RSET")  # MID 1: by the sender
        await begin()
        await client.cmd("EHLO again.test")  # MID 2: by the sender
        for body in (b"x" * 1200 + b"\r\n", (b"y" * 70 + b"\r\n") * 40, b"fine\r\n"):
            await begin()  # MID 3 line too long, MID 4 too big, MID 5 accepted
            await client.cmd("DATA")
            assert (await client.cmd(body.decode() + "."))[0] in (500, 552, 250)
        await begin()
        await client.cmd("QUIT")  # MID 6: by the sender
        await client.close()
        dropped = await greeted(port)
        await dropped.cmd("MAIL FROM:<a@b.test>")
        await dropped.cmd("RCPT TO:<u@example.com>")
        await dropped.cmd("DATA")
        await dropped.send("Subject: cut\r\n\r\nhalf a mess")
        await dropped.close()  # MID 7: the connection is lost mid-DATA
        await wait_until_async(log_has(tmp_path, "ICID 2 close"))
    log = read_mail_logs(tmp_path)
    started = re.findall(r"Start MID (\d+) ", log)
    assert started == [str(n) for n in range(1, 8)]
    for mid in started:
        endings = re.findall(rf"(?:MID {mid} ready|Message aborted MID {mid} )(.*)", log)
        assert len(endings) == 1, (mid, endings)
    for mid in (1, 2, 6):
        assert f"Message aborted MID {mid} Receiving aborted by sender" in log
    assert "Message aborted MID 3 Receiving aborted: Line too long" in log
    assert "Message aborted MID 4 Receiving aborted: Message size exceeds limit" in log
    assert "Message aborted MID 7 Receiving aborted: connection lost" in log
    assert engine.inbound_counts.rejected_messages == 2


def shown_status(data_dir: Path) -> str:
    """The `status detail` screen from what the engine published."""
    doc = status_doc.read(status_path(data_dir))
    assert doc is not None
    return render_status.status(doc, doc.updated, doc.version or 0, detail=True)


async def test_every_refusal_is_counted(tmp_path: Path) -> None:
    cfg = config(listener(the_hat=hat(max_rcpts_per_msg=1)))
    async with running_engine(tmp_path, cfg, status_interval=0.02) as engine:
        client = await greeted(engine.bound_port("InboundMail"))
        await client.cmd("MAIL FROM:<a@b.test>")
        assert (await client.cmd("RCPT TO:<u1@example.com>"))[0] == 250
        for n in range(5):
            assert (await client.cmd(f"RCPT TO:<u{n + 2}@example.com>"))[0] == 452
        assert (await client.cmd("RCPT TO:<u@elsewhere.test>"))[0] == 452  # limit first
        assert (await client.cmd("XYZZY"))[0] == 500
        assert (await client.cmd("MAIL FROM:<b@b.test>"))[0] == 503  # aiosmtpd's own
        await client.close()
        counts = engine.inbound_counts
        assert counts.rejected_recipients_limit == 6
        assert counts.refused_commands == 2
        assert counts.rejected_recipients_rat == 0
        rejected = re.compile(r"\n +Rejected Recipients +6\n(.*\n)* +Over Recipient Limit +6\n")
        refused = re.compile(r"\n +Refused Commands +2\n")
        # one published status with both (one written between the RCPTs and XYZZY has 6
        # rejected recipients and not yet the refused commands)
        await wait_until_async(lambda: all(
            p.search(shown) for shown in [shown_status(tmp_path)] for p in (rejected, refused)))
    log = read_mail_logs(tmp_path)
    assert log.count("Rejected: too many recipients") == 6


async def test_pipelining_is_advertised_and_a_group_is_answered_in_order(tmp_path: Path) -> None:
    async with running_engine(tmp_path, config()) as engine:
        port = engine.bound_port("InboundMail")
        assert port is not None
        client = await RawSmtp.connect(port)
        await client.reply()
        _, ehlo = await client.cmd("EHLO client.test")
        assert "250-PIPELINING" in ehlo and ehlo[-1].startswith("250 ")
        await client.send("MAIL FROM:<a@b.test>\r\nRCPT TO:<u@example.com>\r\n"
                          "RCPT TO:<x@elsewhere.test>\r\nRCPT TO:<v@example.com>\r\nDATA\r\n")
        codes = [(await client.reply())[0] for _ in range(5)]
        assert codes == [250, 250, 550, 250, 354]
        await client.send("Subject: piped\r\n\r\nbody\r\n.\r\nQUIT\r\n")
        assert (await client.reply())[0] == 250
        assert (await client.reply())[0] == 221
        await client.close()
        [message] = engine.spool.messages()
        assert message.recipients == ("u@example.com", "v@example.com")


FLOOD_LIMIT = 16 * 1024 * 1024


def flood(port: int) -> int:
    """Pipeline EHLOs (a short line, a long reply) and never read a reply, until a send
    waits 2 s for room (the server stopped reading) or FLOOD_LIMIT bytes are sent; the
    bytes sent."""
    chunk = b"EHLO x\r\n" * 512
    sent = 0
    with socket.socket() as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)  # replies pile up soon
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 4096)
        sock.connect(("127.0.0.1", port))
        sock.settimeout(2.0)
        try:
            while sent < FLOOD_LIMIT:
                sent += sock.send(chunk)
        except TimeoutError:
            pass
    return sent


async def test_a_client_that_never_reads_its_replies_is_read_no_further(tmp_path: Path) -> None:
    """Replies pile up unread: the server stops reading commands (its memory stays bounded)
    and serves everyone else."""
    async with running_engine(tmp_path, config()) as engine:
        port = engine.bound_port("InboundMail")
        assert port is not None
        sent = await asyncio.to_thread(flood, port)
        assert sent < FLOOD_LIMIT / 4
        client = await greeted(port)
        assert (await client.cmd("QUIT"))[0] == 221
        await client.close()


async def test_swaks_delivers_with_pipelining(tmp_path: Path) -> None:
    async with running_engine(tmp_path, config()) as engine:
        port = engine.bound_port("InboundMail")
        done = await asyncio.to_thread(
            subprocess.run,
            ["swaks", "--server", f"127.0.0.1:{port}", "--pipeline", "--from", "a@b.test",
             "--to", "u@example.com,v@example.com", "--body", "piped"],
            capture_output=True, text=True, timeout=30,
        )
        assert done.returncode == 0, done.stdout + done.stderr
        # swaks pipelines only when told it may: the whole group, then the replies
        assert " -> MAIL FROM:<a@b.test>\n -> RCPT TO:<u@example.com>\n" in done.stdout
        assert "250 ok:  Message 1 accepted" in done.stdout
        assert len(engine.spool.messages()) == 1


async def test_loop_protection_counts_received_headers(tmp_path: Path) -> None:
    async with running_engine(tmp_path, config()) as engine:
        client = await greeted(engine.bound_port("InboundMail"))
        for hops, code in ((101, 554), (100, 250)):
            received = "".join(f"Received: from hop{n}.test by hop{n + 1}.test; "
                               "Sat, 28 Nov 2026 10:00:00 +0000\r\n" for n in range(hops))
            await client.cmd("MAIL FROM:<a@b.test>")
            await client.cmd("RCPT TO:<u@example.com>")
            await client.cmd("DATA")
            reply = await client.cmd(received + "Subject: loop\r\n\r\nround and round\r\n.")
            assert reply[0] == code
        await client.close()
        [message] = engine.spool.messages()
        assert message.content().count(b"\r\nReceived: from hop") == 100
    log = read_mail_logs(tmp_path)
    assert "ICID 1 Receiving Failed: Message loop" in log
    assert "554 5.4.6" not in log


@pytest.mark.parametrize("kind", [ListenerType.PRIVATE, ListenerType.PUBLIC])
async def test_message_id_and_date_are_added_on_private_listeners_only(
    tmp_path: Path, kind: ListenerType
) -> None:
    async with running_engine(tmp_path, config(listener(type=kind))) as engine:
        client = await greeted(engine.bound_port("InboundMail"))
        await client.cmd("MAIL FROM:<a@b.test>")
        await client.cmd("RCPT TO:<u@example.com>")
        await client.cmd("DATA")
        assert (await client.cmd("Subject: bare\r\n\r\nno id, no date\r\n."))[0] == 250
        await client.cmd("MAIL FROM:<a@b.test>")
        await client.cmd("RCPT TO:<u@example.com>")
        await client.cmd("DATA")
        own = "Message-ID: <mine@client.test>\r\nDate: Sat, 28 Nov 2026 10:00:00 +0000\r\n"
        assert (await client.cmd(own + "Subject: dressed\r\n\r\nkept as is\r\n."))[0] == 250
        await client.close()
        bare, dressed = (m.content() for m in engine.spool.messages())
    private = kind is ListenerType.PRIVATE
    assert bool(re.search(rb"\r\nMessage-ID: <[0-9a-f]{32}\.1@mail\.test>\r\n", bare)) is private
    assert bool(re.search(rb"\r\nDate: \w{3}, \d", bare)) is private
    assert dressed.count(b"Message-ID:") == 1 and dressed.count(b"\r\nDate:") == 1


@pytest.mark.parametrize("version", ["-tls1", "-tls1_1"])
async def test_an_old_tls_client_gets_a_protocol_version_alert(
    tmp_path: Path, test_cert: Certificate, version: str
) -> None:
    cfg = config(listener(the_hat=hat(TLSMode.PREFERRED)), certificates=(test_cert,))
    async with running_engine(tmp_path, cfg) as engine:
        done = await asyncio.to_thread(
            subprocess.run,
            ["openssl", "s_client", "-starttls", "smtp", "-connect",
             f"127.0.0.1:{engine.bound_port('InboundMail')}", version,
             "-cipher", "DEFAULT@SECLEVEL=0", "-msg"],
            stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=30,
        )
        await wait_until_async(log_has(tmp_path, "ICID 1 close"))
    # "<<<" is what the client received: the server's alert, not a bare close.
    assert re.search(r"<<< TLS 1\.[01], Alert \[length 0002\], fatal protocol_version",
                     done.stdout), done.stdout
    assert "ICID 1 TLS failed: unsupported protocol" in read_mail_logs(tmp_path)


async def test_a_client_gone_while_its_message_is_written_still_gets_ready(tmp_path: Path) -> None:
    """The disk is slow (the one fake here: a store that waits), the client hangs up right
    after its final dot: the message lands in the spool, so its MID says "ready"."""
    async with running_engine(tmp_path, config()) as engine:
        release = asyncio.Event()
        real_finish = engine.spool.finish

        def slow_finish(*args: Any) -> asyncio.Future[Path]:
            async def later() -> Path:
                await release.wait()
                return await real_finish(*args)
            return asyncio.ensure_future(later())

        engine.spool.finish = slow_finish  # type: ignore[method-assign, assignment]
        client = await greeted(engine.bound_port("InboundMail"))
        await client.cmd("MAIL FROM:<a@b.test>")
        await client.cmd("RCPT TO:<u@example.com>")
        await client.cmd("DATA")
        await client.send("Subject: hasty\r\n\r\nbye\r\n.\r\n")
        await client.close()
        # its EOF is a half-close: the session stays for the reply it would owe the client
        release.set()
        await wait_until_async(log_has(tmp_path, "MID 1 ready "))
        await wait_until_async(log_has(tmp_path, "ICID 1 close"))
        assert len(engine.spool.messages()) == 1
        assert engine.inbound_counts.messages_received == 1
    assert "Message aborted MID 1" not in read_mail_logs(tmp_path)


async def test_a_header_block_too_large_to_judge_is_refused(tmp_path: Path) -> None:
    """120 Received lines after 400 KB of another header: never judged on a part only
    (they passed the loop check), while a text with no header block at all is taken; and a
    long subject is one bounded mail_logs line."""
    async with running_engine(tmp_path, config()) as engine:
        client = await greeted(engine.bound_port("InboundMail"))
        pad = "X-Pad: " + "p" * 990 + "\r\n"
        received = "".join(f"Received: from hop{n}.test\r\n" for n in range(120))
        await client.cmd("MAIL FROM:<a@b.test>")
        await client.cmd("RCPT TO:<u@example.com>")
        await client.cmd("DATA")
        reply = await client.cmd(pad * 400 + received + "Subject: big\r\n\r\nbody\r\n.")
        assert reply == (552, ["552 5.3.4 Header size exceeds fixed maximum size"])
        text = "just text, no header, no empty line\r\n" * 8000  # 300 KB
        await client.cmd("MAIL FROM:<a@b.test>")
        await client.cmd("RCPT TO:<u@example.com>")
        await client.cmd("DATA")
        assert (await client.cmd(text + "."))[0] == 250  # no header block to hold whole
        long_subject = "Subject: " + "\r\n ".join(["s" * 900] * 50) + "\r\n"
        await client.cmd("MAIL FROM:<a@b.test>")
        await client.cmd("RCPT TO:<u@example.com>")
        await client.cmd("DATA")
        assert (await client.cmd(long_subject + "\r\nbody\r\n."))[0] == 250
        await client.close()
    log = read_mail_logs(tmp_path)
    assert "ICID 1 Receiving Failed: Message header size exceeds limit" in log
    [logged] = [line for line in log.splitlines() if " Subject 'sss" in line]
    assert len(logged) < 1100 and logged.endswith("...'")
