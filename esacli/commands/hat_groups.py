"""HOSTACCESS NEW / EDIT / DELETE / MOVE (§4.3): sender groups and named policies.

Every dialog asks everything first and stages once at the end, so Ctrl-C drops
it whole; a bad answer is re-asked alone, keeping the answers already given.
"""

from __future__ import annotations

from esacli import texts
from esacli.commands import _edit, hat_params
from esacli.commands import hat_edit as edit
from esacli.commands.base import Context
from esacli.console import Console
from state import forms, model, numbers
from state.model import HAT, Behavior, Listener, Policy, PolicyParams, SenderGroup
from state.names import is_name

_GROUP_BEHAVIORS = [Behavior.ACCEPT, Behavior.RELAY, Behavior.REJECT, Behavior.TCPREFUSE,
                    Behavior.CONTINUE]
_POLICY_BEHAVIORS = _GROUP_BEHAVIORS[:4]
_WITH_PARAMS = (Behavior.ACCEPT, Behavior.RELAY, Behavior.REJECT)


def stage(ctx: Context, li: Listener, hat: HAT) -> None:
    ctx.stage(_edit.put_listener(ctx.config, li.name, edit.with_hat(li, hat)))


# -- answers ------------------------------------------------------------------------


async def ask_hosts(console: Console, required: bool = True) -> tuple[str, ...]:
    """Sender forms, every one valid (the first bad one is named); re-asked until so."""
    while True:
        hosts = forms.split_list(await console.ask(texts.HAT_HOSTS))
        bad = next((h for h in hosts if forms.sender_kind(h) in (None, "all")), None)
        if bad is not None:
            console.say(texts.INVALID_HOST.format(host=bad))
        elif not hosts and required:
            console.say(texts.ENTER_A_VALUE)
        else:
            return hosts


async def ask_name(console: Console, question: str, taken: list[str], exists: str,
                    current: str = "", optional: bool = False) -> str:
    while True:
        name = await console.ask(question, current)
        if not name and optional:
            return ""
        if not name:
            console.say(texts.ENTER_A_VALUE)
        elif not is_name(name) or name.upper() == "ALL":
            console.say(texts.VALID_NAME_CHARS)
        elif name != current and name in taken:
            console.say(exists.format(name=name))
        else:
            return name


async def ask_choice(console: Console, hat: HAT, group: bool,
                     current: str | Behavior | None = None) -> str | Behavior:
    """The behavior list; sender groups also get Continue and one item per named policy."""
    behaviors = _GROUP_BEHAVIORS if group else _POLICY_BEHAVIORS
    options: list[str | Behavior] = list(behaviors)
    labels = [texts.BEHAVIOR_LABELS[b.value] for b in behaviors]
    if group:
        options += [p.name for p in hat.policies]
        labels += [texts.POLICY_CHOICE.format(name=p.name) for p in hat.policies]
    default = options.index(current) + 1 if current in options else 1
    index = await console.choose(texts.HAT_BEHAVIOR, labels, default, labels)
    return options[default - 1 if index is None else index]


async def ask_params(console: Console, li: Listener, choice: str | Behavior,
                     params: PolicyParams) -> PolicyParams:
    if choice not in _WITH_PARAMS or not await console.confirm(texts.CHANGE_PARAMS, False):
        return params
    return await hat_params.dialog(console, params, li, inherit=True)


async def pick_numbered(console: Console, options: tuple[str, ...], default: int = 1) -> int:
    """A numbered list with no question line (`1. New Sender Group` ... `[1]>`)."""
    listing = "\n".join(f"{n}. {text}" for n, text in enumerate(options, 1))
    while True:
        answer = await console.ask(listing, str(default))
        number = numbers.parse_int(answer)
        if number is not None and 1 <= number <= len(options):
            return number - 1
        console.say(texts.NOT_VALID)


async def pick_group(console: Console, hat: HAT, action: str, movable: bool) -> int | None:
    """A sender group by number or name; the ALL row is not offered when `movable`."""
    count = edit.all_index(hat) if movable else len(hat.groups)
    labels = [edit.label(g) for g in hat.groups[:count]]
    if not labels:
        console.say(texts.NO_GROUPS.format(action=action))
        return None
    return await console.choose(texts.WHICH_GROUP.format(action=action), labels, None, labels)


