"""HOSTACCESS EDIT (§4.3): a sender group's menu (NEW / DELETE / MOVE / POLICY / PRINT /
RENAME), or a named policy's behavior and parameters.

Each operation stages its result when it completes; the group is looked up again by
position on every turn so a rename is followed. The ALL row offers POLICY and PRINT only.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from functools import partial

from esacli import texts
from esacli.commands.context import Context
from esacli.commands.listenerconfig.hostaccess import groups
from esacli.commands.listenerconfig.hostaccess import questions as ask
from esacli.commands.menu import Menu, Turn, loop
from state import formats, model
from state.edit import hat as edit
from state.model import HAT, Listener, PolicyParams, SenderGroup

Operation = Callable[[Context, Listener, int], Awaitable[None]]


async def edit_entry(ctx: Context, li: Listener) -> None:
    index = await ask.pick_numbered(ctx.console, texts.hat.HAT_EDIT_WHAT)
    if index == 1:
        await groups.edit_policy(ctx, li)
        return
    chosen = await ask.pick_group(ctx.console, li.hat, "edit", movable=False)
    if chosen is not None:
        await run(ctx, li.name, chosen)


async def run(ctx: Context, name: str, index: int) -> None:
    def turn() -> Turn[Operation] | None:
        li = model.by_name(ctx.config.listeners, name)
        if li is None or index >= len(li.hat.groups):
            return None
        menu = MENU if li.hat.groups[index].name != edit.ALL else MENU.only("POLICY", "PRINT")
        return describe(li.hat, index), menu, (ctx, li, index)
    await loop(ctx.console, turn)


def _target(group: SenderGroup) -> str:
    if group.policy:
        return f"${group.policy}"
    return group.behavior.value if group.behavior is not None else "?"


def describe(hat: HAT, index: int) -> str:
    group = hat.groups[index]
    header = texts.hat.GROUP_HEADER.format(name=edit.label(group), target=_target(group))
    lines = [f"{n}. {s}" for n, s in enumerate(group.senders, 1)]
    return "\n".join([header, *lines])


def _set(ctx: Context, li: Listener, index: int, group: SenderGroup) -> None:
    groups.stage(ctx, li, edit.set_group(li.hat, index, group))


async def add_hosts(ctx: Context, li: Listener, index: int) -> None:
    group = li.hat.groups[index]
    added: list[str] = []
    for host in edit.new_senders(group, await ask.ask_hosts(ctx.console)):
        other = edit.holder(li.hat, index, host)
        if other is not None and not await ctx.console.confirm(
                texts.hat.HOST_ELSEWHERE.format(host=host, group=edit.label(other)), False):
            continue
        added.append(host)
    _set(ctx, li, index, model.replace(group, senders=group.senders + tuple(added)))


async def _pick_host(ctx: Context, li: Listener, index: int, action: str) -> int | None:
    senders = list(li.hat.groups[index].senders)
    if not senders:
        ctx.console.say(texts.hat.NO_GROUPS.format(action=action))
        return None
    question = texts.hat.WHICH_HOST.format(action=action)
    return await ctx.console.choose(question, senders, None, senders)


async def delete_host(ctx: Context, li: Listener, index: int) -> None:
    host = await _pick_host(ctx, li, index, "delete")
    if host is not None:
        _set(ctx, li, index, edit.remove_sender(li.hat.groups[index], host))


async def move_host(ctx: Context, li: Listener, index: int) -> None:
    host = await _pick_host(ctx, li, index, "move")
    if host is None:
        return
    senders = list(li.hat.groups[index].senders)
    before = await ctx.console.choose(texts.hat.HOST_BEFORE, senders, None, senders)
    if before is not None and before != host:
        _set(ctx, li, index, edit.move_sender(li.hat.groups[index], host, before))


async def policy(ctx: Context, li: Listener, index: int) -> None:
    group = li.hat.groups[index]
    current = group.policy or group.behavior
    choice = await ask.ask_choice(ctx.console, li.hat, True, current)
    own = group.params if not group.policy else PolicyParams()
    params = await ask.ask_params(ctx.console, li, choice, own)
    _set(ctx, li, index, edit.point_group(group, choice, params))


async def print_group(ctx: Context, li: Listener, index: int) -> None:
    group = li.hat.groups[index]
    ctx.console.say(formats.hat_text(model.replace(li.hat, policies=(), groups=(group,))))


async def rename(ctx: Context, li: Listener, index: int) -> None:
    group = li.hat.groups[index]
    name = await ask.ask_name(ctx.console, texts.hat.GROUP_NEW_NAME,
                              partial(edit.group_name_refusal, li.hat, current=group.name),
                              group.name)
    _set(ctx, li, index, model.replace(group, name=name))


MENU: Menu[Operation] = Menu.of(texts.hat.GROUP_MENU, {
    "NEW": add_hosts, "DELETE": delete_host, "MOVE": move_host, "POLICY": policy,
    "PRINT": print_group, "RENAME": rename,
})
