"""`clustermode` (§10): choose the mode (level) the following commands edit: the
dialog, or `clustermode cluster`, `clustermode group NAME`, `clustermode machine NAME`.
Changes staged in one mode wait there while another is edited."""

from __future__ import annotations

from collections.abc import Sequence

from esacli import cluster_gate, texts
from esacli.commands.context import Context
from esacli.commands.menu import Command
from state.cluster.errors import ClusterError
from state.cluster.levels import Kind, Level
from state.users import Act

KINDS = {"cluster": Kind.CLUSTER, "group": Kind.GROUP, "machine": Kind.MACHINE}


async def run(ctx: Context, args: Sequence[str]) -> None:
    if ctx.cluster is None:
        ctx.refuse(texts.cluster.NOT_CLUSTERED)
        return
    try:
        level = await (_batch(ctx, args) if args else _dialog(ctx))
    except ClusterError as exc:
        ctx.refuse(str(exc))
        return
    if level is not None:
        await cluster_gate.switch(ctx, level)


async def _batch(ctx: Context, args: Sequence[str]) -> Level | None:
    from state.cluster import ops

    assert ctx.cluster is not None
    kind = KINDS.get(args[0].lower())
    wanted = 1 if kind is Kind.CLUSTER else 2
    if kind is None or len(args) != wanted:
        ctx.refuse(texts.cluster.MODE_USAGE)
        return None
    return await ctx.call(ops.mode, ctx.cluster.node, kind, args[1] if wanted == 2 else "")


async def _dialog(ctx: Context) -> Level | None:
    from state.cluster import ops

    assert ctx.cluster is not None
    m = ctx.cluster.node.membership
    own = [m.cluster_level, m.group_level, m.machine_level]
    current = next((n for n, level in enumerate(own, 1) if level == ctx.cluster.level), 1)
    index = await ctx.console.choose(texts.cluster.CHOOSE_MODE, [lv.label for lv in own],
                                     current)
    if index is None or index == 0:
        return None if index is None else own[0]
    try:
        every = await ctx.call(ops.modes, ctx.cluster.node)
    except ClusterError:  # disconnected: this machine's own levels are known offline
        return own[index]
    kind = own[index].kind
    choices = [lv for lv in every if lv.kind is kind]
    if len(choices) < 2:
        return own[index]
    names = [lv.name for lv in choices]
    default = next((n for n, lv in enumerate(choices, 1) if lv == own[index]), 1)
    question = texts.cluster.CHOOSE_GROUP if kind is Kind.GROUP else texts.cluster.CHOOSE_MACHINE
    picked = await ctx.console.choose(question, names, default, names)
    return None if picked is None else choices[picked]


COMMAND = Command("clustermode", texts.shell.DESCRIPTIONS["clustermode"], run,
                  usage=texts.cluster.MODE_USAGE, takes_args=True, kind=Act.LOOK)
