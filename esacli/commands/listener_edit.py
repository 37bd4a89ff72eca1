"""listenerconfig -> EDIT (§3.3): the listener summary and its sub-menu.

Each sub-operation stages its own result when it completes; the listener is
looked up by name on every turn because NAME may have renamed it.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from esacli import render, texts
from esacli.commands import _ask, _edit, hostaccess, rcptaccess
from esacli.commands.base import Context
from state import model, ranges
from state.defaults import DEMO_CERT
from state.model import Listener, ListenerType

# An edit returns the listener's (possibly new) name, so the loop can follow a rename.
Edit = Callable[[Context, Listener], Awaitable[str]]


async def run(ctx: Context) -> None:
    chosen = await _ask.choose_listener(ctx.console, ctx.config, texts.EDIT_WHICH)
    if chosen is None:
        return
    name = chosen.name
    while True:
        listener = model.by_name(ctx.config.listeners, name)
        if listener is None:
            return
        ctx.console.say(render.listener_summary(ctx.config, listener))
        op = await ctx.console.menu(_menu(listener))
        if op is None:
            return
        name = await _EDITS[op](ctx, listener)


def _menu(listener: Listener) -> list[texts.MenuItem]:
    """RCPTACCESS is offered on public listeners only (§3.3, §5)."""
    public = listener.type is ListenerType.PUBLIC
    return [item for item in texts.EDIT_MENU if public or item[0] != "RCPTACCESS"]


def _stage(ctx: Context, old_name: str, listener: Listener) -> str:
    ctx.stage(_edit.put_listener(ctx.config, old_name, listener))
    return listener.name


async def edit_name(ctx: Context, li: Listener) -> str:
    name = await _ask.ask_listener_name(ctx.console, ctx.config, texts.LISTENER_NEW_NAME, li.name)
    return _stage(ctx, li.name, model.replace(li, name=name))


async def edit_interface(ctx: Context, li: Listener) -> str:
    interface = await _ask.choose_interface(ctx.console, ctx.config, li.interface)
    protocol = await _ask.choose_protocol(ctx.console, li.protocol)
    port = await _ask.ask_port(ctx.console, texts.LISTENER_PORT, li.port)
    return _stage(ctx, li.name, model.replace(li, interface=interface, protocol=protocol, port=port))


async def edit_certificate(ctx: Context, li: Listener) -> str:
    names = [c.name for c in ctx.config.certificates]
    current = render.certificate_name(li)
    default = names.index(current) + 1 if current in names else None
    while True:
        index = await ctx.console.choose(texts.LISTENER_CERTIFICATE, names, default, names)
        if index is None:
            return li.name
        chosen = names[index]
        if chosen != DEMO_CERT or await ctx.console.confirm(texts.DEMO_CERT_QUESTION, False):
            return _stage(ctx, li.name, model.replace(li, certificate=chosen))


async def edit_limits(ctx: Context, li: Listener) -> str:
    conns = await _ask.ask_int(ctx.console, texts.MAX_CONNECTIONS, li.max_connections,
                               ranges.LISTENER_CONNECTIONS)
    queue = await _ask.ask_int(ctx.console, texts.TCP_QUEUE, li.tcp_queue, ranges.TCP_QUEUE)
    return _stage(ctx, li.name, model.replace(li, max_connections=conns, tcp_queue=queue))


async def edit_hostaccess(ctx: Context, li: Listener) -> str:
    await hostaccess.run(ctx, li.name)
    return li.name


async def edit_rcptaccess(ctx: Context, li: Listener) -> str:
    await rcptaccess.run(ctx, li.name)
    return li.name


_EDITS: dict[str, Edit] = {
    "NAME": edit_name,
    "INTERFACE": edit_interface,
    "CERTIFICATE": edit_certificate,
    "LIMITS": edit_limits,
    "HOSTACCESS": edit_hostaccess,
    "RCPTACCESS": edit_rcptaccess,
}
