"""The pager (esacli/pager.py) on the prompt_toolkit console, driven through a pipe input
as the SSH server drives it: long output stops at `-Press Any Key For More-`, space
shows the next page, q drops the rest, Ctrl-C leaves the dialog."""

from __future__ import annotations

import asyncio
import io

from prompt_toolkit.data_structures import Size
from prompt_toolkit.input.posix_pipe import PosixPipeInput
from prompt_toolkit.output.vt100 import Vt100_Output

from esacli.console import Interrupt
from esacli.pager import Pager
from esacli.ssh_keys import KeyFeeder
from esacli.terminal import PromptToolkitConsole
from tests.kit.ssh import ANSI
from tests.kit.waiting import wait_until_async

BOUND = 10
MORE = "-Press Any Key For More-"
ROWS = 6


def lines(count: int) -> str:
    return "".join(f"line {n}\n" for n in range(1, count + 1))


def test_the_pager_holds_what_is_past_a_screenful() -> None:
    pager = Pager(lambda: ROWS)
    assert pager.take(lines(3)) == lines(3)
    assert pager.take(lines(4)) == "line 1\nline 2\n"  # 5 lines fit above the pager's line
    assert pager.holding
    assert pager.take("more\n") == ""  # held behind the rest
    assert pager.next_page() == "line 3\nline 4\nmore\n"
    assert not pager.holding
    pager.typed()  # the line typed is on screen: 4 more lines fit
    assert pager.take(lines(5)) == lines(4)
    unknown = Pager(lambda: 0)  # a client without a tty reports no size: never paged
    assert unknown.take(lines(500)) == lines(500) and not unknown.holding


class Screen:
    def __init__(self, pipe: PosixPipeInput) -> None:
        self.out = io.StringIO()
        output = Vt100_Output(self.out, lambda: Size(rows=ROWS, columns=80), term="xterm",
                              enable_cpr=False)
        self.console = PromptToolkitConsole(pipe, output, idle_timeout=1800)
        self.keys = KeyFeeder(pipe.pipe.write_fd, lambda: None, lambda: None)

    @property
    def text(self) -> str:
        return ANSI.sub("", self.out.getvalue()).replace("\r", "")

    async def screenful(self, count: int) -> None:
        """Wait until the pager's prompt has been on screen `count` times."""
        await wait_until_async(lambda: self.text.count(MORE) >= count, BOUND, MORE)


async def read(screen: Screen) -> object:
    try:
        return await asyncio.wait_for(screen.console.readline("> "), BOUND)
    except BaseException as exc:  # noqa: BLE001 - the caller tells what ended the read
        return exc


async def test_space_pages_and_the_question_comes_after_the_last_page() -> None:
    with PosixPipeInput.create() as pipe:
        screen = Screen(pipe)
        screen.console.write(lines(12))
        reading = asyncio.ensure_future(read(screen))
        await screen.screenful(1)
        assert "line 5\n" in screen.text and "line 6" not in screen.text
        screen.keys.feed(" ")
        await screen.screenful(2)
        assert "line 10\n" in screen.text and "line 11" not in screen.text
        screen.keys.feed(" ")
        screen.keys.feed("answer\r")
        assert await reading == "answer"
        assert screen.text.count(MORE) == 2 and "line 12\n" in screen.text


async def test_q_drops_the_rest_and_ctrl_c_leaves_the_dialog() -> None:
    with PosixPipeInput.create() as pipe:
        screen = Screen(pipe)
        screen.console.write(lines(12))
        reading = asyncio.ensure_future(read(screen))
        await screen.screenful(1)
        screen.keys.feed("q")
        screen.keys.feed("after\r")
        assert await reading == "after"
        assert "line 6" not in screen.text
        screen.console.write(lines(20))
        reading = asyncio.ensure_future(read(screen))
        await screen.screenful(2)
        screen.keys.feed("\x03")
        assert isinstance(await reading, Interrupt)
        screen.keys.feed("next\r")
        assert await read(screen) == "next"  # nothing held any more: no pager
        assert screen.text.count(MORE) == 2
