"""A custom SMTP response's questions: its code and its text (HOSTACCESS policy
parameters, RCPTACCESS entries)."""

from __future__ import annotations

from esacli import texts
from esacli.console import Console
from state.numbers import Range


async def ask_code(console: Console, standard: int, current: int | None, codes: Range) -> int:
    while True:
        question = texts.hat.ASK_CODE.format(code=standard)
        answer = await console.ask(question, str(current or standard))
        value = codes.parse(answer)
        if value is not None:
            return value
        console.say(texts.hat.CODE_RANGE.format(low=codes.low, high=codes.high))


async def ask_text(console: Console, current: str | None) -> str:
    """Lines until a blank one; at least one line is needed (Enter first keeps `current`)."""
    console.write(f"\n{texts.hat.ASK_RESPONSE}\n")
    lines: list[str] = []
    while True:
        line = (await console.readline("> ")).strip()
        if not line:
            if lines:
                return "\n".join(lines)
            if current:
                return current
            console.say(texts.shell.ENTER_A_VALUE)
            continue
        lines.append(line)
