"""`clusterconfig` (§10): on a standalone appliance, create or join a cluster
(standalone.py); on a member, its groups and machines, and this machine's connection.
Every operation is one transaction of the cluster database (state/cluster/ops.py),
run off the event loop; a refusal says why and changes nothing."""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

from esacli import render, texts
from esacli.commands.clusterconfig import standalone
from esacli.commands.context import Context
from esacli.commands.menu import Command, Menu, Operation, run_menu
from state.cluster.errors import ClusterError
from state.users import Act

if TYPE_CHECKING:
    from state.cluster.node import ClusterNode
    from state.cluster.status import MachineStatus


class _Refused(Exception):
    """A cluster operation was refused; its reason has been said."""


async def run(ctx: Context, args: Sequence[str]) -> None:
    if ctx.cluster is None:
        await standalone.dialog(ctx)
        return
    await run_menu(ctx, MENU, lambda: _header(ctx))


def _header(ctx: Context) -> str:
    return texts.cluster.CLUSTER_HEADER.format(name=_node(ctx).membership.cluster)


def _node(ctx: Context) -> ClusterNode:
    assert ctx.cluster is not None
    return ctx.cluster.node


async def _do(ctx: Context, fn: Callable[..., Any], *args: Any) -> Any:
    """One cluster operation off the event loop; _Refused (the reason said) if refused."""
    try:
        return await ctx.call(fn, *args)
    except ClusterError as exc:
        ctx.refuse(str(exc))
        raise _Refused() from None


def _operation(body: Callable[[Context], Any]) -> Operation:
    async def operation(ctx: Context) -> None:
        with contextlib.suppress(_Refused):
            await body(ctx)
    return operation


async def _pick(ctx: Context, question: str, names: list[str]) -> str | None:
    index = await ctx.console.choose(question, names, None, names)
    return None if index is None else names[index]


async def _groups(ctx: Context) -> list[str]:
    from state.cluster import ops
    from state.cluster.levels import Kind

    modes = await _do(ctx, ops.modes, _node(ctx))
    return [lv.name for lv in modes if lv.kind is Kind.GROUP]


async def _machines(ctx: Context) -> list[MachineStatus]:
    from state.cluster import status

    found: list[MachineStatus] = await _do(ctx, status.machines, _node(ctx))
    return found


async def _ask_name(ctx: Context, question: str, default: str = "") -> str | None:
    from state.cluster import ops

    while True:
        answer = await ctx.console.ask(question, default)
        if not answer:
            return None
        try:
            return ops.check_name(answer)
        except ClusterError as exc:
            ctx.console.say(str(exc))


async def _addgroup(ctx: Context) -> None:
    from state.cluster import ops

    name = await _ask_name(ctx, texts.cluster.NEW_GROUP)
    if name is not None:
        await _do(ctx, ops.add_group, _node(ctx), name)
        ctx.console.say(texts.cluster.GROUP_ADDED.format(name=name))


async def _setgroup(ctx: Context) -> None:
    from state.cluster import ops

    machines = [m.name for m in await _machines(ctx)]
    machine = await _pick(ctx, texts.cluster.WHICH_MACHINE, machines)
    if machine is None:
        return
    group = await _pick(ctx, texts.cluster.WHICH_GROUP, await _groups(ctx))
    if group is not None:
        await _do(ctx, ops.set_group, _node(ctx), machine, group)
        ctx.console.say(texts.cluster.GROUP_SET.format(machine=machine, group=group))


async def _renamegroup(ctx: Context) -> None:
    from state.cluster import ops

    old = await _pick(ctx, texts.cluster.RENAME_WHICH, await _groups(ctx))
    if old is None:
        return
    new = await _ask_name(ctx, texts.cluster.RENAME_TO, old)
    if new is not None and new != old:
        await _do(ctx, ops.rename_group, _node(ctx), old, new)
        ctx.console.say(texts.cluster.GROUP_RENAMED.format(old=old, new=new))


async def _deletegroup(ctx: Context) -> None:
    from state.cluster import ops

    name = await _pick(ctx, texts.cluster.DELETE_WHICH, await _groups(ctx))
    if name is not None:
        await _do(ctx, ops.delete_group, _node(ctx), name)
        ctx.console.say(texts.cluster.GROUP_DELETED.format(name=name))


