"""The interactive console: prompt_toolkit over a terminal or an SSH channel.

What prompt_toolkit (3.0.5x) does by default that an appliance cannot have, and the guard
for each (the tests in tests/esacli/test_terminal_guards.py show every one):

- Ctrl-C and Ctrl-D make `prompt_async` raise KeyboardInterrupt and EOFError. A
  KeyboardInterrupt raised inside any asyncio task stops the whole event loop (the task
  re-raises it), and under `esacli run` that loop is the appliance: one Ctrl-C in one SSH
  session closed every listener. The sessions here raise `Interrupt` and `EndOfInput`
  instead (`interrupt_exception` / `eof_exception`).
- Each `prompt_async` call installs its own SIGINT handler on the loop and removes it when
  it returns, which drops the appliance's own; and it replaces the loop's exception handler
  with one that print()s tracebacks to the process's stdout and waits for Enter. Both are
  turned off: `esacli run` keeps its signals, and loop errors go to system_logs.
- The VT100 input parser takes every `ESC[` digits `M`/`m` for a mouse report (its pattern is
  `ESC[<?[\\d;]+[mM]`), so a colour code `ESC[31m` in pasted text reaches the mouse binding,
  which raises on it (key_binding/bindings/mouse.py: it unpacks three numbers). A binding that
  raises empties the key queue, including the Enter typed after it: the prompt hangs. Mouse
  reporting is never enabled here, so mouse reports (and cursor-position reports, never
  requested) are dropped by bindings of our own, which take priority over the defaults.
- Should any other key binding raise, `_guard_key_processor` logs it and leaves the dialog as
  Ctrl-C does, instead of leaving a prompt that ignores its input.
- A bracketed paste arrives as one key holding all its lines. While a block is read (pasted
  PEM ending with a `.` line), a paste that holds the `.` line is taken at once, without
  waiting for one more Enter. At any other prompt its lines are entered one by one
  (`pasted_lines`), where prompt_toolkit would make them one answer holding newlines.
- Every key press costs a lookup of the bindings (~0.25 ms) and every chunk of input a
  redraw of the whole line: a megabyte pasted without bracketed paste held the event loop
  (and mail) for minutes. Runs of plain characters are coalesced (`coalesce`) and an
  answer stops growing at MAX_ANSWER characters.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable, Sequence
from typing import TypeVar

from prompt_toolkit import PromptSession
from prompt_toolkit.application import Application
from prompt_toolkit.completion import WordCompleter
from prompt_toolkit.history import DummyHistory, History, InMemoryHistory
from prompt_toolkit.input import Input, PipeInput
from prompt_toolkit.key_binding import KeyBindings, KeyPress, KeyPressEvent
from prompt_toolkit.keys import Keys
from prompt_toolkit.layout.processors import Processor, Transformation, TransformationInput
from prompt_toolkit.output import Output
from prompt_toolkit.output.vt100 import Vt100_Output

from esacli import texts
from esacli.console import MAX_LINE, Console, EndOfInput, Interrupt, on_screen, too_long
from esacli.pager import QUIT_KEYS, Pager

log = logging.getLogger(__name__)
T = TypeVar("T")

# A line stops growing one character past the longest the console takes (then it is
# refused whole, see console.MAX_LINE): prompt_toolkit redraws the whole line after
# every chunk of input, so a megabyte on one line held the loop for minutes.
MAX_ANSWER = MAX_LINE + 1


def ends_block(text: str) -> bool:
    """True when pasted text holds the line that ends a block (`.`)."""
    return any(line.strip() == texts.cert.END_OF_PASTE for line in text.splitlines())


class Hidden(Processor):
    """What a secret answer shows as it is typed: nothing, as on the appliance (an
    asterisk a key would tell its length)."""

    def apply_transformation(self, ti: TransformationInput) -> Transformation:
        return Transformation([], source_to_display=lambda i: 0, display_to_source=lambda i: 0)


HIDDEN = Hidden()


class PromptToolkitConsole(Console):
    """`input`/`output` default to the current prompt_toolkit app session's, which is what
    the SSH server sets up for each connection (locally: the terminal). Top prompts keep a
    history and complete command names; dialog answers use a second session without
    history, so pasted keys and answers never land in it."""

    def __init__(
        self,
        input: Input | None = None,
        output: Output | None = None,
        idle_timeout: float | None = None,
    ) -> None:
        self.idle_timeout = idle_timeout
        self._reading_block = False
        self._commands = self._session(input, output, InMemoryHistory())
        self._answers = self._session(input, output, DummyHistory())
        self._pager = Pager(lambda: self.output.get_size().rows)
        # Cursor-position requests make clients that never answer them (scripts,
        # some terminals) wait 2 s and print a warning; the shell does not need them.
        if isinstance(self.output, Vt100_Output):
            self.output.enable_cpr = False

    def _session(self, input: Input | None, output: Output | None,
                 history: History) -> PromptSession[str]:
        session: PromptSession[str] = PromptSession(
            input=input, output=output, history=history, complete_while_typing=False,
            key_bindings=self._bindings(), interrupt_exception=Interrupt,
            eof_exception=EndOfInput,
        )
        _guard_key_processor(session.app)
        return session

    def _bindings(self) -> KeyBindings:
        bindings = KeyBindings()

        @bindings.add(Keys.Vt100MouseEvent, eager=True)
        @bindings.add(Keys.CPRResponse, eager=True)
        @bindings.add(Keys.ControlAt)  # NUL (Ctrl-Space): it set a mark that cut the line
        def _drop(event: KeyPressEvent) -> None:
            """Never requested: typed or pasted escape sequences, and NUL. Nothing happens."""

        @bindings.add(Keys.BracketedPaste)
        def _paste(event: KeyPressEvent) -> None:
            buffer = event.current_buffer
            room = max(0, MAX_ANSWER - len(buffer.text))
            text = event.data.replace("\r\n", "\n").replace("\r", "\n")
            if self._reading_block:
                buffer.insert_text(text[:room])
                if ends_block(buffer.text):
                    buffer.validate_and_handle()
                return
            first, newline, rest = text.partition("\n")
            buffer.insert_text(first[:room])
            if newline:  # each line is entered in turn, as typed (the rest: typeahead)
                event.app.key_processor.feed_multiple(pasted_lines(rest), first=True)
                buffer.validate_and_handle()

        return bindings

    @property
    def input(self) -> Input:
        return self._commands.input

    @property
    def output(self) -> Output:
        return self._commands.app.output

    @property
    def width(self) -> int | None:
        return max(40, self.output.get_size().columns)

    def write(self, text: str) -> None:
        # Plain text, between prompts: the terminal (or prompt_toolkit's SSH channel
        # writer) turns "\n" into CRLF. Output.write neutralises ESC only; on_screen
        # escapes every other control character (a CR from a log line would overwrite it).
        self._show(self._pager.take(on_screen(text)))

    def _show(self, text: str) -> None:
        if text:
            self.output.write(text)
            self.output.flush()

    async def _page(self) -> None:
        """Held output, a page per key, before anything is read (esacli/pager.py)."""
        while self._pager.holding:
            self._show(texts.shell.MORE)
            key = await self._key()
            self.output.write_raw("\r")
            self.output.erase_end_of_line()
            if key.key == Keys.ControlC:
                self._pager.drop()
                raise Interrupt()
            if key.data in QUIT_KEYS:
                self._pager.drop()
                self._show("\n")
                return
            self._show(self._pager.next_page())

    async def _key(self) -> KeyPress:
        """The next key pressed (no prompt is active). Keys typed after it in the same
        burst go back to the input (an SSH session's pipe) for the next question."""
        keys = self.input
        pressed: asyncio.Future[list[KeyPress]] = asyncio.get_running_loop().create_future()

        def keys_ready() -> None:
            if pressed.done():
                return
            if keys.closed:
                pressed.set_exception(EndOfInput(final=True))
            elif presses := keys.read_keys():
                pressed.set_result(presses)

        with keys.raw_mode(), keys.attach(keys_ready):
            try:
                async with asyncio.timeout(self.idle_timeout):
                    first, *rest = await pressed
            except TimeoutError:
                self._pager.drop()
                self.write(texts.shell.IDLE_TIMEOUT)
                raise EndOfInput(final=True) from None
        if rest and isinstance(keys, PipeInput):
            keys.send_text("".join(p.data for p in rest))
        return first

    async def readline(
        self,
        prompt: str,
        *,
        words: Sequence[str] = (),
        secret: bool = False,
        history: bool = False,
    ) -> str:
        await self._page()
        session = self._commands if history else self._answers
        # Always pass a completer: prompt_async(completer=None) would keep the last one.
        completer = WordCompleter(list(words), ignore_case=True)
        try:
            async with asyncio.timeout(self.idle_timeout):
                answer = await session.prompt_async(
                    prompt, completer=completer,
                    input_processors=[HIDDEN] if secret else [],
                    set_exception_handler=False, handle_sigint=False,
                )
        except TimeoutError:
            # an idle session ends like a disconnect: its pending changes are dropped
            self.write(texts.shell.IDLE_TIMEOUT)
            raise EndOfInput(final=True) from None
        except EOFError:  # the input itself has closed (the SSH connection is gone)
            raise EndOfInput(final=True) from None
        finally:
            self._pager.typed()
        too_long(self, answer)
        return answer

    async def read_block(self, prompt: str, *, secret: bool = False) -> str:
        self._reading_block = True
        try:
            return await super().read_block(prompt, secret=secret)
        finally:
            self._reading_block = False

    async def follow(self, poll: Callable[[], str], interval: float = 0.25) -> None:
        # No prompt is active: read raw keys ourselves, only to notice Ctrl-C.
        self._show(self._pager.release())  # followed output is never paged
        keys = self.input
        stop = asyncio.Event()

        def keys_ready() -> None:
            # Ctrl-D ends a follow too (tail, grep -t, rate): back to the prompt, not out
            if keys.closed or any(p.key in (Keys.ControlC, Keys.ControlD)
                                  for p in keys.read_keys()):
                stop.set()

        with keys.raw_mode(), keys.attach(keys_ready):
            while not stop.is_set():
                self._show(on_screen(poll()))
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(stop.wait(), interval)
        self.write("^C\n")


    async def interruptible(self, work: Awaitable[T]) -> T:
        # No prompt is active while a probe runs: watch the keys for Ctrl-C, as follow does.
        keys = self.input
        task: asyncio.Future[T] = asyncio.ensure_future(work)
        stop: asyncio.Future[T] = asyncio.get_running_loop().create_future()

        def keys_ready() -> None:
            if not stop.done() and (keys.closed or any(
                    p.key == Keys.ControlC for p in keys.read_keys())):
                stop.cancel()

        with keys.raw_mode(), keys.attach(keys_ready):
            await asyncio.wait({task, stop}, return_when=asyncio.FIRST_COMPLETED)
        if task.done():
            return task.result()
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
        self.write("^C\n")
        raise Interrupt()


def pasted_lines(text: str) -> list[KeyPress]:
    """`text` as keys: each line one paste and an Enter, a last line without a newline
    a paste alone (it waits for the Enter, as typed). Several command lines pasted at a
    prompt run one after the other, each later line answering whatever asks next, as on
    a terminal without bracketed paste (and on the appliance)."""
    *lines, last = text.split("\n")
    keys = [k for line in lines for k in (KeyPress(Keys.BracketedPaste, line),
                                          KeyPress(Keys.ControlM, "\r"))]
    return keys + ([KeyPress(Keys.BracketedPaste, last)] if last else [])


def coalesce(keys: list[KeyPress], room: int = MAX_ANSWER) -> list[KeyPress]:
    """Runs of plain characters as single `Keys.Any` key presses; past `room` characters
    of the current line (and the next MAX_ANSWER of each line after an Enter) they are
    dropped.

    A `Keys.Any` press matches only the bindings that take any character, which insert
    its data just as they would insert the characters one by one. The first key of a
    chunk and the key after any other key are never merged into: either may complete a
    binding of two keys (Escape + b, Ctrl-] + a character).
    """
    out: list[KeyPress] = []
    for key in keys:
        if not _plain(key):
            room = MAX_ANSWER if key.key in _ENTER else room
            out.append(key)
        elif room > 0:
            room -= len(key.data)
            if len(out) > 1 and _plain(out[-2]) and _plain(out[-1]):
                out[-1] = KeyPress(Keys.Any, out[-1].data + key.data)
            else:
                out.append(key)
    return out


_ENTER = (Keys.ControlM, Keys.ControlJ)


def _plain(key: KeyPress) -> bool:
    typed = key.key == Keys.Any or (not isinstance(key.key, Keys) and key.key == key.data)
    return typed and key.data.isprintable()


def _guard_key_processor(app: Application[str]) -> None:
    """Key presses are coalesced (see `coalesce`). A key binding that raises leaves the
    dialog (as Ctrl-C), logged; the prompt would otherwise stay up with its input
    thrown away."""
    processor = app.key_processor
    process = processor.process_keys
    feed = processor.feed_multiple

    def coalesced(keys: list[KeyPress], first: bool = False) -> None:
        feed(coalesce(keys, MAX_ANSWER - len(app.current_buffer.text)), first=first)

    def guarded() -> None:
        try:
            process()
        except Exception:
            log.exception("a key binding failed; the dialog is left")
            if app.future is not None and not app.future.done():
                app.exit(exception=Interrupt())

    processor.process_keys = guarded  # type: ignore[method-assign]
    processor.feed_multiple = coalesced  # type: ignore[method-assign,assignment]
