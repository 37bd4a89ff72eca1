"""The console port: how a dialog talks to the administrator.

`Console` implements every AsyncOS question style (reference §1.1-1.2) on
top of two primitives, `write` and `readline`, so the scripted console used by the
transcript tests, the line console of batch sessions (here) and the prompt_toolkit
console of interactive ones (esacli/terminal.py) share the same rendering and
re-asking logic. Everything is async because the SSH server runs the
shell inside asyncio.

Exceptions raised by `readline` and seen by the shell (esacli.errors):
  Interrupt   Ctrl-C: abandon the running dialog, back to the top prompt.
  EndOfInput  Ctrl-D (like `exit` at the top prompt, like Ctrl-C inside a dialog),
              or a script that ran out of lines (`final`: the session ends).
  OutOfStep   batch only: a question asked once the input has failed (the session ends).
"""

from __future__ import annotations

import abc
import asyncio
import re
from collections import deque
from collections.abc import Awaitable, Callable, Iterable, Sequence
from typing import TypeVar

from esacli import texts
from esacli.errors import EndOfInput, Interrupt, OutOfStep
from state import numbers
from state.controls import escape_controls

PRIVATE_KEY_BEGIN = re.compile(r"-----BEGIN [A-Z0-9 ]*PRIVATE KEY-----")
PEM_END = "-----END "

T = TypeVar("T")


def on_screen(text: str) -> str:
    """What may reach a terminal: line breaks and tabs, every other control character
    escaped (a CR from a log line would overwrite it, an ESC or C1 drive the terminal)."""
    return escape_controls(text, keep="\n\t")

# The longest line a console takes (an answer, a command line). Longer lines are
# discarded with LINE_TOO_LONG, leaving the dialog: none is meaningful, and the terminal
# console redraws a line after every chunk of input (esacli/terminal.py).
MAX_LINE = 65535


def too_long(console: Console, line: str) -> None:
    """Leave the dialog, saying why, if `line` is longer than MAX_LINE."""
    if len(line) > MAX_LINE:
        console.say(texts.shell.LINE_TOO_LONG.format(limit=MAX_LINE))
        raise Interrupt("line too long", failure=True)