async def _removemachine(ctx: Context) -> None:
    from state.cluster import ops

    name = await _pick(ctx, texts.cluster.REMOVE_WHICH, [m.name for m in await _machines(ctx)])
    if name is None:
        return
    if name == _node(ctx).membership.machine:  # refused before asking anything more
        await _do(ctx, ops.remove_machine, _node(ctx), name)
    if await ctx.console.confirm(texts.cluster.REMOVE_CONFIRM.format(name=name), False):
        await _do(ctx, ops.remove_machine, _node(ctx), name)
        ctx.console.say(texts.cluster.MACHINE_REMOVED.format(name=name))


async def _setname(ctx: Context) -> None:
    from state.cluster import ops

    current = _node(ctx).membership.cluster
    name = await _ask_name(ctx, texts.cluster.SETNAME_PROMPT, current)
    if name is not None and name != current:
        await _do(ctx, ops.set_cluster_name, _node(ctx), name)
        ctx.console.say(texts.cluster.CLUSTER_RENAMED.format(name=name))


async def _list(ctx: Context) -> None:
    machines = await _machines(ctx)
    lines = []
    for group in await _groups(ctx):
        lines.append(texts.cluster.LIST_GROUP.format(name=group))
        inside = [m for m in machines if m.group == group]
        lines += [texts.cluster.LIST_MACHINE.format(
            name=m.name, this=texts.cluster.LIST_THIS if m.this else "",
            state=texts.cluster.CONNECTED if m.connected else texts.cluster.DISCONNECTED,
            applied="/".join(str(n) for n in m.applied)) for m in inside]
        if not inside:
            lines.append(texts.cluster.LIST_EMPTY)
    ctx.console.say("\n".join(lines))


async def _connstatus(ctx: Context) -> None:
    from state.cluster import status

    c = await _do(ctx, status.connection, _node(ctx))
    state = texts.cluster.CONNECTED if c.connected else texts.cluster.DISCONNECTED
    shape = texts.cluster.CONN_REASON if c.reason and not c.connected else texts.cluster.CONN_SINCE
    shown = shape.format(state=state, date=render.date(c.since), reason=c.reason)
    values = {"cluster": c.cluster, "machine": c.machine, "group": c.group, "server": c.server,
              "state": shown}
    lines = [line.format(**values) for line in texts.cluster.CONN_LINES]
    if c.offline_commit:
        lines.append(texts.cluster.CONN_OUTBOX)
    if c.push_error:
        lines.append(texts.cluster.CONN_PUSH_ERROR.format(error=c.push_error))
    ctx.console.say("\n".join(lines))


async def _disconnect(ctx: Context) -> None:
    from state.cluster import status

    if await ctx.console.confirm(texts.cluster.DISCONNECT_CONFIRM, False):
        await _do(ctx, status.disconnect, _node(ctx))
        ctx.console.say(texts.cluster.DISCONNECTED_NOW)


async def _reconnect(ctx: Context) -> None:
    from state.cluster import status

    try:
        await _do(ctx, status.reconnect, _node(ctx))
    except _Refused:
        ctx.console.say(texts.cluster.RECONNECT_LATER)
        return
    ctx.console.say(texts.cluster.RECONNECTED)


MENU: Menu[Operation] = Menu.of(texts.cluster.MENU, {
    "ADDGROUP": _operation(_addgroup), "SETGROUP": _operation(_setgroup),
    "RENAMEGROUP": _operation(_renamegroup), "DELETEGROUP": _operation(_deletegroup),
    "REMOVEMACHINE": _operation(_removemachine), "SETNAME": _operation(_setname),
    "LIST": _operation(_list), "CONNSTATUS": _operation(_connstatus),
    "DISCONNECT": _operation(_disconnect), "RECONNECT": _operation(_reconnect),
})

# its operations write to the cluster at once, as a commit does
COMMAND = Command("clusterconfig", texts.shell.DESCRIPTIONS["clusterconfig"], run, kind=Act.COMMIT)
