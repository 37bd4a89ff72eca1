"""`tail`: the end of a log, then new lines as they are written, until Ctrl-C."""

from __future__ import annotations

import asyncio
import io
import re
from pathlib import Path

from prompt_toolkit.data_structures import Size
from prompt_toolkit.input import create_pipe_input
from prompt_toolkit.output.vt100 import Vt100_Output

from esacli.console import ScriptedConsole
from esacli.shell import Shell
from esacli.terminal import PromptToolkitConsole
from state.session import Session
from tests.kit.shell import run_shell, transcript
from tests.kit.waiting import wait_until_async

_ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")
CTRL_C = ScriptedConsole.CTRL_C


def write_log(session: Session, lines: list[str]) -> Path:
    path = session.store.data_dir / "logs" / "mail_logs"
    path.parent.mkdir(exist_ok=True)
    with path.open("a") as log:
        log.writelines(f"{line}\n" for line in lines)
    return path


async def test_tail_lists_the_logs_and_shows_the_last_lines(session: Session) -> None:
    path = write_log(session, [f"Info: line {n}" for n in range(1, 13)])
    with path.open("a") as log:
        log.write("Info: a line still being writ")  # not shown until it is complete
    screen = await run_shell(session, ["tail", "1", CTRL_C, "exit"])
    assert screen == transcript("""
        mail.example.com> tail

        Currently configured logs:

        Enter the number of the log you wish to tail.
        1. "mail_logs" Type: "IronPort Text Mail Logs" Retrieval: Manual Download
        2. "system_logs" Type: "System Logs" Retrieval: Manual Download
        []> 1

        Press Ctrl-C to stop.
        Info: line 3
        Info: line 4
        Info: line 5
        Info: line 6
        Info: line 7
        Info: line 8
        Info: line 9
        Info: line 10
        Info: line 11
        Info: line 12
        ^C

        mail.example.com> exit
    """)


async def test_unknown_log_is_named(session: Session) -> None:
    screen = await run_shell(session, ["tail bounce_logs", "exit"])
    assert 'Unable to tail "bounce_logs": no such log.' in screen


async def test_tail_follows_new_lines_until_ctrl_c(session: Session) -> None:
    path = write_log(session, ["Info: before"])
    screen = io.StringIO()
    output = Vt100_Output(screen, lambda: Size(rows=40, columns=200), term="xterm",
                          enable_cpr=False)

    def shown() -> str:
        return _ANSI.sub("", screen.getvalue())

    async def until(text: str) -> None:
        await wait_until_async(lambda: text in shown(), timeout=5)

    with create_pipe_input() as pipe:
        shell = asyncio.create_task(Shell(PromptToolkitConsole(pipe, output), session).run())
        pipe.send_text("tail mail_logs\r")
        await until("Info: before")
        with path.open("a") as log:
            log.write("Info: ICID 5 TLS success protocol TLSv1.3 cipher TLS_AES_256_GCM_SHA384\n")
        await until("ICID 5 TLS success")
        pipe.send_text("\x03")
        await until("^C")
        pipe.send_text("exit\r")
        await asyncio.wait_for(shell, timeout=5)
    assert shown().count("Info: before") == 1
