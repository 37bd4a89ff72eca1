"""listenerconfig -> EDIT -> HOSTACCESS (§4): the policy header, DEFAULT, PRINT.

NEW/EDIT/DELETE/MOVE/IMPORT/EXPORT/RESET are listed in the menu once implemented.
"""

from __future__ import annotations

from esacli import render, texts
from esacli.commands import _ask, _edit
from esacli.commands.base import Context
from esacli.console import Console
from state import model
from state.defaults import DEMO_CERT
from state.model import Listener, PolicyParams, TLSMode

_TLS_MODES = [TLSMode(value) for value in texts.TLS_LABELS]


async def run(ctx: Context, name: str) -> None:
    """The HOSTACCESS loop for listener `name`; returns on an empty answer."""
    while True:
        listener = model.by_name(ctx.config.listeners, name)
        if listener is None:
            return
        ctx.console.say(render.policy_block(listener.hat))
        op = await ctx.console.menu(texts.HAT_MENU)
        if op is None:
            return
        if op == "DEFAULT":
            params = await policy_dialog(ctx.console, listener.hat.default, listener)
            ctx.stage(_edit.put_listener(
                ctx.config, name, _edit.with_default_params(listener, params)))
        elif op == "PRINT":
            ctx.console.say(render.hat_text(listener.hat))


async def policy_dialog(console: Console, params: PolicyParams, listener: Listener) -> PolicyParams:
    """The §4.4 questions this product has: limits, then TLS. Returns the new values."""
    size = await _ask.ask_size(console, texts.ASK_MAX_SIZE, params.max_message_size)
    conc = await _ask.ask_int(console, texts.ASK_MAX_CONCURRENCY, params.max_concurrency)
    msgs = await _ask.ask_int(console, texts.ASK_MAX_MSGS, params.max_msgs_per_session)
    rcpts = await _ask.ask_int(console, texts.ASK_MAX_RCPTS, params.max_rcpts_per_msg)
    tls = await ask_tls(console, params.tls, render.certificate_name(listener))
    return model.replace(
        params, max_message_size=size, max_concurrency=conc, max_msgs_per_session=msgs,
        max_rcpts_per_msg=rcpts, tls=tls,
    )


async def ask_tls(console: Console, current: TLSMode | None, certificate: str) -> TLSMode:
    """§4.4 item 13. Declining the demo certificate asks the TLS question again."""
    labels = list(texts.TLS_LABELS.values())
    default = _TLS_MODES.index(current or TLSMode.NO) + 1
    while True:
        index = await console.choose(texts.ASK_TLS, labels, default, labels)
        mode = _TLS_MODES[default - 1 if index is None else index]
        if mode is TLSMode.NO:
            return mode
        if certificate != DEMO_CERT:
            console.say(texts.TLS_REMINDER)
            return mode
        if await console.confirm(texts.DEMO_CERT_QUESTION, False):
            return mode
