"""listenerconfig -> NEW (§3.2). Everything is asked first; the listener is staged at the
very end, so Ctrl-C anywhere leaves the configuration as it was."""

from __future__ import annotations

from esacli import texts
from esacli.commands import value_questions
from esacli.commands.context import Context
from esacli.commands.listenerconfig import questions
from esacli.commands.listenerconfig.hostaccess import params
from esacli.commands.listenerconfig.render import policy_block
from state import model, policy_params
from state.defaults import new_listener
from state.edit import listeners
from state.model import ListenerType

_TYPES = {"Private": ListenerType.PRIVATE, "Public": ListenerType.PUBLIC}


async def new(ctx: Context) -> None:
    console, config = ctx.console, ctx.config
    types = list(texts.listener.LISTENER_TYPES)
    public = types.index("Public") + 1
    index = await console.choose(texts.listener.LISTENER_TYPE, types, public, types)
    kind = _TYPES[types[1 if index is None else index]]
    name = await questions.ask_listener_name(console, config, texts.listener.LISTENER_NAME)
    interface = await questions.choose_interface(console, config, None)
    protocol = await questions.choose_protocol(console, "SMTP")
    port = await value_questions.ask_port(console, texts.listener.LISTENER_PORT,
                                          texts.listener.DEFAULT_PORT)
    rate: int | None = None
    if kind is ListenerType.PUBLIC:
        hosts = await questions.ask_accepted_for(console)
        rate = await _public_extras(ctx)
    else:
        hosts = await questions.ask_relay_hosts(console)
    listener = new_listener(name, kind, interface, port, hosts)
    if rate is not None:
        default = model.replace(listener.hat.default, max_rcpts_per_hour=rate)
        listener = listeners.with_default_params(listener, default)
    console.say(policy_block(listener.hat))
    if await console.confirm(texts.listener.CHANGE_HOST_ACCESS, False):
        chosen = await params.dialog(console, listener.hat.default, listener)
        listener = listeners.with_default_params(listener, chosen)
    if protocol != listener.protocol:
        listener = model.replace(listener, protocol=protocol)
    ctx.stage(listeners.put_listener(ctx.config, name, listener))
    console.say(texts.listener.LISTENER_CREATED.format(name=name, type=kind.value))


async def _public_extras(ctx: Context) -> int:
    """SBRS filtering (asked as the appliance does; no reputation service, so the answer
    changes nothing) and the rate limit, which becomes the default policy's maximum
    number of recipients per hour (off: rate limiting off)."""
    await ctx.console.confirm(texts.listener.USE_SBRS, True)
    if not await ctx.console.confirm(texts.listener.RATE_LIMIT, True):
        return policy_params.RATE_OFF
    allowed = policy_params.range_of("max_rcpts_per_hour")
    return await value_questions.ask_int(ctx.console, texts.listener.RATE_LIMIT_MAX, None, allowed)
