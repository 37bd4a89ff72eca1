"""The regular expression a log search takes: typed (re-asked) or given on one line.

A search runs off the event loop, and `regex` matches without holding the GIL, each
line within LINE_TIME: an expression that backtracks without end (`(b|bb)+$` on a long
run of b) stops its own search with a message, never the appliance; Ctrl-C or a
dropped session stops it too (`Pattern.stop`).
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable
from typing import TypeVar

import regex

from esacli import texts
from esacli.commands.context import Context

LINE_TIME = 1.0  # seconds an expression may take on one line
T = TypeVar("T")


class SearchStopped(Exception):
    """A search given up: too slow on a line (`slow`), or its user left."""

    def __init__(self, slow: bool) -> None:
        super().__init__(texts.logs.REGEX_TOO_SLOW.format(seconds=LINE_TIME) if slow else "")
        self.slow = slow


class Pattern:
    """A compiled expression with the limits above; `search` says whether a line matches."""

    def __init__(self, compiled: regex.Pattern[str]) -> None:
        self._compiled = compiled
        self._stopped = threading.Event()

    def search(self, line: str) -> bool:
        if self._stopped.is_set():
            raise SearchStopped(slow=False)
        try:
            found = self._compiled.search(line, concurrent=True, timeout=LINE_TIME)
        except TimeoutError:
            raise SearchStopped(slow=True) from None
        return found is not None

    def stop(self) -> None:
        """End the search at its next line (from any thread)."""
        self._stopped.set()


async def searched(ctx: Context, pattern: Pattern | None, work: Callable[[], T]) -> T | None:
    """`work`, a search with `pattern` (None: a search by MID), off the event loop; None
    once it was too slow (said). Stopped when its caller is (Ctrl-C, a dropped session)."""
    try:
        return await asyncio.to_thread(work)
    except SearchStopped as stopped:
        if stopped.slow:
            ctx.console.say(str(stopped))
        return None
    except BaseException:
        if pattern is not None:
            pattern.stop()
        raise


def compiled(text: str, insensitive: bool) -> Pattern | str:
    """The pattern, or why it cannot be one (the appliance's words)."""
    if not text:
        return texts.logs.EMPTY_REGEX
    try:
        return Pattern(regex.compile(text, regex.IGNORECASE if insensitive else 0))
    except regex.error as exc:
        return texts.logs.BAD_REGEX.format(error=exc)
    except (OverflowError, RecursionError):
        return texts.logs.BAD_REGEX.format(error="too complex")


async def ask_pattern(ctx: Context, question: str) -> str:
    """The expression's text, re-asked until it compiles (an empty answer gives up)."""
    while True:
        answer = await ctx.console.ask(question)
        if not answer:
            return ""
        problem = compiled(answer, False)
        if not isinstance(problem, str):
            return answer
        ctx.console.say(problem)
