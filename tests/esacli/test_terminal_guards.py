"""The guards of esacli/terminal.py, on the prompt_toolkit console driven through a pipe
input as the SSH server drives it (issue 8 items 1, 5, 9, 13). Each hung or stopped the
event loop before."""

from __future__ import annotations

import asyncio
import io
import os
import signal

from prompt_toolkit.data_structures import Size
from prompt_toolkit.input.posix_pipe import PosixPipeInput
from prompt_toolkit.key_binding import KeyPress
from prompt_toolkit.keys import Keys
from prompt_toolkit.output.vt100 import Vt100_Output

from esacli.console import MAX_LINE, EndOfInput, Interrupt
from esacli.ssh_keys import KeyFeeder
from esacli.terminal import PromptToolkitConsole, coalesce

# seconds: a guard that fails hangs, and this turns the hang into a failure (a loaded
# machine is slow, so the bound is generous)
BOUND = 30


def console_on(pipe: PosixPipeInput) -> PromptToolkitConsole:
    output = Vt100_Output(io.StringIO(), lambda: Size(rows=40, columns=200), term="xterm",
                          enable_cpr=False)
    return PromptToolkitConsole(pipe, output, idle_timeout=1800)


async def outcome(console: PromptToolkitConsole, keys: str, *, block: bool = False) -> object:
    """What reading one answer gives for `keys`: the answer, or the exception raised
    (any BaseException: a KeyboardInterrupt must not escape the test)."""
    KeyFeeder(console._commands.input.pipe.write_fd, lambda: None, lambda: None).feed(keys)  # type: ignore[attr-defined]
    reading = console.read_block("Paste:") if block else console.readline("> ")
    try:
        return await asyncio.wait_for(reading, BOUND)
    except BaseException as exc:  # noqa: BLE001 - the caller tells what ended the read
        return exc


async def test_colour_codes_and_mouse_reports_are_dropped() -> None:
    with PosixPipeInput.create() as pipe:
        keys = "ab\x1b[31mc\x1b[5Md\x1b[<0;3;4Me\x1b[96;14;13Mf\x1b[12;4R\r"
        assert await outcome(console_on(pipe), keys) == "abcdef"


async def test_ctrl_c_and_ctrl_d_raise_the_shells_exceptions() -> None:
    with PosixPipeInput.create() as pipe:
        console = console_on(pipe)
        assert isinstance(await outcome(console, "typed\x03"), Interrupt)
        eof = await outcome(console, "\x04")
        assert isinstance(eof, EndOfInput) and not eof.final


async def test_the_loops_sigint_handler_survives_a_prompt() -> None:
    loop = asyncio.get_running_loop()
    seen = asyncio.Event()
    loop.add_signal_handler(signal.SIGINT, seen.set)
    try:
        with PosixPipeInput.create() as pipe:
            assert await outcome(console_on(pipe), "x\r") == "x"
        os.kill(os.getpid(), signal.SIGINT)
        await asyncio.wait_for(seen.wait(), BOUND)
    finally:
        loop.remove_signal_handler(signal.SIGINT)


async def test_a_failing_key_binding_leaves_the_dialog() -> None:
    with PosixPipeInput.create() as pipe:
        console = console_on(pipe)

        @console._answers.key_bindings.add("c-t")  # type: ignore[union-attr]
        def _broken(event: object) -> None:
            raise ValueError("a bug in a key binding")

        failed = await outcome(console, "abc\x14def\r")
        assert isinstance(failed, Interrupt)
        assert await outcome(console, "next\r") == "next"  # the console still works


async def test_a_bracketed_paste_ending_with_the_dot_line_needs_no_more_enter() -> None:
    with PosixPipeInput.create() as pipe:
        paste = "\x1b[200~-----BEGIN X-----\rAAAA\r-----END X-----\r.\r\x1b[201~"
        block = await outcome(console_on(pipe), paste, block=True)
        assert block == "-----BEGIN X-----\nAAAA\n-----END X-----\n"


async def test_lines_pasted_at_a_prompt_are_entered_one_by_one() -> None:
    """prompt_toolkit makes a bracketed paste one answer holding its newlines: pasted
    commands ran as one garbled command. Each line is its own answer, in order, before
    what is typed after the paste; a last line without a newline waits for Enter."""
    with PosixPipeInput.create() as pipe:
        console = console_on(pipe)
        paste = "\x1b[200~sethostname a.example.com\rversion\r\rstatus\x1b[201~"
        assert await outcome(console, paste + " detail\r") == "sethostname a.example.com"
        assert await outcome(console, "") == "version"
        assert await outcome(console, "") == ""
        assert await outcome(console, "") == "status detail"
        assert await outcome(console, "\x1b[200~one line\x1b[201~\r") == "one line"


async def test_a_long_line_is_taken_and_a_huge_one_refused() -> None:
    with PosixPipeInput.create() as pipe:
        console = console_on(pipe)
        assert await outcome(console, "x" * MAX_LINE + "\r") == "x" * MAX_LINE
        refused = await outcome(console, "y" * 300_000 + "\r")
        assert isinstance(refused, Interrupt) and refused.failure
        assert await outcome(console, "after\r") == "after"


def test_coalescing_keeps_every_key_that_may_complete_a_binding() -> None:
    keys = [KeyPress(c) for c in "abc"] + [KeyPress(Keys.Escape)] + [
        KeyPress(c) for c in "bcd"] + [KeyPress(Keys.ControlM)]
    assert [(k.key, k.data) for k in coalesce(keys)] == [
        ("a", "a"), (Keys.Any, "bc"), (Keys.Escape, "escape"), ("b", "b"), (Keys.Any, "cd"),
        (Keys.ControlM, "c-m")]
    assert "".join(k.data for k in coalesce([KeyPress("x")] * 10, room=4)) == "xxxx"
