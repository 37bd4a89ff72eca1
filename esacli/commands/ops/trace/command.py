"""`trace` (the appliance's what-if): what the configuration would do with a connection
from a sender IP and its recipients, and where their mail would go under which TLS
plan, without sending anything (engine/trace.py decides; nothing is decided here),
MTA-STS included: the policies come from the engine's cache, as delivery's do.

Against the committed configuration, or, when this session has pending changes and the
administrator chooses so, against those ("what would my change do"). One-line forms:

    trace <source IP> [<recipient>,...] [committed | pending]
    trace destination <domain> [committed | pending]
"""

from __future__ import annotations

import ipaddress
from collections.abc import Sequence
from dataclasses import dataclass, field

from engine.outbound.dnssec import SecureLookups
from engine.trace import OutboundTrace, trace_inbound, trace_outbound, trace_recipient
from esacli import texts
from esacli.commands.context import Context
from esacli.commands.dnspolicy.cache import sts_cache
from esacli.commands.menu import Command
from esacli.commands.ops.trace import render
from state.forms import split_list
from state.model import Behavior, Config
from state.users import Act
from state.validate_outbound import is_email, is_host, normalise_domain

T = texts.trace
WHICH = tuple(T.CONFIGS)  # committed, pending
DESTINATION = "destination"
ACCEPTING = (Behavior.ACCEPT, Behavior.RELAY)


@dataclass(frozen=True)
class Request:
    which: str  # "committed" or "pending"
    ip: str = ""
    ehlo: str = ""
    cert_name: str = ""
    listener: str | None = None
    recipients: tuple[str, ...] = ()
    destinations: tuple[str, ...] = field(default=())


def valid_ip(text: str) -> bool:
    try:
        ipaddress.ip_address(text)
    except ValueError:
        return False
    return True


def bad_recipient(addresses: Sequence[str]) -> str | None:
    return next((a for a in addresses if not is_email(a)), None)


def parse(ctx: Context, args: Sequence[str]) -> Request | str:
    words = list(args)
    which = "pending" if ctx.session.pending else "committed"
    if words and words[-1].lower() in WHICH:
        which = words.pop().lower()
    if len(words) == 2 and words[0].lower() == DESTINATION:
        domain = normalise_domain(words[1])
        if not is_host(domain):
            return T.BAD_DOMAIN.format(domain=words[1])
        return Request(which, destinations=(domain,))
    if len(words) not in (1, 2):
        return T.USAGE
    if not valid_ip(words[0]):
        return T.BAD_IP.format(ip=words[0])
    rcpts = split_list(words[1]) if len(words) == 2 else ()
    if (bad := bad_recipient(rcpts)) is not None:
        return T.BAD_RECIPIENT.format(address=bad)
    return Request(which, ip=words[0], recipients=rcpts)


async def ask(ctx: Context) -> Request | None:
    console = ctx.console
    which = "committed"
    if ctx.session.pending:
        chosen = await console.choose(T.WHICH_CONFIG, list(T.CONFIGS.values()), 2)
        if chosen is None:
            return None
        which = WHICH[chosen]
    config = _config(ctx, which)
    if not config.listeners:
        ctx.refuse(T.NO_LISTENER)
        return None
    while not valid_ip(ip := await console.ask(T.SOURCE_IP)):
        if not ip:
            return None
        console.say(T.BAD_IP.format(ip=ip))
    ehlo = await console.ask(T.EHLO)
    cert_name = await console.ask(T.CERT_NAME)
    names = [li.name for li in config.listeners]
    index = await console.choose(T.LISTENER, names, 1, names=names)
    if index is None:
        return None
    while (bad := bad_recipient(rcpts := split_list(await console.ask(T.RECIPIENTS)))):
        console.say(T.BAD_RECIPIENT.format(address=bad))
    return Request(which, ip, ehlo, cert_name, names[index], rcpts)


def _config(ctx: Context, which: str) -> Config:
    return ctx.session.candidate if which == "pending" else ctx.session.store.load()


async def run(ctx: Context, args: Sequence[str]) -> None:
    request = parse(ctx, args) if args else await ask(ctx)
    if request is None:
        return
    if isinstance(request, str):
        ctx.refuse(request)
        return
    await show(ctx, request)


async def show(ctx: Context, request: Request) -> None:
    config = _config(ctx, request.which)
    name = T.CONFIG_NAMES[request.which].format(version=ctx.session.store.head_number())
    blocks = [T.RESULT.format(config=name)]
    domains = list(request.destinations)
    if request.ip:
        for found in await trace_inbound(config, request.ip, request.listener, request.ehlo,
                                         request.cert_name):
            blocks.append(render.inbound(found))
            if found.match.behavior not in ACCEPTING:
                blocks[-1] += "\n" + T.REFUSED
                continue
            rcpts = [trace_recipient(config, found, a) for a in request.recipients]
            if rcpts:
                blocks.append(render.recipients(rcpts))
            domains += [r.address.rpartition("@")[2].lower() for r in rcpts if r.accepted]
    blocks += [render.outbound(t) for t in await destinations(ctx, config, domains)]
    ctx.console.say("\n\n".join(blocks))


async def destinations(ctx: Context, config: Config, domains: list[str]) -> list[OutboundTrace]:
    """Each domain's delivery under `config` as the queue would plan it now: MTA-STS from
    the policy cache delivery reads, fetched only where delivery would fetch (under the
    committed configuration, which the cache's policies are fetched and kept under)."""
    lookups = SecureLookups(config.dns)
    with sts_cache(ctx.session.store.data_dir, ctx.session.store.load()) as cache:
        return [await trace_outbound(config, domain, lookups=lookups, sts=cache)
                for domain in dict.fromkeys(domains)]


COMMAND = Command("trace", texts.shell.DESCRIPTIONS["trace"], run, usage=T.USAGE,
                  takes_args=True, kind=Act.LOOK)
