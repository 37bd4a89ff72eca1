"""An idle interactive session is logged out and its pending changes dropped."""

from __future__ import annotations

import asyncio
import io
import re

from prompt_toolkit.data_structures import Size
from prompt_toolkit.input import create_pipe_input
from prompt_toolkit.output.vt100 import Vt100_Output

from esacli.shell import Shell
from esacli.terminal import PromptToolkitConsole
from state.session import Session

_ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")


async def test_idle_session_is_logged_out(session: Session) -> None:
    screen = io.StringIO()
    output = Vt100_Output(screen, lambda: Size(rows=40, columns=200), term="xterm",
                          enable_cpr=False)
    with create_pipe_input() as pipe:
        # stage a change, then type nothing more: the session must end by itself
        pipe.send_text("listenerconfig\redit\r1\rlimits\r77\r88\r\r\r")
        console = PromptToolkitConsole(pipe, output, idle_timeout=0.3)
        await asyncio.wait_for(Shell(console, session).run(), timeout=10)
    text = _ANSI.sub("", screen.getvalue())
    assert "Session idle too long: logging out." in text
    assert "Are you sure you wish to exit?" not in text
    assert session.store.head_number() == 1  # nothing committed
