"""`dig [-t <type>] <host>` (§1.4: `dig -t mx example.com`): one DNS query through the
resolver dnsconfig sets, shown as dig shows it (status, flags, sections). An IP address
looks up its PTR record. Interactive: the host, then the query type."""

from __future__ import annotations

import ipaddress
from collections.abc import Sequence

import dns.asyncquery
import dns.exception
import dns.flags
import dns.message
import dns.name
import dns.rcode
import dns.rdatatype
import dns.reversename

from esacli import texts
from esacli.commands.context import Context
from esacli.commands.menu import Command
from esacli.commands.tools import resolver
from state.model import DnsSettings
from state.users import Act

TYPES = ("A", "AAAA", "CNAME", "MX", "NS", "PTR", "SOA", "SRV", "TLSA", "TXT")


def usage() -> str:
    return texts.tools.DIG_USAGE.format(types=" ".join(TYPES))


def query_name(host: str) -> tuple[dns.name.Name, str | None] | None:
    """The name to ask for (an address's reverse name, with PTR as its type), or None
    when `host` cannot be a DNS name."""
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        pass
    else:  # a scoped IPv6 address (fe80::1%eth0) has no reverse name
        return (None if "%" in str(address) else
                (dns.reversename.from_address(str(address)), "PTR"))
    if not host or not host.isprintable() or " " in host:
        return None
    try:
        return dns.name.from_text(host), None
    except dns.exception.DNSException:
        return None


def query_type(word: str) -> str | None:
    return word.upper() if word.upper() in TYPES else None


def parse(ctx: Context, args: Sequence[str]) -> tuple[dns.name.Name, str] | None:
    """The batch words, or None after saying why they cannot be used."""
    words, rdtype = list(args), None
    if words[:1] == ["-t"]:
        if len(words) < 2:
            ctx.refuse(usage())
            return None
        rdtype = query_type(words[1])
        if rdtype is None:
            ctx.refuse(texts.tools.DIG_BAD_TYPE.format(type=words[1], types=", ".join(TYPES)))
            return None
        words = words[2:]
    if len(words) != 1:
        ctx.refuse(usage())
        return None
    name = query_name(words[0])
    if name is None:
        ctx.refuse(texts.tools.DIG_BAD_NAME.format(name=words[0]))
        return None
    return name[0], rdtype or name[1] or "A"


async def ask(ctx: Context) -> tuple[dns.name.Name, str] | None:
    while True:
        host = await ctx.console.ask(texts.tools.DIG_HOST)
        if not host:
            return None
        name = query_name(host)
        if name is not None:
            break
        ctx.console.say(texts.tools.DIG_BAD_NAME.format(name=host))
    default = TYPES.index(name[1] or "A") + 1
    index = await ctx.console.choose(texts.tools.DIG_TYPE, TYPES, default, TYPES)
    return name[0], TYPES[default - 1 if index is None else index]


async def run(ctx: Context, args: Sequence[str]) -> None:
    asked = parse(ctx, args) if args else await ask(ctx)
    if asked is not None:
        ok = await ctx.console.interruptible(lookup(ctx, ctx.session.store.load().dns, *asked))
        ctx.failed = ctx.failed or not ok


async def lookup(ctx: Context, settings: DnsSettings, name: dns.name.Name, rdtype: str) -> bool:
    """Ask each server in turn until one answers; show its answer. False: none did."""
    found, port = resolver.servers(settings)
    header = texts.tools.DIG_HEADER.format(name=name.to_text(), type=rdtype)
    if not found:
        ctx.console.say(f"{header}\n{texts.tools.DIG_NO_SERVERS}")
        return False
    query = dns.message.make_query(name, rdtype)
    query.flags |= dns.flags.AD  # as dig does: the answer's ad flag says it was validated
    for server in found:
        try:
            reply, _ = await dns.asyncquery.udp_with_fallback(
                query, server, timeout=settings.timeout, port=port)
        except (dns.exception.DNSException, OSError):
            continue
        ctx.console.say("\n".join([header, *answer_lines(reply), "",
                                   texts.tools.DIG_SERVER.format(server=server, port=port)]))
        return True
    ctx.console.say(f"{header}\n{texts.tools.DIG_TIMED_OUT}")
    return False


def answer_lines(reply: dns.message.Message) -> list[str]:
    sections = {"question": reply.question, "answer": reply.answer,
                "authority": reply.authority, "additional": reply.additional}
    counts = {k: sum(len(r) for r in v) if k != "question" else len(v)
              for k, v in sections.items()}
    lines = [texts.tools.DIG_STATUS.format(status=dns.rcode.to_text(reply.rcode())),
             texts.tools.DIG_FLAGS.format(flags=dns.flags.to_text(reply.flags).lower(), **counts)]
    for key, title in texts.tools.DIG_SECTIONS:
        if sections[key]:
            prefix = ";" if key == "question" else ""
            rows = [f"{prefix}{line}" for rrset in sections[key]
                    for line in rrset.to_text().splitlines()]
            lines += ["", title, *rows]
    return lines


COMMAND = Command("dig", texts.shell.DESCRIPTIONS["dig"], run, usage=usage(), takes_args=True,
                  kind=Act.LOOK)