async def pick_policy(console: Console, hat: HAT, action: str) -> Policy | None:
    names = [p.name for p in hat.policies]
    if not names:
        console.say(texts.NO_POLICIES)
        return None
    index = await console.choose(texts.WHICH_POLICY.format(action=action), names, None, names)
    return None if index is None else hat.policies[index]


# -- NEW ------------------------------------------------------------------------------


async def new(ctx: Context, li: Listener) -> None:
    index = await pick_numbered(ctx.console, texts.HAT_NEW_WHAT)
    if index == 1:
        await new_policy(ctx, li)
    else:
        await new_group(ctx, li)


async def new_group(ctx: Context, li: Listener) -> None:
    console, hat = ctx.console, li.hat
    taken = [g.name for g in hat.groups if g.name]
    name = await ask_name(console, texts.HAT_GROUP_NAME, taken, texts.GROUP_EXISTS,
                           optional=True)
    hosts = await ask_hosts(console)
    choice = await ask_choice(console, hat, group=True)
    params = await ask_params(console, li, choice, PolicyParams())
    comment = await console.ask(texts.HAT_COMMENT)
    group = edit.group_with(SenderGroup(name=name, senders=hosts, policy="", comment=comment),
                            choice)
    stage(ctx, li, edit.insert_group(hat, model.replace(group, params=params)))


async def new_policy(ctx: Context, li: Listener) -> None:
    console = ctx.console
    taken = [p.name for p in li.hat.policies]
    name = await ask_name(console, texts.HAT_POLICY_NAME, taken, texts.POLICY_EXISTS)
    behavior = await ask_choice(console, li.hat, group=False)
    assert isinstance(behavior, Behavior)
    params = await ask_params(console, li, behavior, PolicyParams())
    policy = Policy(name=name, behavior=behavior, params=params)
    stage(ctx, li, edit.put_policy(li.hat, name, policy))


# -- EDIT -----------------------------------------------------------------------------


async def edit_policy(ctx: Context, li: Listener) -> None:
    policy = await pick_policy(ctx.console, li.hat, "edit")
    if policy is None:
        return
    behavior = await ask_choice(ctx.console, li.hat, False, policy.behavior)
    assert isinstance(behavior, Behavior)
    params = await ask_params(ctx.console, li, behavior, policy.params)
    changed = model.replace(policy, behavior=behavior, params=params)
    stage(ctx, li, edit.put_policy(li.hat, policy.name, changed))


# -- DELETE / MOVE --------------------------------------------------------------------


async def delete(ctx: Context, li: Listener) -> None:
    index = await pick_numbered(ctx.console, texts.HAT_DELETE_WHAT)
    if index == 1:
        await delete_policy(ctx, li)
        return
    chosen = await pick_group(ctx.console, li.hat, "delete", movable=True)
    if chosen is not None:
        group = li.hat.groups[chosen]
        stage(ctx, li, edit.remove_group(li.hat, chosen))
        ctx.console.say(texts.GROUP_DELETED.format(name=edit.label(group)))


async def delete_policy(ctx: Context, li: Listener) -> None:
    policy = await pick_policy(ctx.console, li.hat, "delete")
    if policy is None:
        return
    users = edit.users_of(li.hat, policy.name)
    if any(g.senders == ("ALL",) and g is li.hat.groups[-1] for g in users):
        ctx.console.say(texts.POLICY_USED_BY_ALL.format(name=policy.name))
        return
    if users:
        question = texts.POLICY_IN_USE.format(
            name=policy.name, groups=", ".join(edit.label(g) for g in users))
        if not await ctx.console.confirm(question, False):
            return
    stage(ctx, li, edit.remove_policy(li.hat, policy.name))
    ctx.console.say(texts.POLICY_DELETED.format(name=policy.name))


async def move(ctx: Context, li: Listener) -> None:
    hat = li.hat
    chosen = await pick_group(ctx.console, hat, "move", movable=True)
    if chosen is None:
        return
    labels = [edit.label(g) for g in hat.groups]
    while True:
        before = await ctx.console.choose(texts.MOVE_BEFORE, labels, None, labels)
        if before is None:
            return
        if before != chosen:
            break
        ctx.console.say(texts.NOT_VALID)
    stage(ctx, li, edit.move_group(hat, chosen, before))
