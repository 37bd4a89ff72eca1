"""`clusterconfig` on a standalone appliance (§10): create a cluster from this appliance
(its configuration becomes the Cluster level, its host name and interfaces its Machine
level), or join one (its shared settings are replaced by the cluster's after a
confirmation; the cluster passphrase is asked once and never echoed).

Every answer is checked as it is given and asked again with the reason; the cluster
database is written only at the end, in one transaction (state/cluster/ops.py), so a
refusal or Ctrl-C leaves nothing half-made."""

from __future__ import annotations

from typing import TYPE_CHECKING

from engine.inbound.binding import probe
from esacli import texts
from esacli.commands.context import Context
from esacli.errors import commit_refused
from state.cluster import messages, threads
from state.cluster.errors import ClusterError, Unreachable
from state.errors import CommitRefused

if TYPE_CHECKING:
    from state.cluster.node import ClusterNode
    from state.cluster.ops import ClusterInfo

SOURCE = "clusterconfig"
PASSPHRASE_TRIES = 3  # wrong cluster passphrases before the join ends


async def dialog(ctx: Context) -> None:
    if ctx.session.pending and not await ctx.console.confirm(texts.cluster.PENDING_LOST, False):
        return
    choice = await ctx.console.choose(texts.cluster.JOIN_OR_CREATE, texts.cluster.CHOICES, 1)
    if choice is None or choice == 0:
        return
    node = await (_create(ctx) if choice == 1 else _join(ctx))
    if node is None:
        return
    from esacli.cluster_modes import Modes

    ctx.session.close()
    ctx.cluster = await Modes.open(ctx.session.store, ctx.session.secrets, ctx.session.user,
                                   ctx.session.source, node=node)
    ctx.session = ctx.cluster.session


async def _name(ctx: Context, question: str, default: str = "",
                taken: list[str] | None = None) -> str:
    from state.cluster import ops

    while True:
        answer = await ctx.console.ask(question, default)
        try:
            ops.check_name(answer)
        except ClusterError as exc:
            ctx.console.say(str(exc))
            continue
        if taken and answer in taken:
            ctx.console.say(messages.DUPLICATE_MACHINE(name=answer))
            continue
        return answer


async def _conninfo(ctx: Context) -> str:
    """The cluster database's address; its password asked apart, without echo, unless
    the address carries one."""
    from state.cluster import db

    while True:
        answer = await ctx.console.ask(texts.cluster.CONNINFO)
        if answer:
            break
        ctx.console.say(texts.shell.ENTER_A_VALUE)
    if db.has_password(answer):
        return answer
    return db.with_password(answer, await ctx.console.ask_secret(texts.cluster.DB_PASSWORD))


async def _new_passphrase(ctx: Context) -> str:
    from state.cluster import ops

    ctx.console.say(texts.cluster.NEW_PASSPHRASE)
    while True:
        first = await ctx.console.ask_secret(texts.cluster.PASSPHRASE)
        try:
            ops.check_passphrase(first)
        except ClusterError as exc:
            ctx.console.say(str(exc))
            continue
        if await ctx.console.ask_secret(texts.cluster.PASSPHRASE_AGAIN) == first:
            return first
        ctx.console.say(texts.cluster.PASSPHRASE_MISMATCH)


async def _create(ctx: Context) -> ClusterNode | None:
    from state.cluster import ops

    s = ctx.session
    name = await _name(ctx, texts.cluster.CLUSTER_NAME)
    conninfo = await _conninfo(ctx)
    machine = await _name(ctx, texts.cluster.MACHINE_NAME, s.candidate.hostname)
    passphrase = await _new_passphrase(ctx)
    while True:
        try:
            node = await threads.off_loop(ops.create, s.store, s.secrets, conninfo, name,
                                           machine, passphrase, s.user)
        except Unreachable as exc:  # a typo in the address: ask for it again
            ctx.console.say(str(exc))
            conninfo = await _conninfo(ctx)
            continue
        except ClusterError as exc:
            ctx.refuse(f"{exc}\n{texts.cluster.NOTHING_CHANGED}")
            return None
        m = node.membership
        ctx.console.say(texts.cluster.CREATED.format(name=name, machine=machine, group=m.group))
        return node


async def _probe(ctx: Context) -> tuple[str, ClusterInfo]:
    from state.cluster import ops

    while True:
        conninfo = await _conninfo(ctx)
        try:
            return conninfo, await threads.off_loop(ops.probe, conninfo)
        except ClusterError as exc:
            ctx.console.say(str(exc))


async def _passphrase(ctx: Context, conninfo: str) -> str | None:
    """Asked once; again only if it is wrong, PASSPHRASE_TRIES times in all (None then:
    the join ends, as an SSH login ends after its failed passwords)."""
    from state.cluster import ops

    for _ in range(PASSPHRASE_TRIES):
        answer = await ctx.console.ask_secret(texts.cluster.PASSPHRASE)
        try:
            await threads.off_loop(ops.check_cluster_passphrase, conninfo, answer)
        except ClusterError as exc:
            ctx.console.say(str(exc))
            continue
        return answer
    ctx.refuse(texts.cluster.PASSPHRASE_TRIES_OVER.format(tries=PASSPHRASE_TRIES))
    return None


async def _join(ctx: Context) -> ClusterNode | None:
    from state.cluster import ops

    s = ctx.session
    conninfo, info = await _probe(ctx)
    ctx.console.say(texts.cluster.FOUND.format(name=info.name, machines=", ".join(info.machines)))
    machine = await _name(ctx, texts.cluster.MACHINE_NAME, s.candidate.hostname, info.machines)
    groups = info.groups
    default = groups.index("Main_Group") + 1 if "Main_Group" in groups else 1
    index = await ctx.console.choose(texts.cluster.CHOOSE_JOIN_GROUP, groups, default, groups)
    group = groups[default - 1 if index is None else index]
    passphrase = await _passphrase(ctx, conninfo)
    if passphrase is None:
        return None
    ctx.console.say(texts.cluster.JOIN_WARNING)
    if not await ctx.console.confirm(texts.cluster.JOIN_CONFIRM.format(name=info.name), False):
        ctx.console.say(texts.cluster.NOTHING_CHANGED)
        return None
    try:
        node = await threads.off_loop(ops.join, s.store, s.secrets, conninfo, machine, group,
                                       passphrase, s.user, probe)
    except CommitRefused as refused:
        ctx.refuse(commit_refused(refused))
        return None
    except ClusterError as exc:
        ctx.refuse(f"{exc}\n{texts.cluster.NOTHING_CHANGED}")
        return None
    ctx.console.say(texts.cluster.JOINED.format(name=info.name, machine=machine, group=group))
    return node
