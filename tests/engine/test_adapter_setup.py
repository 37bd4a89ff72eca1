"""EsaSMTP._setup sets what aiosmtpd's SMTP.__init__ would (it skips only the work)."""

from __future__ import annotations

import asyncio
from typing import Any

from aiosmtpd.smtp import SMTP

from engine import replies
from engine.inbound.adapter import EsaSMTP, _Hooks

# Made afresh per connection: compared by kind, not value.
_PER_OBJECT = {"loop", "_stream_reader_wr", "_source_traceback", "_strong_reader",
               "_reject_connection", "_stream_writer", "_transport", "_closed",
               "_client_connected_cb", "event_handler", "_handle_hooks", "_smtp_methods",
               "_over_ssl", "_task"}


async def test_setup_matches_aiosmtpd_init() -> None:
    ours = EsaSMTP(listener=None)  # type: ignore[arg-type]
    theirs = SMTP(_Hooks(ours), hostname="localhost", ident=replies.BANNER_IDENT,
                  auth_exclude_mechanism=["LOGIN", "PLAIN"], loop=asyncio.get_running_loop())
    mine: dict[str, Any] = vars(ours)
    for name, value in vars(theirs).items():
        assert name in mine, name
        if name not in _PER_OBJECT:
            assert mine[name] == value, name
    assert set(mine["_handle_hooks"]) == set(theirs._handle_hooks) - {"DATA", "exception"}
    assert set(mine["_smtp_methods"]) == set(theirs._smtp_methods) - {"AUTH"}
    reader, their_reader = mine["_stream_reader_wr"](), theirs._stream_reader_wr()  # type: ignore[attr-defined]
    assert type(reader) is type(their_reader) and reader._limit == their_reader._limit
