"""HOSTACCESS EDIT (§4.3): a sender group's sub-menu (NEW / DELETE / MOVE / POLICY /
PRINT / RENAME) or a named policy's behavior and parameters.

Each sub-operation stages its result when it completes; the group is looked up
again by position on every turn so a rename is followed.
"""

from __future__ import annotations

from esacli import texts
from esacli.commands import hat_edit as edit
from esacli.commands import hat_groups
from esacli.commands.base import Context
from state import formats, model
from state.model import HAT, Listener


async def edit_entry(ctx: Context, li: Listener) -> None:
    index = await hat_groups.pick_numbered(ctx.console, texts.HAT_EDIT_WHAT)
    if index == 1:
        await hat_groups.edit_policy(ctx, li)
        return
    chosen = await hat_groups.pick_group(ctx.console, li.hat, "edit", movable=False)
    if chosen is not None:
        await run(ctx, li.name, chosen)


async def run(ctx: Context, name: str, index: int) -> None:
    while True:
        li = model.by_name(ctx.config.listeners, name)
        if li is None or index >= len(li.hat.groups):
            return
        ctx.console.say(describe(li.hat, index))
        ops = texts.GROUP_MENU if li.hat.groups[index].name != "ALL" else [
            item for item in texts.GROUP_MENU if item[0] in ("POLICY", "PRINT")]
        op = await ctx.console.menu(ops)
        if op is None:
            return
        await _OPS[op](ctx, li, index)


def describe(hat: HAT, index: int) -> str:
    group = hat.groups[index]
    header = texts.GROUP_HEADER.format(name=edit.label(group), target=edit.target(group))
    lines = [f"{n}. {s}" for n, s in enumerate(group.senders, 1)]
    return "\n".join([header, *lines])


async def _new(ctx: Context, li: Listener, index: int) -> None:
    group = li.hat.groups[index]
    hosts = await hat_groups.ask_hosts(ctx.console)
    added: list[str] = []
    for host in hosts:
        if host in group.senders or host in added:
            continue  # duplicates within a group are dropped (§4.5)
        other = next((g for g in li.hat.groups if g is not group and host in g.senders), None)
        if other is not None and not await ctx.console.confirm(
                texts.HOST_ELSEWHERE.format(host=host, group=edit.label(other)), False):
            continue
        added.append(host)
    changed = model.replace(group, senders=group.senders + tuple(added))
    hat_groups.stage(ctx, li, edit.set_group(li.hat, index, changed))


async def _pick_host(ctx: Context, li: Listener, index: int, action: str) -> int | None:
    senders = list(li.hat.groups[index].senders)
    if not senders:
        ctx.console.say(texts.NO_GROUPS.format(action=action))
        return None
    question = texts.WHICH_HOST.format(action=action)
    return await ctx.console.choose(question, senders, None, senders)


async def _delete(ctx: Context, li: Listener, index: int) -> None:
    host = await _pick_host(ctx, li, index, "delete")
    if host is None:
        return
    group = li.hat.groups[index]
    senders = group.senders[:host] + group.senders[host + 1:]
    hat_groups.stage(ctx, li, edit.set_group(li.hat, index, model.replace(group, senders=senders)))


async def _move(ctx: Context, li: Listener, index: int) -> None:
    host = await _pick_host(ctx, li, index, "move")
    if host is None:
        return
    group = li.hat.groups[index]
    senders = list(group.senders)
    before = await ctx.console.choose(texts.HOST_BEFORE, senders, None, senders)
    if before is None or before == host:
        return
    moving = senders.pop(host)
    senders.insert(before if before < host else before - 1, moving)
    changed = model.replace(group, senders=tuple(senders))
    hat_groups.stage(ctx, li, edit.set_group(li.hat, index, changed))


async def _policy(ctx: Context, li: Listener, index: int) -> None:
    group = li.hat.groups[index]
    current = group.policy or group.behavior
    choice = await hat_groups.ask_choice(ctx.console, li.hat, True, current)
    params = group.params if not group.policy else model.PolicyParams()
    params = await hat_groups.ask_params(ctx.console, li, choice, params)
    changed = model.replace(edit.group_with(group, choice), params=params)
    if not isinstance(choice, model.Behavior):
        changed = model.replace(changed, params=model.PolicyParams())
    hat_groups.stage(ctx, li, edit.set_group(li.hat, index, changed))


async def _print(ctx: Context, li: Listener, index: int) -> None:
    group = li.hat.groups[index]
    ctx.console.say(formats.hat_text(model.replace(li.hat, policies=(), groups=(group,))))


async def _rename(ctx: Context, li: Listener, index: int) -> None:
    group = li.hat.groups[index]
    taken = [g.name for g in li.hat.groups if g.name]
    name = await hat_groups.ask_name(ctx.console, texts.GROUP_NEW_NAME, taken,
                                     texts.GROUP_EXISTS, group.name)
    hat_groups.stage(ctx, li, edit.set_group(li.hat, index, model.replace(group, name=name)))


_OPS = {"NEW": _new, "DELETE": _delete, "MOVE": _move, "POLICY": _policy, "PRINT": _print,
        "RENAME": _rename}
