"""The top-level loop: `<hostname>> `, dispatch, help, exit (§1.1, §1.3).

No traceback ever reaches the user: an unexpected exception inside a command is
logged and shown as one appliance-style line, and the prompt comes back. Whatever
escapes a session anyway (an exception no command catches, a fault of the console
itself) ends that session only: `run_session` is the boundary every session runs in.

In a batch session (no terminal: a script's lines answer the questions), once a line has
failed or been refused, the lines after it may be answers meant for questions never
asked: a password after a refused dialog. The rule is here, in one place: no question is
answered after a failure, and the line after a dialog that failed is not run
(`_out_of_step`): the input stops there (`_stop_input`: as when it ends inside a dialog,
nothing more is run or committed, and the session exits 1). A line that is not a command
is named back only where it cannot be such an answer (`_unknown`). On a terminal the
administrator sees each question, and a refused answer is asked again.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import shlex
import time
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from esacli import faults, texts
from esacli.commands import COMMANDS, Command, Context
from esacli.console import Console
from esacli.errors import EndOfInput, Interrupt, Leave, OutOfStep, internal_error
from esacli.logins import Login, Logins
from state.editing import EditSession
from state.errors import AccessRefused
from state.users import Act

if TYPE_CHECKING:
    from esacli.cluster_modes import Modes

log = logging.getLogger(__name__)


class Shell:
    def __init__(
        self,
        console: Console,
        session: EditSession,
        clock: Callable[[], float] = time.time,
        commands: Sequence[Command] = COMMANDS,
        cluster: Modes | None = None,
        logins: Logins | None = None,
        login: Login | None = None,
    ) -> None:
        self.console = console
        self.login = login  # this session's entry in `who`
        self.ctx = Context(console, session, clock, cluster=cluster, logins=logins)
        self.commands: tuple[Command, ...] = (
            *commands,
            Command("exit", texts.shell.DESCRIPTIONS["exit"], self._exit, aliases=("quit", "q"),
                    kind=Act.LOOK),
            Command("help", texts.shell.DESCRIPTIONS["help"], self._help, aliases=("h", "?"),
                    usage=texts.shell.HELP_SELF_USAGE, takes_args=True, kind=Act.LOOK),
        )
        self.commands = tuple(sorted(self.commands, key=lambda c: c.name))
        self._table = {n: c for c in self.commands for n in (c.name, *c.aliases)}
        self._after_dialog = False  # the last command read lines of input (batch)
        console.stop_answers_when(lambda: self.ctx.failed)

    @property
    def session(self) -> EditSession:
        """The current session (on a cluster member, the current mode's)."""
        return self.ctx.session

    @property
    def prompt(self) -> str:
        if self.ctx.cluster is not None:
            return self.ctx.cluster.prompt
        return f"{self.session.candidate.hostname}> "

    @property
    def failed(self) -> bool:
        """A command failed, was refused, or its input ended inside a dialog."""
        return self.ctx.failed

    @property
    def words(self) -> list[str]:
        """Command names for tab completion."""
        return [c.name for c in self.commands]

    async def run(self) -> None:
        """Read and run commands until the user leaves (exit, or Ctrl-D / end of input)."""
        first = True
        while True:
            if not first:
                self.console.write("\n")
            first = False
            await self._confirmation_news()
            try:
                line = await self.console.readline(self.prompt, words=self.words, history=True)
            except Interrupt as interrupt:
                first = True  # Ctrl-C at the prompt: just a fresh prompt
                self.ctx.failed = self.ctx.failed or interrupt.failure
                continue
            except EndOfInput as eof:
                if eof.final:
                    self._input_ended()
                    return
                if await self._leave_on_eof():
                    return
                continue
            words = command_words(line)
            if not words:
                first = True  # an empty line just shows the prompt again
                continue
            if self._out_of_step():
                self._stop_input()
                return
            if not await self.execute(words[0], words[1:]):
                return

    def _out_of_step(self) -> bool:
        """Batch: the line after a dialog that failed could be one of the answers it did
        not ask for (questions after a failure are stopped by the console itself)."""
        return self.console.scripted_input and self.ctx.failed and self._after_dialog

    def _unknown(self, name: str) -> str:
        """The refusal of a line that is no command: its first word is named (a typo)
        unless, in batch, the line comes after a failure or a dialog, where it could be
        an answer (a password) the script meant for a question that was not asked."""
        if self.console.scripted_input and (self.ctx.failed or self._after_dialog):
            return texts.shell.UNKNOWN_LINE
        return texts.shell.UNKNOWN_COMMAND.format(command=name)

    def _stop_input(self) -> None:
        """The rest of a batch input is not run: the session ends (its changes not
        committed are dropped) and fails."""
        self.ctx.failed = True
        self.console.say(texts.shell.INPUT_STOPPED)

    async def _confirmation_news(self) -> None:
        """This session's `commit confirmed`, ended by another session or the timer."""
        ended = await self.ctx.call(self.session.confirmation_ended)
        if ended is None:
            return
        text = (texts.changes.ROLLED_BACK_ELSEWHERE if ended.rolled_back
                else texts.changes.CONFIRMED_ELSEWHERE)
        self.console.write(text.format(version=ended.version, user=self.session.user) + "\n\n")

    async def execute(self, name: str, args: Sequence[str]) -> bool:
        """Run one command; False when the session should end."""
        read = self.console.lines_read
        try:
            return await self._execute(name, args)
        finally:
            self._after_dialog = self.console.lines_read > read

    async def _execute(self, name: str, args: Sequence[str]) -> bool:
        if self.login is not None:
            self.login.touch(self.ctx.clock())
        command = self._table.get(name.lower())
        if command is None:
            self.ctx.refuse(self._unknown(name))
            return True
        if args and not command.takes_args:
            self.ctx.refuse(texts.shell.NO_BATCH.format(command=command.name))
            return True
        if not self.session.may(command.kind):
            self.ctx.refuse(texts.shell.NOT_PERMITTED.format(command=command.name))
            return True
        try:
            faults.check(command.name)
            if self.ctx.cluster is not None and not await self._admitted(command.name):
                return True
            await command.handler(self.ctx, args)
        except Leave:
            return False
        except OutOfStep:
            self._stop_input()
            return False
        except AccessRefused as refused:  # the role's first change: the dialog ends there
            self.ctx.refuse(str(refused))
        except Interrupt as interrupt:  # the dialog is dropped: they stage only when complete
            self.ctx.failed = self.ctx.failed or interrupt.failure
        except EndOfInput as eof:
            # Ctrl-D drops the dialog like Ctrl-C; input that ran dry inside it is a failure
            self.ctx.failed = self.ctx.failed or eof.final
            if eof.final:
                self._input_ended()
            return not eof.final
        except Exception as exc:
            log.exception("command %s failed", command.name)
            self.ctx.failed = True
            self.console.say(internal_error(exc))
        return True

    async def _admitted(self, name: str) -> bool:
        from esacli import cluster_gate  # only on cluster members

        return await cluster_gate.admit(self.ctx, name)

    async def _exit(self, ctx: Context, args: Sequence[str]) -> None:
        if await self._confirm_exit():
            raise Leave()

    def _pending(self) -> bool:
        cluster = self.ctx.cluster
        return bool(cluster.pending if cluster is not None else self.session.pending)

    def _input_ended(self) -> None:
        """No more input can come: changes staged and not committed are dropped, which
        a script is told, and fails for."""
        if self.console.scripted_input and self._pending():
            self.ctx.failed = True
            self.console.say(texts.shell.INPUT_ENDED_UNCOMMITTED)

    async def _confirm_exit(self) -> bool:
        if not self._pending():
            return True
        self.console.write(f"\n{texts.shell.EXIT_WARNING}\n")
        return await self.console.confirm(texts.shell.EXIT_CONFIRM, False, blank=False)

    async def _leave_on_eof(self) -> bool:
        """Ctrl-D at the top prompt behaves like `exit`: Ctrl-C or Ctrl-D at its question
        stays, as after `exit` (the pending changes are kept); an input that ended leaves."""
        try:
            return await self._confirm_exit()
        except EndOfInput as eof:
            return eof.final
        except Interrupt:
            return False

    async def _help(self, ctx: Context, args: Sequence[str]) -> None:
        if not args:
            width = max(len(c.name) for c in self.commands) + 4
            rows = [f"{c.name.ljust(width)}{c.description}" for c in self.commands]
            self.console.say("\n\n".join([texts.shell.HELP_HEADER, "\n".join(rows)]))
            return
        command = self._table.get(args[0].lower())
        if command is None:
            ctx.refuse(texts.shell.HELP_NOT_AVAILABLE.format(command=args[0]))
            return
        self.console.say(command.help())


async def run_session(shell: Shell, who: str) -> int:
    """Run one session to its end and return its exit status (0, or 1 when something
    failed). Nothing raised inside it goes further: a fault ends this session only,
    logged in system_logs, and the engine and the other sessions never see it."""
    try:
        await shell.run()
    except asyncio.CancelledError:
        raise  # the appliance is stopping
    except BaseException as exc:
        log.exception("session of %s ended by a fault", who)
        with contextlib.suppress(Exception):
            shell.console.say(texts.shell.SESSION_FAULT.format(kind=type(exc).__name__))
        return 1
    return 1 if shell.failed else 0


def command_words(line: str) -> list[str]:
    """A command line's words: split at white space, a word in single or double quotes
    kept whole (`findevent -s 'tour outbound 1'`), backslashes left as typed (grep's
    patterns). A line whose quotes do not close is split at white space only."""
    lexer = shlex.shlex(line, posix=False)
    lexer.whitespace_split, lexer.commenters = True, ""
    try:
        words = list(lexer)
    except ValueError:
        return line.split()
    return [w[1:-1] if len(w) >= 2 and w[0] == w[-1] and w[0] in "'\"" else w for w in words]
