"""Questions whose answer is one typed value: a number in a range, a message size, a
list. Each parses and checks the answer with state/'s grammar and asks again, with the
appliance's message, until it is acceptable."""

from __future__ import annotations

from esacli import render, texts
from esacli.console import Console
from state import numbers, policy_params, ranges
from state.numbers import Range


async def ask_int(console: Console, question: str, default: int | None, allowed: Range) -> int:
    """A whole number in `allowed` (ASCII digits only), asked again until it is one."""
    shown = "" if default is None else str(default)
    while True:
        answer = await console.ask(question, shown)
        if not answer:
            console.say(texts.shell.ENTER_A_VALUE)
            continue
        value = allowed.parse(answer)
        if value is not None:
            return value
        console.say(allowed.message)


async def ask_port(console: Console, question: str, default: int) -> int:
    return await ask_int(console, question, default, ranges.PORT)


async def ask_size(console: Console, question: str, default: int | None) -> int:
    """A message size (`10M`, `500k`, bytes) in the parameter table's range."""
    shown = "" if default is None else render.size(default)
    while True:
        answer = await console.ask(question, shown)
        if not answer:
            console.say(texts.shell.ENTER_A_VALUE)
            continue
        error = policy_params.size_problem(answer)
        if error is None:
            return numbers.parse_size(answer) or 0
        console.say(error)


async def ask_list(console: Console, question: str) -> tuple[str, ...]:
    """A comma-separated list that must not be empty."""
    while True:
        answer = await console.ask(question)
        items = tuple(dict.fromkeys(x.strip() for x in answer.split(",") if x.strip()))
        if items:
            return items
        console.say(texts.shell.ENTER_A_VALUE)
