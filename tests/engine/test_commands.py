"""The inbound command grammar (engine/inbound/commands.py): pure."""

from __future__ import annotations

import pytest

from engine import replies
from engine.inbound import commands
from engine.inbound.commands import Line, parse


@pytest.mark.parametrize(("raw", "line"), [
    (b"ehlo client.test\r\n", Line("EHLO", "client.test")),
    (b"NOOP\n", Line("NOOP", None)),  # a bare LF ends a command line
    (b"QUIT \r\n", Line("QUIT", None)),
    (b"NOOP  \t \r\n", Line("NOOP", "")),
    (b"MAIL FROM:<a@b.test>\r\r\n", Line("MAIL", "FROM:<a@b.test>")),
    (b"\r\n", commands.GARBAGE),
    (b"\xffHELO x\r\n", commands.GARBAGE),
    (b"RCPT TO:<caf\xc3\xa9@b.test>\r\n", Line("RCPT", refusal=replies.NOT_ASCII)),
    (b"NOOP " + b"x" * 507 + b"\r\n", Line("NOOP", "x" * 507)),  # 512 bytes: the limit
    (b"NOOP " + b"x" * 508 + b"\r\n", commands.TOO_LONG),
])
def test_command_lines(raw: bytes, line: Line) -> None:
    assert parse(raw, mail_extended=False) == line


def test_mail_may_be_longer_once_size_is_offered() -> None:
    raw = b"MAIL FROM:<" + b"a" * 520 + b"@b>\r\n"  # 535 bytes
    assert parse(raw, mail_extended=False) == commands.TOO_LONG
    assert parse(raw, mail_extended=True).verb == "MAIL"
    assert parse(b"RCPT " + b"x" * 520 + b"\r\n", mail_extended=True) == commands.TOO_LONG


@pytest.mark.parametrize(("arg", "found"), [
    ("<a@b.test>", ("a@b.test", "")),
    ("<a.b+c@d-e.test> SIZE=10", ("a.b+c@d-e.test", " SIZE=10")),
    ("<>", ("<>", "")),
    ('<"q x"@b.test>', ('"q x"@b.test', "")),  # the RFC 5322 parser reads the unusual
    ("<@r1,@r2:u@d.test>", ("u@d.test", "")),
    ("u@d.test", ("u@d.test", "")),
    ("<<>>@@", (None, "")),
    ('<"x>', (None, "")),  # the parser would close the quote and the brackets itself
    ("<a@b.test", (None, "")),
    ("<a@b.test (x", (None, "")),
    ("<postmaster>", ("postmaster", "")),
    # an encoded word in a quoted local part decodes to a CRLF (a header in Received:)
    ('<"=?utf-8?q?u=0D=0ABcc=3A_v=40evil.test=0D=0AX?="@example.com>', (None, "")),
    ('<"=?utf-8?q?caf=C3=A9?="@example.com>', (None, "")),
    ("", ("", "")),
])
def test_addresses(arg: str, found: tuple[str | None, str]) -> None:
    assert commands.address(arg) == found


def test_mail_paths() -> None:
    ok = commands.mail_path("FROM:<a@b.test> SIZE=100 BODY=8BITMIME", True, 1000, False)
    assert (ok.address, ok.options) == ("a@b.test", ("SIZE=100", "BODY=8BITMIME"))
    assert commands.mail_path("FROM:<a@b.test> SIZE=2000", True, 1000, False).too_big
    refusals = {
        "FROM:<a@b.test> SIZE=abc": replies.usage("MAIL", True),
        "FROM:<a@b.test> BODY=BINARYMIME": replies.BAD_BODY,
        "FROM:<a@b.test> SMTPUTF8": replies.SMTPUTF8_DISABLED,
        "FROM:<a@b.test> SMTPUTF8=x": replies.SMTPUTF8_VALUE,
        "FROM:<a@b.test> AUTH=<>": replies.MAIL_PARAMS_UNKNOWN,
        "FROM:<a@b.test> =x": replies.usage("MAIL", True),
        "TO:<a@b.test>": replies.usage("MAIL", True),
        "FROM:<<>>": replies.MALFORMED_ADDRESS,
    }
    for arg, refusal in refusals.items():
        assert commands.mail_path(arg, True, 1000, False).refusal == refusal, arg
    assert commands.mail_path("FROM:<a@b.test>", True, None, True).refusal == replies.NESTED_MAIL
    # HELO, not EHLO: no parameters at all
    assert commands.mail_path("FROM:<a@b.test> SIZE=1", False, None, False).refusal == (
        "501 Syntax: MAIL FROM: <address>")


def test_rcpt_paths_take_no_parameters() -> None:
    assert commands.rcpt_path("to:<u@b.test>", True).address == "u@b.test"
    assert commands.rcpt_path("TO:<u@b.test> NOTIFY=NEVER", True).refusal == (
        replies.RCPT_PARAMS_UNKNOWN)
    assert commands.rcpt_path(None, False).refusal == "501 Syntax: RCPT TO: <address>"


def test_help() -> None:
    assert replies.help_text("mail", True, True) == (
        "250 Syntax: MAIL FROM: <address> [SP <mail-parameters>]")
    assert replies.help_text(None, False, False) == (
        "250 Supported commands: DATA EHLO HELO HELP MAIL NOOP QUIT RCPT RSET VRFY")
    assert replies.help_text("EXPN", False, True).startswith(
        "501 Supported commands: DATA EHLO HELO HELP MAIL NOOP QUIT RCPT RSET STARTTLS VRFY")