class Console(abc.ABC):
    # Whether the end of input is a script's end (told what it left undone), not a
    # terminal's connection dropping or a test's list of lines running out.
    scripted_input = False
    # Input lines read so far (the batch console counts them: a command that read one
    # was a dialog).
    lines_read = 0

    def stop_answers_when(self, stopped: Callable[[], bool]) -> None:
        """Batch only (LineConsole): a question asked while `stopped()` holds raises
        OutOfStep instead of reading its answer. A terminal answers every question."""
        return None

    @abc.abstractmethod
    def write(self, text: str) -> None:
        """Write text exactly as given (newlines included)."""

    @abc.abstractmethod
    async def readline(
        self,
        prompt: str,
        *,
        words: Sequence[str] = (),
        secret: bool = False,
        history: bool = False,
    ) -> str:
        """Show `prompt`, read one answer. `words` are completions; `secret` hides input."""

    @abc.abstractmethod
    async def follow(self, poll: Callable[[], str], interval: float = 0.25) -> None:
        """Write what `poll()` returns, again and again, until the user presses Ctrl-C."""

    @property
    def width(self) -> int | None:
        """The terminal's columns, or None without a terminal (batch: plain text only)."""
        return None

    async def interruptible(self, work: Awaitable[T]) -> T:
        """Run `work` (a network probe); on a terminal, Ctrl-C abandons it (Interrupt)."""
        return await work

    # -- output -----------------------------------------------------------------
    def say(self, text: str) -> None:
        """A block of output: AsyncOS separates blocks with one blank line."""
        self.write(f"\n{text}\n")

    def refuse_answer(self, text: str) -> None:
        """Say why an answer is refused; the question is asked again. In batch the input
        stops at the next question instead (LineConsole): the script's next line was
        meant for the question after this one."""
        self.say(text)

    # -- question styles ----------------------------------------------------------
    async def ask(
        self, question: str, default: str = "", *, bare: bool = False, blank: bool = True
    ) -> str:
        """Free text: the question, then `[default]> ` (or a bare `> `) on its own line.

        Returns the stripped answer, or `default` when the answer is empty.
        """
        self.write(("\n" if blank else "") + question + "\n")
        answer = (await self.readline("> " if bare else f"[{default}]> ")).strip()
        return answer or default

    async def confirm(self, question: str, default: bool, *, blank: bool = True) -> bool:
        """Yes/no on one line: `Question? [Y]> `; re-asked until the answer is y/n/yes/no."""
        mark = "Y" if default else "N"
        while True:
            if blank:
                self.write("\n")
            answer = (await self.readline(f"{question} [{mark}]> ")).strip().lower()
            if not answer:
                return default
            if answer in ("y", "yes"):
                return True
            if answer in ("n", "no"):
                return False
            self.refuse_answer(texts.shell.ANSWER_YES_NO)

    async def choose(
        self,
        question: str,
        options: Sequence[str],
        default: int | None = None,
        names: Sequence[str] | None = None,
    ) -> int | None:
        """A numbered list; returns the 0-based index, or None for an empty answer
        when there is no default (climb one level).

        `default` is 1-based as shown on screen. `names` lets records be picked by
        name too (exact name first, then a unique case-insensitive match).
        """
        listing = "\n".join(f"{n}. {text}" for n, text in enumerate(options, 1))
        shown = "" if default is None else str(default)
        while True:
            answer = await self.ask(f"{question}\n{listing}", shown)
            if not answer:
                return None
            index = _pick(answer, len(options), names)
            if index is not None:
                return index
            self.refuse_answer(texts.shell.NOT_VALID)

    async def menu(self, options: Sequence[tuple[str, str]]) -> str | None:
        """The "Choose the operation" block for (name, label) options (a menu's items:
        esacli.commands.menu). Returns the operation name, or None for
        an empty answer (climb one level). Names are case-insensitive; unique
        prefixes are accepted."""
        lines = "\n".join(f"- {name} - {text}" for name, text in options)
        names = [name for name, _ in options]
        while True:
            self.write(f"\n{texts.shell.CHOOSE_OPERATION}\n{lines}\n")
            answer = (await self.readline("[]> ", words=names)).strip()
            if not answer:
                return None
            if answer == texts.shell.MENU_HELP:
                continue  # the operations again
            matches = [n for n in names if n.lower().startswith(answer.lower())]
            exact = [n for n in names if n.lower() == answer.lower()]
            if exact or len(matches) == 1:
                return (exact or matches)[0]
            if matches:
                self.refuse_answer(texts.shell.AMBIGUOUS_OPTION.format(answer=answer,
                                                             matches=", ".join(matches)))
            else:
                self.refuse_answer(texts.shell.UNKNOWN_OPTION.format(answer=answer))

    async def read_block(self, prompt: str, *, secret: bool = False) -> str:
        """Pasted lines until a line that is only `.`; returns them with newlines.

        A terminal's bracketed paste may deliver several lines in one answer, so
        every answer is split into lines; text after the `.` line is dropped.
        """
        self.write(f"\n{prompt}\n")
        lines: list[str] = []
        while True:
            answer = await self.readline("", secret=secret)
            for line in answer.replace("\r\n", "\n").split("\n"):
                if line.strip() == texts.cert.END_OF_PASTE:
                    return "".join(f"{x}\n" for x in lines)
                lines.append(line)

    async def ask_secret(self, prompt: str) -> str:
        """A password prompt: `Enter passphrase: ` with no echo."""
        self.write("\n")
        return await self.readline(f"{prompt} ", secret=True)

    async def pause(self, text: str) -> None:
        """Show `text` and wait for Enter."""
        self.write(f"\n{text}\n")
        await self.readline(f"{texts.shell.PRESS_ENTER} ")


def _pick(answer: str, count: int, names: Sequence[str] | None) -> int | None:
    number = numbers.parse_int(answer)
    if number is not None:
        return number - 1 if 1 <= number <= count else None
    if not names:
        return None
    if answer in names:
        return list(names).index(answer)
    folded = [i for i, name in enumerate(names) if name.lower() == answer.lower()]
    return folded[0] if len(folded) == 1 else None


class ScriptedConsole(Console):
    """Feeds scripted answers and records the screen as a terminal would show it:
    each prompt followed by the typed answer and a newline (nothing for secrets).

    `CTRL_C` / `CTRL_D` as a line simulate those keys.
    """

    CTRL_C = "\x03"
    CTRL_D = "\x04"

    def __init__(self, lines: Iterable[str] = ()) -> None:
        self._lines: deque[str] = deque(lines)
        self._screen: list[str] = []
        self.exhausted = False
        self.prompts: list[tuple[str, tuple[str, ...]]] = []  # (prompt, completion words)

    @property
    def screen(self) -> str:
        return "".join(self._screen)

    def feed(self, *lines: str) -> None:
        self._lines.extend(lines)

    @property
    def remaining(self) -> list[str]:
        return list(self._lines)

    def write(self, text: str) -> None:
        self._screen.append(on_screen(text))

    async def readline(
        self,
        prompt: str,
        *,
        words: Sequence[str] = (),
        secret: bool = False,
        history: bool = False,
    ) -> str:
        self.write(prompt)
        self.prompts.append((prompt, tuple(words)))
        if not self._lines:
            self.exhausted = True
            raise EndOfInput(f"script exhausted at prompt {prompt!r}", final=True)
        line = self._lines.popleft()
        if line in (self.CTRL_C, self.CTRL_D):
            self.write("\n")
            raise Interrupt() if line == self.CTRL_C else EndOfInput()
        self.write(("" if secret else line) + "\n")
        too_long(self, line)
        return line

    async def follow(self, poll: Callable[[], str], interval: float = 0.25) -> None:
        """Shows what there is now; the script's next line must be the Ctrl-C that ends it."""
        self.write(poll())
        if not self._lines or self._lines.popleft() != self.CTRL_C:
            raise EndOfInput("script did not press Ctrl-C to end the follow", final=True)
        self.write("^C\n")


