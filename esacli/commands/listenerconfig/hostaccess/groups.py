"""HOSTACCESS NEW / EDIT (of a policy) / DELETE / MOVE (§4.3): sender groups and policies.

Every dialog asks everything first and stages once at the end, so Ctrl-C drops it
whole; a bad answer is re-asked alone, keeping the answers already given. What an edit
means (ALL stays last, a deleted policy takes its groups with it) is state.edit.hat's.
"""

from __future__ import annotations

from functools import partial

from esacli import texts
from esacli.commands.context import Context
from esacli.commands.listenerconfig.hostaccess import questions as ask
from state import hat_shadow, model
from state.edit import hat as edit
from state.edit import listeners
from state.errors import EditRefused
from state.model import HAT, Listener, Policy, PolicyParams, SenderGroup


def stage(ctx: Context, li: Listener, hat: HAT) -> None:
    ctx.stage(listeners.put_listener(ctx.config, li.name, listeners.with_hat(li, hat)))
    warn_shadowed(ctx, li.name, li.hat, hat)


def warn_shadowed(ctx: Context, listener: str, before: HAT, after: HAT) -> None:
    """Say which sender groups the edit just made unreachable, and by which rows."""
    found = hat_shadow.newly_shadowed(before, after)
    if found:
        ctx.console.say("\n".join(hat_shadow.warning(listener, s) for s in found))


async def new(ctx: Context, li: Listener) -> None:
    index = await ask.pick_numbered(ctx.console, texts.hat.HAT_NEW_WHAT)
    await (new_policy(ctx, li) if index == 1 else new_group(ctx, li))


async def new_group(ctx: Context, li: Listener) -> None:
    console, hat = ctx.console, li.hat
    name = await ask.ask_name(console, texts.hat.HAT_GROUP_NAME,
                              partial(edit.group_name_refusal, hat), optional=True)
    hosts = await ask.ask_hosts(console)
    choice = await ask.ask_choice(console, hat, group=True)
    params = await ask.ask_params(console, li, choice, PolicyParams())
    comment = await console.ask(texts.hat.HAT_COMMENT)
    row = SenderGroup(name=name, senders=hosts, policy="", comment=comment)
    stage(ctx, li, edit.insert_group(hat, edit.point_group(row, choice, params)))


async def new_policy(ctx: Context, li: Listener) -> None:
    console = ctx.console
    name = await ask.ask_name(console, texts.hat.HAT_POLICY_NAME,
                              partial(edit.policy_name_refusal, li.hat))
    behavior = await ask.ask_behavior(console, li.hat)
    params = await ask.ask_params(console, li, behavior, PolicyParams())
    stage(ctx, li, edit.put_policy(li.hat, name, Policy(name=name, behavior=behavior,
                                                        params=params)))


async def edit_policy(ctx: Context, li: Listener) -> None:
    policy = await ask.pick_policy(ctx.console, li.hat, "edit")
    if policy is None:
        return
    behavior = await ask.ask_behavior(ctx.console, li.hat, policy.behavior)
    params = await ask.ask_params(ctx.console, li, behavior, policy.params)
    changed = model.replace(policy, behavior=behavior, params=params)
    stage(ctx, li, edit.put_policy(li.hat, policy.name, changed))


async def delete(ctx: Context, li: Listener) -> None:
    index = await ask.pick_numbered(ctx.console, texts.hat.HAT_DELETE_WHAT)
    if index == 1:
        await delete_policy(ctx, li)
        return
    chosen = await ask.pick_group(ctx.console, li.hat, "delete", movable=True)
    if chosen is None:
        return
    group = li.hat.groups[chosen]
    if await ctx.console.confirm(texts.hat.GROUP_DELETE_SURE.format(name=edit.label(group)),
                                 False):
        stage(ctx, li, edit.remove_group(li.hat, chosen))
        ctx.console.say(texts.hat.GROUP_DELETED.format(name=edit.label(group)))


async def delete_policy(ctx: Context, li: Listener) -> None:
    policy = await ask.pick_policy(ctx.console, li.hat, "delete")
    if policy is None:
        return
    try:
        remaining = edit.remove_policy(li.hat, policy.name)
    except EditRefused as refused:
        ctx.console.say(refused.message)
        return
    users = edit.users_of(li.hat, policy.name)
    if users:
        question = texts.hat.POLICY_IN_USE.format(
            name=policy.name, groups=", ".join(edit.label(g) for g in users))
        if not await ctx.console.confirm(question, False):
            return
    stage(ctx, li, remaining)
    ctx.console.say(texts.hat.POLICY_DELETED.format(name=policy.name))


async def move(ctx: Context, li: Listener) -> None:
    hat = li.hat
    chosen = await ask.pick_group(ctx.console, hat, "move", movable=True)
    if chosen is None:
        return
    labels = [edit.label(g) for g in hat.groups]
    while True:
        before = await ctx.console.choose(texts.hat.MOVE_BEFORE, labels, None, labels)
        if before is None:
            return
        if before != chosen:
            break
        ctx.console.say(texts.shell.NOT_VALID)
    stage(ctx, li, edit.move_group(hat, chosen, before))
