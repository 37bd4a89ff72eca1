"""Before a command runs on a cluster member (reference §10): the restricted-command
questions (a command bound to Cluster mode, or to the login machine's Machine mode,
offers to switch), then the NOTICE dialog when the current mode does not define the
settings the command edits (switch to the mode they come from, start empty, or copy
them from another mode). A clean mode is refreshed first, so the command shows the
level's head as the cluster has it now."""

from __future__ import annotations

import contextlib
from collections.abc import Sequence

from esacli import texts
from esacli.commands.context import Context
from esacli.errors import Interrupt
from state.cluster import levels
from state.cluster.errors import ClusterError
from state.cluster.levels import Level

CLUSTER_MODE = frozenset({"clusterconfig", "clustercheck"})
LOGIN_MACHINE_MODE = frozenset({"sethostname", "interfaceconfig"})


async def switch(ctx: Context, level: Level) -> bool:
    """Edit at `level` from now on; False (and why, said) if it cannot be reached."""
    assert ctx.cluster is not None
    try:
        ctx.session = await ctx.cluster.switch(level)
    except ClusterError as exc:
        ctx.refuse(str(exc))
        return False
    return True


async def admit(ctx: Context, command: str) -> bool:
    """True when `command` may run now (in the mode it was switched to)."""
    modes = ctx.cluster
    assert modes is not None
    m = modes.node.membership
    if command in CLUSTER_MODE and modes.level != m.cluster_level:
        question, target = texts.cluster.RESTRICTED, m.cluster_level
    elif command in LOGIN_MACHINE_MODE and modes.level != m.machine_level:
        question, target = texts.cluster.MACHINE_ONLY, m.machine_level
    else:
        target = None
    if target is not None and not await _offer(ctx, question.format(mode=target.label), target):
        return False
    sections = levels.COMMAND_SECTIONS.get(command)
    if sections is None:
        return True
    with contextlib.suppress(ClusterError):  # disconnected: the mode shows what it last
        await modes.refresh()                # read, and a commit says why it cannot
    if any(modes.session.defines(s) for s in sections):
        return True
    return await _notice(ctx, command, sections)


async def _offer(ctx: Context, question: str, level: Level) -> bool:
    if not await ctx.console.confirm(question, True):
        return False
    return await switch(ctx, level)


def _providers(ctx: Context, sections: Sequence[str]) -> list[Level]:
    assert ctx.cluster is not None
    found: list[Level] = []
    for section in sections:
        for level in ctx.cluster.session.providers(section):
            if level not in found:
                found.append(level)
    return found


async def _notice(ctx: Context, command: str, sections: Sequence[str]) -> bool:
    assert ctx.cluster is not None
    mode = ctx.cluster.current_label()
    ctx.console.say(texts.cluster.NOTICE.format(mode=mode))
    providers = _providers(ctx, sections)
    if not providers:
        if not await ctx.console.confirm(texts.cluster.START_EMPTY_ONLY.format(mode=mode),
                                         False):
            return False
        _start_empty(ctx, sections)
        return True
    options = [texts.cluster.SWITCH_TO.format(mode=providers[0].label),
               texts.cluster.START_EMPTY.format(mode=mode),
               texts.cluster.COPY_FROM.format(mode=mode)]
    choice = await ctx.console.choose(texts.cluster.WHAT_TO_DO, options)
    if choice is None:
        return False
    if choice == 0:
        return await switch(ctx, providers[0])
    if choice == 1:
        _start_empty(ctx, sections)
        return True
    return await _copy(ctx, command, sections, providers, mode)


def _start_empty(ctx: Context, sections: Sequence[str]) -> None:
    assert ctx.cluster is not None
    for section in sections:
        ctx.cluster.session.start_empty(section)


async def _copy(ctx: Context, command: str, sections: Sequence[str], providers: list[Level],
                mode: str) -> bool:
    assert ctx.cluster is not None
    session = ctx.cluster.session
    index = await ctx.console.choose(texts.cluster.CHOOSE_COPY_SOURCE,
                                     [p.label for p in providers], 1)
    if index is None:
        raise Interrupt()
    source = providers[index]
    try:
        for section in sections:
            if source in session.providers(section):
                await ctx.call(session.copy_from, section, source)
    except ClusterError as exc:
        ctx.refuse(str(exc))
        return False
    ctx.console.say(texts.cluster.COPIED.format(command=command, source=source.label, mode=mode))
    return True
