"""`listenerconfig` (§3): the listener list, NEW, EDIT, DELETE."""

from __future__ import annotations

from collections.abc import Sequence

from esacli import render, texts
from esacli.commands import _ask, _edit, hat_batch, hostaccess, listener_edit
from esacli.commands.base import Context
from state import model, ranges
from state.defaults import new_listener
from state.model import ListenerType

_TYPES = {"Private": ListenerType.PRIVATE, "Public": ListenerType.PUBLIC}


async def run(ctx: Context, args: Sequence[str]) -> None:
    if args:
        await hat_batch.run(ctx, args)
        return
    while True:
        ctx.console.say(render.listener_list(ctx.config))
        op = await ctx.console.menu(texts.LISTENER_MENU)
        if op is None:
            return
        if op == "NEW":
            await new(ctx)
        elif op == "EDIT":
            await listener_edit.run(ctx)
        elif op == "DELETE":
            await delete(ctx)
        elif op == "SETUP":
            await setup(ctx)


async def setup(ctx: Context) -> None:
    """§3.5, limited to the setting this product has: HAT delayed rejection."""
    current = ctx.config.listener_setup
    delayed = await ctx.console.confirm(texts.HAT_DELAYED_REJECTION, current.hat_delayed_rejection)
    ctx.stage(model.replace(ctx.config, listener_setup=model.replace(
        current, hat_delayed_rejection=delayed)))


async def new(ctx: Context) -> None:
    """§3.2. Everything is asked first; the listener is staged at the very end."""
    console, config = ctx.console, ctx.config
    types = list(texts.LISTENER_TYPES)
    index = await console.choose(texts.LISTENER_TYPE, types, types.index("Public") + 1, types)
    kind = _TYPES[types[1 if index is None else index]]
    name = await _ask.ask_listener_name(console, config, texts.LISTENER_NAME)
    interface = await _ask.choose_interface(console, config, None)
    protocol = await _ask.choose_protocol(console, "SMTP")
    port = await _ask.ask_port(console, texts.LISTENER_PORT, texts.DEFAULT_PORT)
    rate: int | None = None
    if kind is ListenerType.PUBLIC:
        hosts = await _ask.ask_list(console, texts.ACCEPT_FOR)
        rate = await _public_extras(ctx)
    else:
        hosts = await _ask.ask_list(console, texts.RELAY_FOR)
    listener = new_listener(name, kind, interface, port, hosts)
    if rate is not None:
        default = model.replace(listener.hat.default, max_rcpts_per_hour=rate)
        listener = _edit.with_default_params(listener, default)
    console.say(render.policy_block(listener.hat))
    if await console.confirm(texts.CHANGE_HOST_ACCESS, False):
        params = await hostaccess.policy_dialog(console, listener.hat.default, listener)
        listener = _edit.with_default_params(listener, params)
    if protocol != listener.protocol:
        listener = model.replace(listener, protocol=protocol)
    ctx.stage(_edit.put_listener(ctx.config, name, listener))
    console.say(texts.LISTENER_CREATED.format(name=name, type=kind.value))


async def _public_extras(ctx: Context) -> int:
    """SBRS filtering (asked as the appliance does; no reputation service, so the answer
    changes nothing) and the rate limit, which becomes the default policy's maximum
    number of recipients per hour (-1: rate limiting off)."""
    await ctx.console.confirm(texts.USE_SBRS, True)
    if not await ctx.console.confirm(texts.RATE_LIMIT, True):
        return -1
    return await _ask.ask_int(ctx.console, texts.RATE_LIMIT_MAX, None, ranges.RCPTS_PER_HOUR)


async def delete(ctx: Context) -> None:
    listener = await _ask.choose_listener(ctx.console, ctx.config, texts.DELETE_WHICH)
    if listener is None:
        return
    if not await ctx.console.confirm(texts.DELETE_CONFIRM.format(name=listener.name), False):
        return
    listeners = tuple(li for li in ctx.config.listeners if li.name != listener.name)
    ctx.stage(model.replace(ctx.config, listeners=listeners))
    ctx.console.say(texts.LISTENER_DELETED.format(name=listener.name))
