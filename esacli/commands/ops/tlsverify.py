"""`tlsverify [<domain> [<host>[:<port>]]]` (§8.3): probe a destination now.

It needs no commit and acts on the COMMITTED configuration (the head version: trusted
CAs, client certificate), never on this session's staged changes, like the engine would.
The probe itself is the engine's `engine.outbound.tlsverify.tlsverify`; every line it
emits is shown as it happens, each target's with the mechanism that decides delivery's
TLS to it (destination control, DANE, MTA-STS: docs/tls-policy.md).
"""

from __future__ import annotations

from collections.abc import Sequence

from engine.outbound.tlsverify import tlsverify
from esacli import texts
from esacli.commands.context import Context
from esacli.commands.dnspolicy import ports
from esacli.commands.dnspolicy.cache import sts_cache
from esacli.commands.menu import Command
from esacli.errors import format_error
from state import formats_routes
from state.errors import ValueRefused
from state.users import Act
from state.validate_outbound import DEVNULL, USEDNS, is_host, normalise_domain

Target = tuple[str | None, int | None]


def parse_target(text: str) -> Target | str:
    """(host, port) from `host[:port]` (empty: the domain's MX hosts), or an error message."""
    if not text:
        return None, None
    try:
        host = formats_routes.parse_host(text)
    except ValueRefused as refused:
        return format_error(refused)
    if host.host in (USEDNS, DEVNULL) or host.priority:
        return texts.ops.TLSVERIFY_BAD_DOMAIN.format(domain=text)
    return host.host, host.port


async def run(ctx: Context, args: Sequence[str]) -> None:
    if args:
        await _batch(ctx, args)
        return
    while True:
        answer = await ctx.console.ask(texts.ops.TLSVERIFY_DOMAIN)
        if not answer:
            return
        if is_host(normalise_domain(answer)):
            break
        ctx.console.say(texts.ops.TLSVERIFY_BAD_DOMAIN.format(domain=answer))
    while True:
        target = parse_target(await ctx.console.ask(texts.ops.TLSVERIFY_HOST))
        if not isinstance(target, str):
            break
        ctx.console.say(target)
    await probe(ctx, normalise_domain(answer), *target)


async def _batch(ctx: Context, args: Sequence[str]) -> None:
    if len(args) > 2:
        ctx.refuse(texts.ops.TLSVERIFY_USAGE)
        return
    domain = normalise_domain(args[0])
    if not is_host(domain):
        ctx.refuse(texts.ops.TLSVERIFY_BAD_DOMAIN.format(domain=args[0]))
        return
    target = parse_target(args[1] if len(args) == 2 else "")
    if isinstance(target, str):
        ctx.refuse(target)
        return
    await probe(ctx, domain, *target)


async def probe(ctx: Context, domain: str, host: str | None, port: int | None) -> bool:
    """Run the engine's probe against the committed head; True when it verified."""
    config = ctx.session.store.load()
    console = ctx.console
    console.write("\n")
    with sts_cache(ctx.session.store.data_dir, config) as cache:
        # Ctrl-C ends a probe of a silent server at once, as telnet's (it waits up to 30 s)
        return await console.interruptible(tlsverify(
            config, ctx.session.secrets, domain, host, port or ports.MX_PORT,
            lambda line: console.write(f"{line}\n"), decided_by=True, sts=cache))


COMMAND = Command("tlsverify", texts.shell.DESCRIPTIONS["tlsverify"], run,
                  usage=texts.ops.TLSVERIFY_USAGE,
                  takes_args=True, kind=Act.LOOK)
