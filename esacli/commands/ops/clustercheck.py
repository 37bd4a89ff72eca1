"""`clustercheck` (§10): the machines whose applied versions differ from the heads of
their levels, and why (disconnected, not yet applied, cannot apply)."""

from __future__ import annotations

from collections.abc import Sequence

from esacli import texts
from esacli.commands.context import Context
from esacli.commands.menu import Command
from state.cluster.errors import ClusterError
from state.users import Act


async def run(ctx: Context, args: Sequence[str]) -> None:
    if ctx.cluster is None:
        ctx.refuse(texts.cluster.NOT_CLUSTERED)
        return
    from state.cluster import status

    try:
        found = await ctx.call(status.check, ctx.cluster.node)
    except ClusterError as exc:
        ctx.refuse(str(exc))
        return
    if not found:
        ctx.console.say(texts.cluster.CHECK_OK)
        return
    lines = [texts.cluster.CHECK_LINE.format(machine=i.machine, group=i.group, reason=i.reason)
             for i in found]
    ctx.refuse("\n".join([texts.cluster.CHECK_HEADER, *lines]))


COMMAND = Command("clustercheck", texts.shell.DESCRIPTIONS["clustercheck"], run, kind=Act.LOOK)
