"""Questions whose answer is one typed value: a number in a range, a message size, a
list. Each parses and checks the answer with state/'s grammar and asks again, with the
appliance's message, until it is acceptable."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from esacli import render, texts
from esacli.console import Console
from state import numbers, policy_params, ranges
from state.numbers import Range

T = TypeVar("T")


async def ask_accepted(console: Console, question: str, refusal: Callable[[str], str | None],
                       default: str = "") -> str | None:
    """An answer `refusal` finds nothing wrong with, re-asked with its reason; None for an
    empty answer (climb back)."""
    while True:
        answer = await console.ask(question, default)
        if not answer:
            return None
        why = refusal(answer)
        if why is None:
            return answer
        console.refuse_answer(why)


async def ask_existing(console: Console, question: str, find: Callable[[str], T | None],
                       missing: Callable[[str], str]) -> T | None:
    """The record an answer names (`find`), or None: for an empty answer, or after saying
    `missing(answer)` when there is none."""
    answer = await console.ask(question)
    if not answer:
        return None
    found = find(answer)
    if found is None:
        console.say(missing(answer))
    return found


async def _ask_required(console: Console, question: str, shown: str,
                        refusal: Callable[[str], str | None]) -> str:
    """As `ask_accepted`, but an empty answer is refused too."""
    while True:
        answer = await ask_accepted(console, question, refusal, shown)
        if answer is not None:
            return answer
        console.refuse_answer(texts.shell.ENTER_A_VALUE)


async def ask_int(console: Console, question: str, default: int | None, allowed: Range) -> int:
    """A whole number in `allowed` (ASCII digits only), asked again until it is one."""
    def refusal(answer: str) -> str | None:
        return None if allowed.parse(answer) is not None else allowed.message

    shown = "" if default is None else str(default)
    return allowed.parse(await _ask_required(console, question, shown, refusal)) or 0


async def ask_port(console: Console, question: str, default: int) -> int:
    return await ask_int(console, question, default, ranges.PORT)


async def ask_size(console: Console, question: str, default: int | None) -> int:
    """A message size (`10M`, `500k`, bytes) in the parameter table's range."""
    shown = "" if default is None else render.size(default)
    answer = await _ask_required(console, question, shown, policy_params.size_problem)
    return numbers.parse_size(answer) or 0


async def ask_checked(console: Console, question: str, parse: Callable[[str], T],
                      refusal: Callable[[T], object | None]) -> T:
    """An answer as `parse` reads it, asked again with what `refusal` says of it until
    that is nothing (both are state/'s rules)."""
    while True:
        value = parse(await console.ask(question))
        why = refusal(value)
        if why is None:
            return value
        console.say(str(why))
