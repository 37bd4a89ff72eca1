"""The prompt_toolkit console driven through a pipe input, as the SSH server drives it."""

from __future__ import annotations

import asyncio
import io
import re

from prompt_toolkit.data_structures import Size
from prompt_toolkit.input import create_pipe_input
from prompt_toolkit.output.vt100 import Vt100_Output

from esacli.shell import Shell
from esacli.terminal import PromptToolkitConsole
from state import model
from state.session import Session
from tests.kit.waiting import wait_until_async

_ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")


async def drive(session: Session, keys: str) -> str:
    """Type `keys` into a Shell on a prompt_toolkit console; return the plain screen text."""
    screen = io.StringIO()
    output = Vt100_Output(screen, lambda: Size(rows=40, columns=200), term="xterm",
                          enable_cpr=False)
    with create_pipe_input() as pipe:
        pipe.send_text(keys)
        console = PromptToolkitConsole(pipe, output)
        await asyncio.wait_for(Shell(console, session).run(), timeout=10)
    return _ANSI.sub("", screen.getvalue()).replace("\r", "")


async def test_a_command_runs_and_stages(session: Session) -> None:
    text = await drive(session, "listenerconfig\redit\r1\rlimits\r77\r88\r\r\rexit\ry\r")
    inbound = model.by_name(session.candidate.listeners, "InboundMail")
    assert inbound is not None
    assert (inbound.max_connections, inbound.tcp_queue) == (77, 88)
    assert "1. InboundMail (on Management, 127.0.0.1) SMTP TCP Port 2525 Public" in text
    assert "Max Concurrent Connections: 77 (TCP Queue: 88)" in text
    assert "Are you sure you wish to exit? [N]> y" in text


async def test_ctrl_c_goes_back_to_the_top_prompt(session: Session) -> None:
    text = await drive(session, "listenerconfig\redit\r1\rlimits\r77\r\x03showchanges\rexit\r")
    assert not session.pending
    assert "{'standalone': {'': {}}}" in text


async def wait_for(screen: io.StringIO, text: str, start: int) -> None:
    """Completion runs in the background: wait (bounded) until it is on screen."""
    await wait_until_async(lambda: text in _ANSI.sub("", screen.getvalue()[start:]), timeout=5)


async def test_tab_completes_command_and_operation_names(session: Session) -> None:
    screen = io.StringIO()
    output = Vt100_Output(screen, lambda: Size(rows=40, columns=200), term="xterm",
                          enable_cpr=False)
    with create_pipe_input() as pipe:
        shell = asyncio.create_task(Shell(PromptToolkitConsole(pipe, output), session).run())
        pipe.send_text("listenerc\t")
        await wait_for(screen, "listenerconfig", 0)
        mark = len(screen.getvalue())
        pipe.send_text("\rNE\t")
        await wait_for(screen, "[]> NEW", mark)
        pipe.send_text("\r\x03exit\r")
        await asyncio.wait_for(shell, timeout=10)
    assert "Please select the type of listener you want to create." in screen.getvalue()


async def test_ctrl_d_at_the_top_prompt_exits(session: Session) -> None:
    await drive(session, "\x04")
    assert not session.pending


async def test_key_paste_is_not_echoed(session: Session) -> None:
    from tests.kit.shell import make_chain  # generated keys only where needed

    chain = make_chain()
    paste = "".join(f"{line}\r" for line in chain.leaf.strip().splitlines()) + ".\r"
    key = "".join(f"{line}\r" for line in chain.key.strip().splitlines()) + ".\r"
    keys = "certconfig\r\rcertificate\rpaste\rpartner\r" + paste + key + "\r\r\r\rexit\ry\r"
    text = await drive(session, keys)
    assert "partner  mx.partner.example" in text
    for line in chain.key.strip().splitlines()[1:-1]:
        assert line not in text
