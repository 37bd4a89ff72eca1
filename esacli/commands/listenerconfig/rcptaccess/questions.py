"""RCPTACCESS questions: a new entry's address, and an entry's action and response (§5)."""

from __future__ import annotations

from esacli import texts
from esacli.commands.listenerconfig.responses import ask_code, ask_text
from esacli.console import Console
from state import forms, ranges
from state.edit import rat as edit
from state.model import Listener, RatAction, RatEntry

ACTIONS = [RatAction.ACCEPT, RatAction.REJECT]


async def ask_address(console: Console, li: Listener) -> str:
    while True:
        answer = await console.ask(texts.rat.RAT_ADDRESS)
        refusal = edit.address_refusal(li.rat, answer)
        if refusal is None:
            return forms.normalise_rat_address(answer)
        console.say(refusal)


async def ask_entry(console: Console, address: str, question: str,
                    current: RatEntry | None = None) -> RatEntry:
    """Action, custom response, receiving-control bypass: the §5 follow-up questions."""
    labels = list(texts.rat.RAT_ACTIONS)
    default = ACTIONS.index(current.action) + 1 if current else 1
    index = await console.choose(question, labels, default)
    action = ACTIONS[default - 1 if index is None else index]
    code: int | None = None
    text: str | None = None
    has_custom = current is not None and current.response_code is not None
    if await console.confirm(texts.rat.RAT_CUSTOM, has_custom):
        standard, codes = ((250, ranges.ACCEPT_CODE) if action is RatAction.ACCEPT
                           else (550, ranges.REFUSE_CODE))
        old_code = current.response_code if current and has_custom else None
        code = await ask_code(console, standard, old_code, codes)
        text = await ask_text(console, current.response_text if current else None)
    bypass = False
    if action is RatAction.ACCEPT:
        bypass = await console.confirm(
            texts.rat.RAT_BYPASS, bool(current and current.bypass_receiving_control))
    return RatEntry(address=address, action=action, response_code=code, response_text=text,
                    bypass_receiving_control=bypass)
