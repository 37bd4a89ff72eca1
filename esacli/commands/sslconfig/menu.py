"""`sslconfig`: TLS versions and ciphers for inbound and outbound SMTP (reference §8.1).

INBOUND applies to every listener, OUTBOUND to every delivery (and tlsverify). There
is no GUI here, so the GUI operation is not offered; TLS renegotiation is not asked
(the engine's contexts keep OpenSSL's default). A method is a (minimum, maximum)
version pair; the list offers the usual ranges, and a committed pair that is not one
of them (an imported configuration) is offered as an extra choice so Enter keeps it.
Whether a cipher string is acceptable is `state.validate_ssl`'s, so an answer the
dialog accepts is one the commit accepts.
"""

from __future__ import annotations

from collections.abc import Sequence

from esacli import texts
from esacli.commands.context import Context
from esacli.commands.menu import Command, Menu, Operation, run_menu
from state import model, validate_ssl
from state.model import SslDirection, SslSettings, TlsVersion

V10, V12, V13 = TlsVersion.TLS1_0, TlsVersion.TLS1_2, TlsVersion.TLS1_3
Method = tuple[TlsVersion, TlsVersion]
# The method list, in the order shown; the first is the default (and the safe choice).
METHODS: tuple[Method, ...] = ((V12, V13), (V13, V13), (V12, V12), (V10, V13))


async def run(ctx: Context, args: Sequence[str]) -> None:
    await run_menu(ctx, MENU, lambda: status(ctx.config.ssl))


def _number(version: TlsVersion) -> str:
    return version.value.removeprefix("TLSv")


def method_label(low: TlsVersion, high: TlsVersion) -> str:
    if low == high:
        label = texts.ssl.SSL_METHOD_ONE.format(version=_number(low))
    elif validate_ssl.rank(high) - validate_ssl.rank(low) == 1:
        label = texts.ssl.SSL_METHOD_TWO.format(low=_number(low), high=_number(high))
    else:
        label = texts.ssl.SSL_METHOD_RANGE.format(low=_number(low), high=_number(high))
    legacy = validate_ssl.is_legacy(SslDirection(min_version=low, max_version=high))
    return label + (texts.ssl.SSL_NOT_RECOMMENDED if legacy else "")


def status(ssl: SslSettings) -> str:
    lines = [texts.ssl.SSL_SETTINGS]
    directions = ((texts.ssl.SSL_INBOUND, ssl.inbound), (texts.ssl.SSL_OUTBOUND, ssl.outbound))
    for name, settings in directions:
        method = method_label(settings.min_version, settings.max_version)
        lines.append(texts.ssl.SSL_METHOD_LINE.format(direction=name, method=method))
        lines.append(texts.ssl.SSL_CIPHERS_LINE.format(direction=name))
        lines.extend(texts.ssl.SSL_CIPHER_ITEM.format(element=e)
                     for e in settings.ciphers.split(":"))
    return "\n".join(lines)


async def _ask_method(ctx: Context, direction: str, current: SslDirection) -> Method:
    methods = list(METHODS)
    now = (current.min_version, current.max_version)
    if now not in methods:
        methods.append(now)
    labels = [method_label(low, high) for low, high in methods]
    question = texts.ssl.SSL_METHOD_QUESTION.format(direction=direction)
    index = await ctx.console.choose(question, labels, methods.index(now) + 1)
    assert index is not None  # there is always a default
    return methods[index]


async def _ask_ciphers(ctx: Context, direction: str, method: Method, current: str) -> str:
    question = texts.ssl.SSL_CIPHER_QUESTION.format(direction=direction)
    while True:
        answer = await ctx.console.ask(question, current)
        wanted = SslDirection(min_version=method[0], max_version=method[1], ciphers=answer)
        message = validate_ssl.ciphers_error(wanted)
        if message is None:
            return answer
        ctx.console.say(message)


async def _edit(ctx: Context, which: str) -> None:
    direction = which.lower()
    current: SslDirection = getattr(ctx.config.ssl, direction)
    low, high = await _ask_method(ctx, direction, current)
    if validate_ssl.is_legacy(SslDirection(min_version=low, max_version=high)):
        ctx.console.say(texts.ssl.SSL_LEGACY_WARNING.format(direction=direction))
    ciphers = await _ask_ciphers(ctx, direction, (low, high), current.ciphers)
    settings = SslDirection(min_version=low, max_version=high, ciphers=ciphers)
    ssl = model.replace(ctx.config.ssl, **{direction: settings})
    ctx.stage(model.replace(ctx.config, ssl=ssl))


async def inbound(ctx: Context) -> None:
    await _edit(ctx, "INBOUND")


async def outbound(ctx: Context) -> None:
    await _edit(ctx, "OUTBOUND")


async def verify(ctx: Context) -> None:
    """Show what a cipher string selects; changes nothing."""
    answer = await ctx.console.ask(texts.ssl.SSL_VERIFY_QUESTION)
    if not answer:
        return
    names = validate_ssl.expand(answer)
    lines: list[str] = []
    if names:
        lines += [texts.ssl.SSL_VERIFY_TLS12, *names]
        lines += [texts.ssl.SSL_VERIFY_TLS13, *validate_ssl.tls13_suites()]
    if (message := validate_ssl.cipher_error(answer)) is not None:
        lines.append(message)
    ctx.console.say("\n".join(lines))


MENU: Menu[Operation] = Menu.of(texts.ssl.SSL_MENU, {
    "INBOUND": inbound, "OUTBOUND": outbound, "VERIFY": verify,
})

COMMAND = Command("sslconfig", texts.shell.DESCRIPTIONS["sslconfig"], run)