class LineConsole(Console):
    """A console with no terminal: an SSH exec request (`ssh admin@host 'command'`), a
    shell request without a pty (`ssh -T`), or `esacli shell` with piped input.

    Input is whatever the client sends, split into lines (`feed`, then `close` at end
    of input). The top-level prompt is not shown, so a batch command prints only its
    output; dialog questions are shown with the answer read for them, as in a
    transcript, so a script can see what it answered. Once the shell says the input
    failed (`stop_answers_when`), a question raises OutOfStep instead of reading.
    """

    scripted_input = True

    # Past HIGH_WATER characters of unread lines, `pause` is called (and `resume` once
    # reading is back below LOW_WATER): an SSH client is then held back by its window.
    HIGH_WATER = 1 << 20
    LOW_WATER = 1 << 18

    def __init__(
        self,
        out: Callable[[str], None],
        pause: Callable[[], None] | None = None,
        resume: Callable[[], None] | None = None,
    ) -> None:
        self._out = out
        self._pause, self._resume = pause, resume
        self._lines: asyncio.Queue[str | None] = asyncio.Queue()
        self._queued = 0  # characters in _lines
        self._paused = False
        # Pieces of a line still waiting for its newline, joined once it comes (a long
        # line in many small chunks costs linear time); kept to MAX_LINE + 1 characters.
        self._partial: list[str] = []
        self._partial_size = 0
        self._in_key = False  # inside a pasted private key's PEM block
        self._stopped: Callable[[], bool] = lambda: False
        self._refused = False  # an answer was refused: the script is out of step

    def stop_answers_when(self, stopped: Callable[[], bool]) -> None:
        self._stopped = stopped

    def refuse_answer(self, text: str) -> None:
        self.say(text)
        self._refused = True  # the next question raises OutOfStep: the lines are shifted

    def feed(self, data: str) -> None:
        *lines, rest = data.split("\n")
        for piece in lines:
            self._add(piece)
            self._put("".join(self._partial).removesuffix("\r"))
            self._partial, self._partial_size = [], 0
        self._add(rest)

    def _add(self, piece: str) -> None:
        room = MAX_LINE + 1 - self._partial_size
        if piece and room > 0:
            self._partial.append(piece[:room])
            self._partial_size += len(self._partial[-1])

    def _put(self, line: str | None) -> None:
        self._lines.put_nowait(line)
        self._queued += 0 if line is None else len(line) + 1
        if self._pause is not None and not self._paused and self._queued > self.HIGH_WATER:
            self._paused = True
            self._pause()

    def close(self) -> None:
        if self._partial:
            self._put("".join(self._partial).removesuffix("\r"))
            self._partial, self._partial_size = [], 0
        self._put(None)

    def abandon(self) -> None:
        """The client has gone: what it sent and was not read yet is dropped (a commit
        among it must not run for nobody), and the input ends."""
        while not self._lines.empty():
            self._lines.get_nowait()
        self._queued, self._partial, self._partial_size = 0, [], 0
        self._put(None)

    def write(self, text: str) -> None:
        self._out(on_screen(text))

    async def _next(self) -> str:
        line = await self._lines.get()
        if line is None:
            self._lines.put_nowait(None)  # every later read sees the end too
            raise EndOfInput(final=True)
        self._queued -= len(line) + 1
        self.lines_read += 1
        if self._resume is not None and self._paused and self._queued < self.LOW_WATER:
            self._paused = False
            self._resume()
        too_long(self, line)
        return line

    async def readline(
        self,
        prompt: str,
        *,
        words: Sequence[str] = (),
        secret: bool = False,
        history: bool = False,
    ) -> str:
        if not history and (self._refused or self._stopped()):  # a question (the top
            raise OutOfStep()                                    # prompt has history)
        if not history:
            self.write(prompt)
        line = await self._next()
        hidden = self._key_material(line)  # whatever question it answers
        if not history:
            self.write(("" if secret or hidden else line) + "\n")
        return line

    def _key_material(self, line: str) -> bool:
        """Whether `line` is part of a private key's PEM block: never written back, even
        when a script's key lands at a question it did not expect."""
        if not self._in_key:
            self._in_key = bool(PRIVATE_KEY_BEGIN.search(line))
            return self._in_key
        self._in_key = PEM_END not in line
        return True

    async def pause(self, text: str) -> None:
        """Nothing pauses in batch: the next input line answers the next question."""
        self.write(f"\n{text}\n")

    async def follow(self, poll: Callable[[], str], interval: float = 0.25) -> None:
        """Until the client sends a line or ends its input (`ssh -n` shows what there is)."""
        while True:
            self.write(poll())
            try:
                await asyncio.wait_for(self._next(), interval)
                return
            except TimeoutError:
                continue
            except EndOfInput:
                return
