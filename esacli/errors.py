"""The exception tree of `esacli/`, and how every error reaches the screen.

ShellError               base of every exception esacli raises on purpose
 +-- Interrupt           Ctrl-C, or a line longer than the console takes: the running
 |                       dialog is dropped (`failure`: the session's exit status says so)
 +-- EndOfInput          Ctrl-D (like Ctrl-C in a dialog, like `exit` at the prompt), or
 |                       input that ran out (`final`: nothing more can come)
 +-- OutOfStep           a batch input that failed can no longer be told apart from the
 |                       answers it meant for questions not asked: the session ends
 +-- Leave               `exit` was agreed to: the session ends
 +-- BatchRefused        a one-line (batch) form refused its words: one message, and
 |                       nothing was staged
 +-- StatusUnreadable    status.json exists but is not a status this shell understands
 +-- BootError           the appliance cannot start; the message says why

Errors of `state/` (state.errors) carry their message; the functions below are the one
place the shell turns them into text (an import file's line, a refused commit), and the
one place an unexpected fault becomes the appliance's one-line notice (never a traceback,
never the exception's message, which could hold configuration).
"""

from __future__ import annotations

from collections.abc import Sequence

from esacli import render, texts
from state.errors import CommitRefused, ConfigError, Conflict, FormatError


class ShellError(Exception):
    """Base of the exceptions `esacli/` raises on purpose."""


class Interrupt(ShellError):
    """Ctrl-C: drop the unfinished dialog and return to the top prompt. Also raised for
    a line longer than the console takes (`failure`: the exit status reports it)."""

    def __init__(self, message: str = "Ctrl-C", failure: bool = False) -> None:
        super().__init__(message)
        self.failure = failure


class EndOfInput(ShellError):
    """Ctrl-D at a prompt, or no more scripted input (`final`: none can ever come)."""

    def __init__(self, message: str = "Ctrl-D", final: bool = False) -> None:
        super().__init__(message)
        self.final = final


class OutOfStep(ShellError):
    """A batch session's input, once a line of it failed or was refused, would answer a
    question or run a line that could be an answer meant for one never asked (a
    password): nothing more of it is read (the rule: esacli/shell.py, `Shell`)."""


class Leave(ShellError):
    """Raised by `exit` once the user has agreed to leave."""


class BatchRefused(ShellError):
    """A batch form cannot do what its words ask: `str(exc)` is the one line to show."""


class StatusUnreadable(ShellError):
    """status.json exists but is not a status this shell understands."""


class BootError(ShellError):
    """The appliance cannot start; the message says why."""


# -- rendering ------------------------------------------------------------------------


def format_error(exc: FormatError) -> str:
    """A value or file refused by state/: the line of the file it is on, and why."""
    if not exc.line:
        return exc.message
    return texts.files.FILE_LINE_ERROR.format(line=exc.line, message=exc.message)


def config_errors(errors: Sequence[ConfigError]) -> str:
    lines = [texts.changes.COMMIT_ERRORS] + [f"{e.path}: {e.message}" for e in errors]
    return "\n".join([*lines, texts.changes.NOTHING_COMMITTED])


def conflicts(items: Sequence[Conflict]) -> str:
    lines = [texts.changes.COMMIT_CONFLICTS]
    for c in items:
        lines.append(c.path)
        lines.append(texts.changes.CONFLICT_SIDES.format(
            base=render.setting(c.base), theirs=render.setting(c.theirs),
            mine=render.setting(c.mine)))
    return "\n".join([*lines, texts.changes.NOTHING_COMMITTED, texts.changes.CONFLICT_WAY_OUT])


def commit_refused(refused: CommitRefused) -> str:
    """Why a commit wrote nothing: the conflicts with another session, else every error."""
    if refused.conflicts:
        return conflicts(refused.conflicts)
    return config_errors(refused.errors)


def internal_error(exc: BaseException) -> str:
    # Only the exception's type: its message could carry configuration or key material.
    return texts.shell.INTERNAL_ERROR.format(kind=type(exc).__name__)
