"""Questions shared by several dialogs: each parses and checks one answer and
re-asks with the appliance's message until it is acceptable."""

from __future__ import annotations

from esacli import render, texts
from esacli.console import Console
from state import numbers, policy_params, ranges
from state.model import Config, Listener
from state.names import is_name
from state.numbers import Range


async def ask_int(console: Console, question: str, default: int | None, allowed: Range) -> int:
    """A whole number in `allowed` (ASCII digits only), asked again until it is one."""
    shown = "" if default is None else str(default)
    while True:
        answer = await console.ask(question, shown)
        if not answer:
            console.say(texts.ENTER_A_VALUE)
            continue
        value = allowed.parse(answer)
        if value is not None:
            return value
        console.say(allowed.message)


async def ask_port(console: Console, question: str, default: int) -> int:
    return await ask_int(console, question, default, ranges.PORT)


parse_size = numbers.parse_size
size_error = policy_params.size_problem



async def ask_size(console: Console, question: str, default: int | None) -> int:
    shown = "" if default is None else render.size(default)
    while True:
        answer = await console.ask(question, shown)
        if not answer:
            console.say(texts.ENTER_A_VALUE)
            continue
        error = size_error(answer)
        if error is None:
            return parse_size(answer) or 0
        console.say(error)


async def ask_list(console: Console, question: str) -> tuple[str, ...]:
    """A comma-separated list that must not be empty."""
    while True:
        answer = await console.ask(question)
        items = tuple(dict.fromkeys(x.strip() for x in answer.split(",") if x.strip()))
        if items:
            return items
        console.say(texts.ENTER_A_VALUE)


async def ask_listener_name(console: Console, config: Config, question: str,
                            default: str = "") -> str:
    """A valid listener name not used by another listener (names are case-sensitive)."""
    while True:
        name = await console.ask(question, default)
        if not name:
            console.say(texts.ENTER_A_VALUE)
        elif not is_name(name):
            console.say(texts.VALID_NAME_CHARS)
        elif name != default and any(li.name == name for li in config.listeners):
            console.say(texts.LISTENER_NAME_TAKEN.format(name=name))
        else:
            return name


async def choose_interface(console: Console, config: Config, current: str | None) -> str:
    ifaces = config.interfaces
    names = [i.name for i in ifaces]
    default = names.index(current) + 1 if current in names else 1
    options = [render.interface_line(i) for i in ifaces]
    while True:
        index = await console.choose(texts.LISTENER_INTERFACE, options, default, names)
        if index is not None:
            return names[index]


async def choose_protocol(console: Console, current: str) -> str:
    options = list(texts.PROTOCOLS)
    default = options.index(current) + 1 if current in options else 1
    index = await console.choose(texts.LISTENER_PROTOCOL, options, default, options)
    return options[index if index is not None else default - 1]


async def choose_listener(console: Console, config: Config, question: str) -> Listener | None:
    """Pick a listener by number or name; None (empty answer) climbs one level."""
    names = [li.name for li in config.listeners]
    index = await console.choose(question, names, None, names)
    return None if index is None else config.listeners[index]
