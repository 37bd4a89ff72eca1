"""The §4.4 policy-parameter dialog, limited to what the engine enforces.

Which question each parameter gets, and the range it is re-asked with, come from its row
of the parameter table (state.policy_params). For the listener's DEFAULT policy every
value is concrete. For a named policy or a sender group's own parameters (`inherit=True`)
a number may be answered `Default` (shown as `[Default]`), and a "No" to an optional
feature means "use the default policy's setting". Questions for features this product
does not have (anti-spam, anti-virus, DHAP, SPF, DKIM, DMARC, SMTP AUTH...) are not asked.
"""

from __future__ import annotations

from esacli import render, texts
from esacli.commands import value_questions
from esacli.commands.listenerconfig.responses import ask_code, ask_text
from esacli.console import Console
from state import cert_usage, forms, model, numbers, policy_params
from state.model import Listener, PolicyParams, Response, TLSMode
from state.policy_params import Param

_TLS_MODES = [TLSMode(value) for value in texts.hat.TLS_LABELS]
_LIMITS = ("max_concurrency", "max_msgs_per_session", "max_rcpts_per_msg")
_RESPONSES = ("accept_response", "reject_response")


def _question(row: Param) -> str:
    return texts.hat.PARAM_QUESTIONS[row.wording]


async def dialog(console: Console, params: PolicyParams, listener: Listener,
                 inherit: bool = False) -> PolicyParams:
    values: dict[str, object] = {
        "max_message_size": await _size(console, params.max_message_size, inherit)}
    for field in _LIMITS:
        row = policy_params.param(field)
        values[field] = await _number(console, row, getattr(params, field), inherit)
    values["banner_hostname"] = await _banner_host(console, params.banner_hostname)
    for field in _RESPONSES:
        values[field] = await _response(console, policy_params.param(field),
                                        getattr(params, field))
    rate, rate_response = await _rate_limit(console, params, inherit)
    values.update(max_rcpts_per_hour=rate, rate_limit_response=rate_response)
    inherited = (listener.hat.default.tls or TLSMode.NO) if inherit else None
    certificate = cert_usage.listener_certificate(listener)
    values["tls"] = await ask_tls(console, params.tls, certificate, inherited)
    return model.replace(params, **values)


async def _size(console: Console, current: int | None, inherit: bool) -> int | None:
    question = _question(policy_params.param("max_message_size"))
    if not inherit:
        return await value_questions.ask_size(console, question, current)
    shown = texts.hat.USE_DEFAULT if current is None else render.size(current)
    while True:
        answer = await console.ask(question, shown)
        if answer.lower() == texts.hat.USE_DEFAULT.lower():
            return None
        error = policy_params.size_problem(answer)
        if error is None:
            return numbers.parse_size(answer)
        console.say(error)


async def _number(console: Console, row: Param, current: int | None,
                  inherit: bool) -> int | None:
    allowed = policy_params.range_of(row.field)
    if not inherit:
        return await value_questions.ask_int(console, _question(row), current, allowed)
    shown = texts.hat.USE_DEFAULT if current is None else str(current)
    while True:
        answer = await console.ask(_question(row), shown)
        if answer.lower() == texts.hat.USE_DEFAULT.lower():
            return None
        value = allowed.parse(answer)
        if value is not None:
            return value
        console.say(allowed.message)


async def _banner_host(console: Console, current: str | None) -> str | None:
    if not await console.confirm(_question(policy_params.param("banner_hostname")),
                                 bool(current)):
        return None
    while True:
        host = await console.ask(texts.hat.ASK_BANNER_HOST, current or "")
        if forms.is_host(host):
            return host
        console.say(texts.hat.INVALID_HOSTNAME)


async def _response(console: Console, row: Param, current: Response | None) -> Response | None:
    if not await console.confirm(_question(row), current is not None):
        return None
    codes = policy_params.range_of(row.field)
    code = await ask_code(console, row.standard, current.code if current else None, codes)
    return Response(code, await ask_text(console, current.text if current else None))


async def _rate_limit(console: Console, params: PolicyParams,
                      inherit: bool) -> tuple[int | None, Response | None]:
    rate = params.max_rcpts_per_hour
    enabled = rate is not None and rate > 0
    if not await console.confirm(texts.hat.ASK_RATE_LIMIT, enabled):
        return (None if inherit else policy_params.RATE_OFF), None
    row = policy_params.param("max_rcpts_per_hour")
    current = rate if enabled else None
    value = await value_questions.ask_int(console, _question(row), current,
                                          policy_params.range_of(row.field))
    response = await _response(console, policy_params.param("rate_limit_response"),
                               params.rate_limit_response)
    return value, response


async def ask_tls(console: Console, current: TLSMode | None, certificate: str,
                  inherited: TLSMode | None = None) -> TLSMode | None:
    """§4.4 item 13. Declining the demo certificate asks the TLS question again.

    With `inherited` (a policy or sender group, not the listener's default policy)
    the list ends with "Default (currently: <the default policy's setting>)", which
    is also what Enter keeps while `current` is None (None: use the default).
    """
    labels = list(texts.hat.TLS_LABELS.values())
    names = list(labels)
    if inherited is not None:
        labels.append(texts.hat.TLS_DEFAULT.format(label=texts.hat.TLS_LABELS[inherited.value]))
        names.append(texts.hat.USE_DEFAULT)
    if current is not None:
        default = _TLS_MODES.index(current) + 1
    else:
        default = len(labels) if inherited is not None else 1
    while True:
        index = await console.choose(_question(policy_params.param("tls")), labels, default,
                                     names)
        chosen = default - 1 if index is None else index
        if chosen == len(_TLS_MODES):
            return None
        mode = _TLS_MODES[chosen]
        if mode is TLSMode.NO:
            return mode
        if not cert_usage.is_demo(certificate):
            console.say(texts.hat.TLS_REMINDER)
            return mode
        if await console.confirm(texts.listener.DEMO_CERT_QUESTION, False):
            return mode
