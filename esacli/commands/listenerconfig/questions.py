"""listenerconfig's questions about a listener: its name, interface, protocol, and which one."""

from __future__ import annotations

from esacli import texts
from esacli.commands.listenerconfig.render import interface_line
from esacli.commands.value_questions import ask_checked
from esacli.console import Console
from state import forms
from state.edit import hat as edit_hat
from state.edit import listeners
from state.edit import rat as edit_rat
from state.model import Config, Listener


async def ask_listener_name(console: Console, config: Config, question: str,
                            default: str = "") -> str:
    """A valid listener name not used by another listener (names are case-sensitive)."""
    while True:
        name = await console.ask(question, default)
        refusal = listeners.name_refusal(config, name, default)
        if refusal is None:
            return name
        console.say(refusal)


async def ask_accepted_for(console: Console) -> tuple[str, ...]:
    """A public listener's first RAT entries, each one RCPTACCESS NEW would take: asked
    again with its refusal, so NEW never stages a table that commit would refuse."""
    return await ask_checked(console, texts.listener.ACCEPT_FOR, edit_rat.accepted_addresses,
                             edit_rat.accepted_refusal)


async def ask_relay_hosts(console: Console) -> tuple[str, ...]:
    """A private listener's relay hosts, each a sender form its RELAYLIST row can hold."""
    return await ask_checked(console, texts.listener.RELAY_FOR, forms.split_list,
                             edit_hat.sender_refusal)


async def choose_interface(console: Console, config: Config, current: str | None) -> str:
    names = [i.name for i in config.interfaces]
    default = names.index(current) + 1 if current in names else 1
    options = [interface_line(i) for i in config.interfaces]
    while True:
        index = await console.choose(texts.listener.LISTENER_INTERFACE, options, default, names)
        if index is not None:
            return names[index]


async def choose_protocol(console: Console, current: str) -> str:
    options = list(texts.listener.PROTOCOLS)
    default = options.index(current) + 1 if current in options else 1
    index = await console.choose(texts.listener.LISTENER_PROTOCOL, options, default, options)
    return options[index if index is not None else default - 1]


async def choose_listener(console: Console, config: Config, question: str) -> Listener | None:
    """Pick a listener by number or name; None (empty answer) climbs one level."""
    names = [li.name for li in config.listeners]
    index = await console.choose(question, names, None, names)
    return None if index is None else config.listeners[index]
