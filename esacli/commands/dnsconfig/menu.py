"""`dnsconfig`: the resolver the engine uses (host-name and dnslist HAT rows, MX lookups).

AsyncOS's `dnsconfig` is not in our reference: the dialog's shape and wording are
reconstructed (texts.dns). Its "Internet root DNS servers" are the system's resolver
here (`Config.dns.servers` empty).

Priorities: a server's priority is its place in the order the engine's resolver asks
them (state.edit.dns: the rule, and why ties are not offered); the priority question
accepts 0 to the number of other servers. Checking a value is `state.validate_dns`'s,
so an answer the dialog accepts is one the commit accepts.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import partial

from esacli import texts
from esacli.commands.context import Context
from esacli.commands.menu import Command, Menu, Operation, run_menu
from esacli.commands.value_questions import ask_accepted, ask_int
from state import model, ranges, validate_dns
from state.edit.dns import place, server_refusal, without
from state.model import DnsSettings
from state.numbers import Range


async def run(ctx: Context, args: Sequence[str]) -> None:
    await run_menu(ctx, lambda: _menu(ctx.config.dns), lambda: status(ctx.config.dns))


def _menu(dns: DnsSettings) -> Menu[Operation]:
    """With the system's resolver there is no server to edit, delete or stop using."""
    return MENU if dns.servers else MENU.only("NEW", "SETUP")


def status(dns: DnsSettings) -> str:
    if not dns.servers:
        return texts.dns.DNS_SYSTEM
    lines = (f"{n}. {line}" for n, line in enumerate(_lines(dns.servers), 1))
    return "\n".join((texts.dns.DNS_LOCAL, *lines))


def _lines(servers: Sequence[str]) -> list[str]:
    return [texts.dns.DNS_SERVER.format(priority=p, ip=ip) for p, ip in enumerate(servers)]


def _stage(ctx: Context, **changes: object) -> None:
    ctx.stage(model.replace(ctx.config, dns=model.replace(ctx.config.dns, **changes)))


async def _ask_ip(ctx: Context, question: str, others: Sequence[str],
                  current: str = "") -> str | None:
    """An IP address not used by another server; None (empty answer, no default) climbs back."""
    answer = await ask_accepted(ctx.console, question, partial(server_refusal, others), current)
    return None if answer is None else validate_dns.server_address(answer)


async def _ask_priority(ctx: Context, ip: str, default: int, others: int) -> int:
    question = texts.dns.DNS_PRIORITY.format(ip=ip)
    return await ask_int(ctx.console, question, default, Range(0, others))


async def _pick(ctx: Context, question: str) -> int | None:
    servers = ctx.config.dns.servers
    return await ctx.console.choose(question, _lines(servers), None, list(servers))


async def new(ctx: Context) -> None:
    servers = ctx.config.dns.servers
    ip = await _ask_ip(ctx, texts.dns.DNS_NEW_IP, servers)
    if ip is None:
        return
    priority = await _ask_priority(ctx, ip, 0, len(servers))
    _stage(ctx, servers=place(servers, ip, priority))


async def edit(ctx: Context) -> None:
    index = await _pick(ctx, texts.dns.DNS_EDIT_WHICH)
    if index is None:
        return
    servers = ctx.config.dns.servers
    others = without(servers, index)
    ip = await _ask_ip(ctx, texts.dns.DNS_EDIT_IP, others, servers[index])
    if ip is None:
        return
    priority = await _ask_priority(ctx, ip, index, len(others))
    _stage(ctx, servers=place(others, ip, priority))


async def delete(ctx: Context) -> None:
    index = await _pick(ctx, texts.dns.DNS_DELETE_WHICH)
    if index is not None:
        servers = ctx.config.dns.servers
        _stage(ctx, servers=without(servers, index))


async def use(ctx: Context) -> None:
    if await ctx.console.confirm(texts.dns.DNS_USE_CONFIRM, False):
        _stage(ctx, servers=())


def seconds(value: float) -> str:
    """5.0 -> "5", 2.5 -> "2.5": the timeout as typed."""
    return f"{value:g}"


async def _ask_timeout(ctx: Context, current: float) -> float:
    shown = seconds(current)
    while True:
        answer = await ctx.console.ask(texts.dns.DNS_TIMEOUT, shown)
        if answer == shown and current in ranges.DNS_TIMEOUT:
            return current  # Enter keeps the value, even one shown as 1e-05
        # plain decimal seconds ("5", "2.5", ".5"): no exponents, "inf" or "nan"
        value = ranges.DNS_TIMEOUT.parse(answer)
        if value is not None:
            return value
        ctx.console.say(ranges.DNS_TIMEOUT.message)


async def setup(ctx: Context) -> None:
    dns = ctx.config.dns
    port = await ask_int(ctx.console, texts.dns.DNS_PORT, dns.port, ranges.DNS_PORT)
    timeout = await _ask_timeout(ctx, dns.timeout)
    _stage(ctx, port=port, timeout=timeout)


MENU: Menu[Operation] = Menu.of(texts.dns.DNS_MENU, {
    "NEW": new, "EDIT": edit, "DELETE": delete, "USE": use, "SETUP": setup,
})

COMMAND = Command("dnsconfig", texts.shell.DESCRIPTIONS["dnsconfig"], run)
