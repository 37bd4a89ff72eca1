"""HOSTACCESS questions: senders, names, behaviors, parameters, and which row or policy.

Each asks again with the appliance's message until the answer is acceptable; whether it
is acceptable is state.edit.hat's to say.
"""

from __future__ import annotations

from collections.abc import Callable

from esacli import texts
from esacli.commands.listenerconfig.hostaccess import params
from esacli.console import Console
from state import forms, numbers
from state.edit import hat as edit
from state.messages import Message
from state.model import HAT, Behavior, Listener, Policy, PolicyParams


async def ask_hosts(console: Console, required: bool = True) -> tuple[str, ...]:
    """Sender forms, every one valid (the first bad one is named); re-asked until so."""
    while True:
        hosts = forms.split_list(await console.ask(texts.hat.HAT_HOSTS))
        refusal = edit.sender_refusal(hosts, required)
        if refusal is None:
            return hosts
        console.say(refusal)


async def ask_name(console: Console, question: str, refusal: Callable[[str], Message | None],
                   current: str = "", optional: bool = False) -> str:
    while True:
        name = await console.ask(question, current)
        if not name and optional:
            return ""
        why = refusal(name)
        if why is None:
            return name
        console.say(why)


async def ask_choice(console: Console, hat: HAT, group: bool,
                     current: edit.Choice | None = None) -> edit.Choice:
    """The behavior list; sender groups also get Continue and one item per named policy."""
    behaviors = edit.GROUP_BEHAVIORS if group else edit.POLICY_BEHAVIORS
    options: list[edit.Choice] = list(behaviors)
    labels = [texts.hat.BEHAVIOR_LABELS[b.value] for b in behaviors]
    if group:
        options += [p.name for p in hat.policies]
        labels += [texts.hat.POLICY_CHOICE.format(name=p.name) for p in hat.policies]
    default = options.index(current) + 1 if current in options else 1
    index = await console.choose(texts.hat.HAT_BEHAVIOR, labels, default, labels)
    return options[default - 1 if index is None else index]


async def ask_behavior(console: Console, hat: HAT, current: Behavior | None = None) -> Behavior:
    """A named policy's behavior (never a policy of its own, never CONTINUE)."""
    choice = await ask_choice(console, hat, group=False, current=current)
    assert isinstance(choice, Behavior)
    return choice


async def ask_params(console: Console, li: Listener, choice: edit.Choice,
                     current: PolicyParams) -> PolicyParams:
    if not edit.takes_params(choice) or not await console.confirm(texts.hat.CHANGE_PARAMS, False):
        return current
    return await params.dialog(console, current, li, inherit=True)


async def pick_numbered(console: Console, options: tuple[str, ...], default: int = 1) -> int:
    """A numbered list with no question line (`1. New Sender Group` ... `[1]>`)."""
    listing = "\n".join(f"{n}. {text}" for n, text in enumerate(options, 1))
    while True:
        answer = await console.ask(listing, str(default))
        number = numbers.parse_int(answer)
        if number is not None and 1 <= number <= len(options):
            return number - 1
        console.say(texts.shell.NOT_VALID)


async def pick_group(console: Console, hat: HAT, action: str, movable: bool) -> int | None:
    """A sender group by number or name; the ALL row is not offered when `movable`."""
    count = edit.all_index(hat) if movable else len(hat.groups)
    labels = [edit.label(g) for g in hat.groups[:count]]
    if not labels:
        console.say(texts.hat.NO_GROUPS.format(action=action))
        return None
    return await console.choose(texts.hat.WHICH_GROUP.format(action=action), labels, None, labels)


async def pick_policy(console: Console, hat: HAT, action: str) -> Policy | None:
    names = [p.name for p in hat.policies]
    if not names:
        console.say(texts.hat.NO_POLICIES)
        return None
    index = await console.choose(texts.hat.WHICH_POLICY.format(action=action), names, None, names)
    return None if index is None else hat.policies[index]
