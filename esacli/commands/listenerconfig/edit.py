"""listenerconfig -> EDIT (§3.3): a listener's summary and its menu.

Each operation stages its own result when it completes; the listener is found again by
its place in the list on every turn, so the loop follows a rename. RCPTACCESS is offered on public
listeners only (§3.3, §5). The one-line forms go on by item name: `edit <listener>
hostaccess ...` and `edit <listener> rcptaccess ...`.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from esacli import texts
from esacli.commands import value_questions
from esacli.commands.context import Context
from esacli.commands.listenerconfig import questions
from esacli.commands.listenerconfig.hostaccess import menu as hostaccess
from esacli.commands.listenerconfig.rcptaccess import menu as rcptaccess
from esacli.commands.listenerconfig.render import listener_summary
from esacli.commands.menu import Menu, Turn, loop
from esacli.errors import BatchRefused
from state import cert_usage, model, ranges
from state.edit import listeners
from state.model import Listener, ListenerType

Operation = Callable[[Context, Listener], Awaitable[None]]


async def run(ctx: Context) -> None:
    chosen = await questions.choose_listener(ctx.console, ctx.config, texts.listener.EDIT_WHICH)
    if chosen is None:
        return
    place = ctx.config.listeners.index(chosen)

    def turn() -> Turn[Operation] | None:
        if place >= len(ctx.config.listeners):
            return None
        li = ctx.config.listeners[place]
        menu = MENU if li.type is ListenerType.PUBLIC else MENU.without("RCPTACCESS")
        return listener_summary(ctx.config, li), menu, (ctx, li)
    await loop(ctx.console, turn)


def run_batch(ctx: Context, words: list[str]) -> None:
    """`edit <listener> <table> <operation> ...`."""
    li = model.by_name(ctx.config.listeners, words[0])
    if li is None:
        raise BatchRefused(texts.listener.BATCH_NO_LISTENER.format(name=words[0]))
    form, rest = MENU.batch(words[1:], texts.listener.BATCH_USAGE_ERROR)
    form(ctx, li, rest)


def _stage(ctx: Context, old_name: str, listener: Listener) -> None:
    ctx.stage(listeners.put_listener(ctx.config, old_name, listener))


async def name(ctx: Context, li: Listener) -> None:
    new = await questions.ask_listener_name(ctx.console, ctx.config,
                                            texts.listener.LISTENER_NEW_NAME,
                                            li.name)
    _stage(ctx, li.name, model.replace(li, name=new))


async def interface(ctx: Context, li: Listener) -> None:
    chosen = await questions.choose_interface(ctx.console, ctx.config, li.interface)
    protocol = await questions.choose_protocol(ctx.console, li.protocol)
    port = await value_questions.ask_port(ctx.console, texts.listener.LISTENER_PORT, li.port)
    _stage(ctx, li.name, model.replace(li, interface=chosen, protocol=protocol, port=port))


async def certificate(ctx: Context, li: Listener) -> None:
    names = [c.name for c in ctx.config.certificates]
    current = cert_usage.listener_certificate(li)
    default = names.index(current) + 1 if current in names else None
    while True:
        index = await ctx.console.choose(texts.listener.LISTENER_CERTIFICATE, names, default, names)
        if index is None:
            return
        chosen = names[index]
        if not cert_usage.is_demo(chosen) or await ctx.console.confirm(
                texts.listener.DEMO_CERT_QUESTION, False):
            _stage(ctx, li.name, model.replace(li, certificate=chosen))
            return


async def limits(ctx: Context, li: Listener) -> None:
    conns = await value_questions.ask_int(ctx.console, texts.listener.MAX_CONNECTIONS,
                                          li.max_connections,
                                          ranges.LISTENER_CONNECTIONS)
    queue = await value_questions.ask_int(ctx.console, texts.listener.TCP_QUEUE, li.tcp_queue,
                                          ranges.TCP_QUEUE)
    _stage(ctx, li.name, model.replace(li, max_connections=conns, tcp_queue=queue))


async def host_access(ctx: Context, li: Listener) -> None:
    await hostaccess.run(ctx, li.name)


async def recipient_access(ctx: Context, li: Listener) -> None:
    await rcptaccess.run(ctx, li.name)


MENU: Menu[Operation] = Menu.of(texts.listener.EDIT_MENU, {
    "NAME": name, "INTERFACE": interface, "CERTIFICATE": certificate, "LIMITS": limits,
    "HOSTACCESS": host_access, "RCPTACCESS": recipient_access,
}, batch={"HOSTACCESS": hostaccess.run_batch, "RCPTACCESS": rcptaccess.run_batch})
