"""`dnsconfig`: the resolver the engine uses (host-name and dnslist HAT rows, MX lookups).

AsyncOS's `dnsconfig` wording is not known to us: the dialog's shape and wording are
reconstructed (texts.DNS_*). Its "Internet root DNS servers" are the system's resolver
here (`Config.dns.servers` empty).

Priorities: the model keeps the servers as an ordered tuple, the order in which the
engine's resolver (dnspython) asks them, and stores no priority. A server's priority is
its place in that order (0 is asked first), so an answer of priority p puts the server at
place p and the list is staged sorted on priority. On the appliance equal priorities mean
"pick one at random"; dnspython always asks in order, so ties are not offered (the
priority question accepts 0 to the number of other servers) and what the status shows is
exactly what the engine does. Checking a value is `state.validate_dns`'s, so an answer
the dialog accepts is one the commit accepts.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence

from esacli import texts
from esacli.commands._ask import ask_int
from esacli.commands.base import Context
from state import model, ranges, validate_dns
from state.model import DnsSettings
from state.numbers import Range


async def run(ctx: Context, args: Sequence[str]) -> None:
    while True:
        dns = ctx.config.dns
        ctx.console.say(status(dns))
        op = await ctx.console.menu(texts.DNS_MENU if dns.servers else texts.DNS_MENU_SYSTEM)
        if op is None:
            return
        await _OPERATIONS[op](ctx)


def status(dns: DnsSettings) -> str:
    if not dns.servers:
        return texts.DNS_SYSTEM
    lines = (f"{n}. {line}" for n, line in enumerate(_lines(dns.servers), 1))
    return "\n".join((texts.DNS_LOCAL, *lines))


def _lines(servers: Sequence[str]) -> list[str]:
    return [texts.DNS_SERVER.format(priority=p, ip=ip) for p, ip in enumerate(servers)]


def place(servers: Sequence[str], ip: str, priority: int) -> tuple[str, ...]:
    """`servers` with `ip` added at `priority`: every other server's priority is its
    place; among equal priorities the added one comes first, so it lands at `priority`."""
    ranked = [(p, 1, s) for p, s in enumerate(servers)] + [(priority, 0, ip)]
    return tuple(s for _, _, s in sorted(ranked, key=lambda r: (r[0], r[1])))


def _stage(ctx: Context, **changes: object) -> None:
    ctx.stage(model.replace(ctx.config, dns=model.replace(ctx.config.dns, **changes)))


async def _ask_ip(ctx: Context, question: str, others: Sequence[str],
                  current: str = "") -> str | None:
    """An IP address not used by another server; None (empty answer, no default) climbs back."""
    while True:
        answer = await ctx.console.ask(question, current)
        if not answer:
            return None
        ip = validate_dns.server_address(answer)
        if ip is None:
            ctx.console.say(texts.DNS_INVALID_IP.format(ip=answer))
        elif ip in others:
            ctx.console.say(texts.DNS_SERVER_EXISTS.format(ip=ip))
        else:
            return ip


async def _ask_priority(ctx: Context, ip: str, default: int, others: int) -> int:
    return await ask_int(ctx.console, texts.DNS_PRIORITY.format(ip=ip), default, Range(0, others))


async def _pick(ctx: Context, question: str) -> int | None:
    servers = ctx.config.dns.servers
    return await ctx.console.choose(question, _lines(servers), None, list(servers))


async def new(ctx: Context) -> None:
    servers = ctx.config.dns.servers
    ip = await _ask_ip(ctx, texts.DNS_NEW_IP, servers)
    if ip is None:
        return
    priority = await _ask_priority(ctx, ip, 0, len(servers))
    _stage(ctx, servers=place(servers, ip, priority))


async def edit(ctx: Context) -> None:
    index = await _pick(ctx, texts.DNS_EDIT_WHICH)
    if index is None:
        return
    servers = ctx.config.dns.servers
    others = servers[:index] + servers[index + 1:]
    ip = await _ask_ip(ctx, texts.DNS_EDIT_IP, others, servers[index])
    if ip is None:
        return
    priority = await _ask_priority(ctx, ip, index, len(others))
    _stage(ctx, servers=place(others, ip, priority))


async def delete(ctx: Context) -> None:
    index = await _pick(ctx, texts.DNS_DELETE_WHICH)
    if index is not None:
        servers = ctx.config.dns.servers
        _stage(ctx, servers=servers[:index] + servers[index + 1:])


async def use(ctx: Context) -> None:
    if await ctx.console.confirm(texts.DNS_USE_CONFIRM, False):
        _stage(ctx, servers=())


def seconds(value: float) -> str:
    """5.0 -> "5", 2.5 -> "2.5": the timeout as typed."""
    return f"{value:g}"


async def _ask_timeout(ctx: Context, current: float) -> float:
    shown = seconds(current)
    while True:
        answer = await ctx.console.ask(texts.DNS_TIMEOUT, shown)
        if answer == shown and current in ranges.DNS_TIMEOUT:
            return current  # Enter keeps the value, even one shown as 1e-05
        # plain decimal seconds ("5", "2.5", ".5"): no exponents, "inf" or "nan"
        value = ranges.DNS_TIMEOUT.parse(answer)
        if value is not None:
            return value
        ctx.console.say(ranges.DNS_TIMEOUT.message)


async def setup(ctx: Context) -> None:
    dns = ctx.config.dns
    port = await ask_int(ctx.console, texts.DNS_PORT, dns.port, ranges.DNS_PORT)
    timeout = await _ask_timeout(ctx, dns.timeout)
    _stage(ctx, port=port, timeout=timeout)


_OPERATIONS: dict[str, Callable[[Context], Awaitable[None]]] = {
    "NEW": new,
    "EDIT": edit,
    "DELETE": delete,
    "USE": use,
    "SETUP": setup,
}
