"""EsaSMTP._setup sets what aiosmtpd's SMTP.__init__ would (it skips only the work)."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

from aiosmtpd.smtp import SMTP

from engine import replies
from engine.inbound.adapter import EsaSMTP
from engine.inbound.hooks import Hooks
from tests.engine.builders import config
from tests.kit.engine import running_engine
from tests.kit.smtp import RawSmtp

# Made afresh per connection: compared by kind, not value.
_PER_OBJECT = {"loop", "_stream_reader_wr", "_source_traceback", "_strong_reader",
               "_reject_connection", "_stream_writer", "_transport", "_closed",
               "_client_connected_cb", "event_handler", "_handle_hooks", "_smtp_methods",
               "_over_ssl", "_task"}


async def test_setup_matches_aiosmtpd_init() -> None:
    ours = EsaSMTP(listener=None)  # type: ignore[arg-type]
    theirs = SMTP(Hooks(ours), hostname="localhost", ident=replies.BANNER_IDENT,
                  auth_exclude_mechanism=["LOGIN", "PLAIN"], loop=asyncio.get_running_loop())
    mine: dict[str, Any] = vars(ours)
    for name, value in vars(theirs).items():
        assert name in mine, name
        if name not in _PER_OBJECT:
            assert mine[name] == value, name
    assert set(mine["_handle_hooks"]) == set(theirs._handle_hooks) - {"DATA", "exception"}
    assert set(mine["_smtp_methods"]) == set(theirs._smtp_methods) - {"AUTH"}
    reader, their_reader = mine["_stream_reader_wr"](), theirs._stream_reader_wr()  # type: ignore[attr-defined]
    # ours ends the session at a half-close's EOF once the commands before it are served
    assert isinstance(reader, type(their_reader)) and reader._limit == their_reader._limit


async def test_help_lists_and_explains_the_commands(tmp_path: Path) -> None:
    async with running_engine(tmp_path, config()) as engine:
        client = await RawSmtp.connect(engine.bound_port("InboundMail"))  # type: ignore[arg-type]
        await client.reply()
        await client.cmd("EHLO client.test")
        code, lines = await client.cmd("HELP")
        assert code == 250 and lines[0].startswith("250 Supported commands: ")
        listed = lines[0].split(": ", 1)[1].split()
        assert {"DATA", "EHLO", "HELO", "MAIL", "NOOP", "QUIT", "RCPT", "RSET"} <= set(listed)
        assert "AUTH" not in listed and listed == sorted(listed)
        assert await client.cmd("HELP MAIL") == (
            250, ["250 Syntax: MAIL FROM: <address> [SP <mail-parameters>]"])
        assert (await client.cmd("HELP XYZZY"))[0] == 501
        await client.close()
