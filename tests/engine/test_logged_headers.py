"""mail_logs records each accepted message's Message-ID and Subject (reference §9), before
its `ready` line: folded headers unfolded, encoded words decoded, and whatever control
character a client put there escaped, never written raw."""

from __future__ import annotations

from pathlib import Path

from engine.inbound.headers import logged_fields
from tests.engine.builders import config, listener
from tests.kit.engine import log_has, read_mail_logs, running_engine
from tests.kit.smtp import RawSmtp
from tests.kit.waiting import wait_until_async

HEADERS = (
    "Message-ID: <abc.1@partner.example>\r\n"
    "Subject: =?utf-8?q?Caf=C3=A9?= report\r\n"
    " \x1b[31mred\x07 part\r\n"
    "\r\n"
)


def test_fields_of_a_header_block() -> None:
    block = HEADERS.encode()
    assert logged_fields(block) == ("<abc.1@partner.example>", "Café report \x1b[31mred\x07 part")
    assert logged_fields(b"From: a@b\r\n\r\nSubject: in the body\r\n") == (None, None)
    assert logged_fields(b"subject: lower\r\n\r\n") == (None, "lower")


async def test_message_id_and_subject_lines(tmp_path: Path) -> None:
    async with running_engine(tmp_path, config(listener())) as engine:
        client = await RawSmtp.connect(engine.bound_port("InboundMail"))
        await client.reply()
        await client.cmd("HELO client.example")
        await client.cmd("MAIL FROM:<a@partner.example>")
        await client.cmd("RCPT TO:<u@example.com>")
        await client.cmd("DATA")
        assert (await client.cmd(HEADERS + "hello\r\n."))[0] == 250
        await client.cmd("QUIT")
        await client.close()
        await wait_until_async(log_has(tmp_path, " ready "))
    log = read_mail_logs(tmp_path)
    assert "\x1b" not in log and "\x07" not in log
    lines = [line.split(" Info: ", 1)[1] for line in log.splitlines() if " Info: MID 1 " in line]
    assert lines[-3:] == [
        "MID 1 Message-ID '<abc.1@partner.example>'",
        "MID 1 Subject 'Café report \\x1b[31mred\\x07 part'",
        lines[-1],
    ]
    assert lines[-1].startswith("MID 1 ready ")
