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
from functools import partial

from esacli import texts
from esacli.commands.context import Context
from esacli.commands.menu import Command, Menu, Operation, run_menu
from esacli.errors import BatchRefused
from state import model, validate_ssl
from state.model import SslDirection, SslSettings, TlsVersion

V10, V12, V13 = TlsVersion.TLS1_0, TlsVersion.TLS1_2, TlsVersion.TLS1_3
Method = tuple[TlsVersion, TlsVersion]
# The method list, in the order shown; the first is the default (and the safe choice).
METHODS: tuple[Method, ...] = ((V12, V13), (V13, V13), (V12, V12), (V10, V13))


async def run(ctx: Context, args: Sequence[str]) -> None:
    if args:
        try:
            form, rest = MENU.batch(args, texts.ssl.SSL_BATCH_USAGE)
            form(ctx, rest)
        except BatchRefused as refused:
            ctx.refuse(str(refused))
        return
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
    _stage(ctx, direction, SslDirection(min_version=low, max_version=high, ciphers=ciphers))


def _stage(ctx: Context, direction: str, settings: SslDirection) -> None:
    ssl = model.replace(ctx.config.ssl, **{direction: settings})
    ctx.stage(model.replace(ctx.config, ssl=ssl))


async def inbound(ctx: Context) -> None:
    await _edit(ctx, "INBOUND")


async def outbound(ctx: Context) -> None:
    await _edit(ctx, "OUTBOUND")


async def verify(ctx: Context) -> None:
    """Show what a cipher string selects; changes nothing."""
    answer = await ctx.console.ask(texts.ssl.SSL_VERIFY_QUESTION)
    if answer:
        ctx.console.say(_verified(answer))


def _verified(answer: str) -> str:
    names = validate_ssl.expand(answer)
    lines: list[str] = []
    if names:
        lines += [texts.ssl.SSL_VERIFY_TLS12, *names]
        lines += [texts.ssl.SSL_VERIFY_TLS13, *validate_ssl.tls13_suites()]
    if (message := validate_ssl.cipher_error(answer)) is not None:
        lines.append(message)
    return "\n".join(lines)


# -- one-line forms: `sslconfig inbound|outbound <method> [<ciphers>]`, `verify <ciphers>` --
def _method(word: str) -> Method:
    """`1.2-1.3` or `1.3` (a range of TLS versions, lowest first)."""
    low, _, high = word.partition("-")
    versions = {_number(v): v for v in TlsVersion}
    if low not in versions or (high or low) not in versions:
        raise BatchRefused(texts.ssl.SSL_BATCH_METHOD.format(method=word))
    method = versions[low], versions[high or low]
    if validate_ssl.rank(method[0]) > validate_ssl.rank(method[1]):
        raise BatchRefused(texts.ssl.SSL_BATCH_METHOD.format(method=word))
    return method


def _edit_form(ctx: Context, words: list[str], direction: str) -> None:
    if len(words) not in (1, 2):
        raise BatchRefused(texts.ssl.SSL_BATCH_USAGE)
    low, high = _method(words[0])
    current: SslDirection = getattr(ctx.config.ssl, direction)
    settings = SslDirection(min_version=low, max_version=high,
                            ciphers=words[1] if len(words) == 2 else current.ciphers)
    message = validate_ssl.ciphers_error(settings)
    if message is not None:
        raise BatchRefused(message)
    if validate_ssl.is_legacy(settings):
        ctx.console.say(texts.ssl.SSL_LEGACY_WARNING.format(direction=direction))
    _stage(ctx, direction, settings)


def verify_form(ctx: Context, words: list[str]) -> None:
    if len(words) != 1:
        raise BatchRefused(texts.ssl.SSL_BATCH_USAGE)
    ctx.console.say(_verified(words[0]))
    ctx.failed = ctx.failed or validate_ssl.cipher_error(words[0]) is not None


MENU: Menu[Operation] = Menu.of(texts.ssl.SSL_MENU, {
    "INBOUND": inbound, "OUTBOUND": outbound, "VERIFY": verify,
}, batch={"INBOUND": partial(_edit_form, direction="inbound"),
          "OUTBOUND": partial(_edit_form, direction="outbound"), "VERIFY": verify_form},
   syntax=texts.ssl.SSL_BATCH_SYNTAX)

COMMAND = Command("sslconfig", texts.shell.DESCRIPTIONS["sslconfig"], run, menu=MENU,
                  takes_args=True)
