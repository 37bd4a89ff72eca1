"""The regular expression a log search takes: typed (re-asked) or given on one line."""

from __future__ import annotations

import re

from esacli import texts
from esacli.commands.context import Context


def compiled(text: str, insensitive: bool) -> re.Pattern[str] | str:
    """The pattern, or why it cannot be one (the appliance's words)."""
    if not text:
        return texts.logs.EMPTY_REGEX
    try:
        return re.compile(text, re.IGNORECASE if insensitive else 0)
    except re.error as exc:
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
