"""The §4.4 policy-parameter dialog, limited to what the engine enforces.

For the listener's DEFAULT policy every value is concrete. For a named policy or
a sender group's own parameters (`inherit=True`) a number may be answered
`Default` (shown as `[Default]`), and a "No" to an optional feature means "use the
default policy's setting". Questions for features this product does not have
(anti-spam, anti-virus, DHAP, SPF, DKIM, DMARC, SMTP AUTH...) are not asked.
"""

from __future__ import annotations

from esacli import render, texts
from esacli.commands import _ask
from esacli.console import Console
from state import forms, model, ranges
from state.defaults import DEMO_CERT
from state.model import Listener, PolicyParams, Response, TLSMode
from state.numbers import Range

_TLS_MODES = [TLSMode(value) for value in texts.TLS_LABELS]


async def dialog(console: Console, params: PolicyParams, listener: Listener,
                 inherit: bool = False) -> PolicyParams:
    size = await _size(console, params.max_message_size, inherit)
    conc = await _number(console, texts.ASK_MAX_CONCURRENCY, params.max_concurrency,
                         ranges.HOST_CONNECTIONS, inherit)
    msgs = await _number(console, texts.ASK_MAX_MSGS, params.max_msgs_per_session,
                         ranges.MSGS_PER_SESSION, inherit)
    rcpts = await _number(console, texts.ASK_MAX_RCPTS, params.max_rcpts_per_msg,
                          ranges.RCPTS_PER_MSG, inherit)
    banner = await _banner_host(console, params.banner_hostname)
    accept = await _response(console, texts.ASK_CUSTOM_ACCEPT, params.accept_response, 220,
                             ranges.ACCEPT_CODE)
    reject = await _response(console, texts.ASK_CUSTOM_REJECT, params.reject_response, 554,
                             ranges.REFUSE_CODE)
    rate, rate_response = await _rate_limit(console, params, inherit)
    inherited = (listener.hat.default.tls or TLSMode.NO) if inherit else None
    tls = await ask_tls(console, params.tls, render.certificate_name(listener), inherited)
    return model.replace(
        params, max_message_size=size, max_concurrency=conc, max_msgs_per_session=msgs,
        max_rcpts_per_msg=rcpts, banner_hostname=banner, accept_response=accept,
        reject_response=reject, max_rcpts_per_hour=rate, rate_limit_response=rate_response,
        tls=tls,
    )


async def _size(console: Console, current: int | None, inherit: bool) -> int | None:
    if not inherit:
        return await _ask.ask_size(console, texts.ASK_MAX_SIZE, current)
    shown = texts.USE_DEFAULT if current is None else render.size(current)
    while True:
        answer = await console.ask(texts.ASK_MAX_SIZE, shown)
        if answer.lower() == texts.USE_DEFAULT.lower():
            return None
        error = _ask.size_error(answer)
        if error is None:
            return _ask.parse_size(answer)
        console.say(error)


async def _number(console: Console, question: str, current: int | None, allowed: Range,
                  inherit: bool) -> int | None:
    if not inherit:
        return await _ask.ask_int(console, question, current, allowed)
    shown = texts.USE_DEFAULT if current is None else str(current)
    while True:
        answer = await console.ask(question, shown)
        if answer.lower() == texts.USE_DEFAULT.lower():
            return None
        value = allowed.parse(answer)
        if value is not None:
            return value
        console.say(allowed.message)


async def _banner_host(console: Console, current: str | None) -> str | None:
    if not await console.confirm(texts.ASK_BANNER_OVERRIDE, bool(current)):
        return None
    while True:
        host = await console.ask(texts.ASK_BANNER_HOST, current or "")
        if forms.is_host(host):
            return host
        console.say(texts.INVALID_HOSTNAME)


async def ask_code(console: Console, standard: int, current: int | None, codes: Range) -> int:
    while True:
        answer = await console.ask(texts.ASK_CODE.format(code=standard), str(current or standard))
        value = codes.parse(answer)
        if value is not None:
            return value
        console.say(texts.CODE_RANGE.format(low=codes.low, high=codes.high))


async def ask_text(console: Console, current: str | None) -> str:
    """Lines until a blank one; at least one line is needed (Enter first keeps `current`)."""
    console.write(f"\n{texts.ASK_RESPONSE}\n")
    lines: list[str] = []
    while True:
        line = (await console.readline("> ")).strip()
        if not line:
            if lines:
                return "\n".join(lines)
            if current:
                return current
            console.say(texts.ENTER_A_VALUE)
            continue
        lines.append(line)


async def _response(console: Console, question: str, current: Response | None,
                    standard: int, codes: Range) -> Response | None:
    if not await console.confirm(question, current is not None):
        return None
    code = await ask_code(console, standard, current.code if current else None, codes)
    return Response(code, await ask_text(console, current.text if current else None))


async def _rate_limit(console: Console, params: PolicyParams,
                      inherit: bool) -> tuple[int | None, Response | None]:
    enabled = params.max_rcpts_per_hour is not None and params.max_rcpts_per_hour > 0
    if not await console.confirm(texts.ASK_RATE_LIMIT, enabled):
        return (None if inherit else -1), None
    current = params.max_rcpts_per_hour if enabled else None
    rate = await _ask.ask_int(console, texts.ASK_RATE_MAX, current, ranges.RCPTS_PER_HOUR)
    response = await _response(console, texts.ASK_CUSTOM_LIMIT, params.rate_limit_response,
                               452, ranges.REFUSE_CODE)
    return rate, response


async def ask_tls(console: Console, current: TLSMode | None, certificate: str,
                  inherited: TLSMode | None = None) -> TLSMode | None:
    """§4.4 item 13. Declining the demo certificate asks the TLS question again.

    With `inherited` (a policy or sender group, not the listener's default policy)
    the list ends with "Default (currently: <the default policy's setting>)", which
    is also what Enter keeps while `current` is None (None: use the default).
    """
    labels = list(texts.TLS_LABELS.values())
    names = list(labels)
    if inherited is not None:
        labels.append(texts.TLS_DEFAULT.format(label=texts.TLS_LABELS[inherited.value]))
        names.append(texts.USE_DEFAULT)
    if current is not None:
        default = _TLS_MODES.index(current) + 1
    else:
        default = len(labels) if inherited is not None else 1
    while True:
        index = await console.choose(texts.ASK_TLS, labels, default, names)
        chosen = default - 1 if index is None else index
        if chosen == len(_TLS_MODES):
            return None
        mode = _TLS_MODES[chosen]
        if mode is TLSMode.NO:
            return mode
        if certificate != DEMO_CERT:
            console.say(texts.TLS_REMINDER)
            return mode
        if await console.confirm(texts.DEMO_CERT_QUESTION, False):
            return mode
