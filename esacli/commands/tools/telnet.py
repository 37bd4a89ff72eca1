"""`telnet <host> [port]`: a short SMTP probe of a remote host, not a terminal. It
connects (the host's addresses through the resolver dnsconfig sets), shows the banner,
sends EHLO with the appliance's hostname and QUIT, shows each reply, and closes. Every
step has a deadline and a reply a size limit, so a silent or abusive peer cannot hold
the session."""

from __future__ import annotations

import asyncio
import errno
import ipaddress
import os
from collections.abc import Sequence

import dns.exception

from esacli import texts
from esacli.commands import value_questions
from esacli.commands.context import Context
from esacli.commands.menu import Command
from esacli.commands.tools import resolver
from esacli.console import Console
from state import ranges
from state.model import Config
from state.users import Act

STEP_SECONDS = 10.0  # each connect and each reply
PROBE_SECONDS = 30.0  # the whole probe
MAX_LINE = 1000  # characters of one reply line (RFC 5321 allows 512)
MAX_LINES = 100  # lines of one reply
DEFAULT_PORT = 25


class ProbeEnded(Exception):
    """The probe cannot go on; its text says why."""


async def run(ctx: Context, args: Sequence[str]) -> None:
    target = parse(ctx, args) if args else await ask(ctx)
    if target is not None:
        ok = await ctx.console.interruptible(probe(ctx, ctx.session.store.load(), *target))
        ctx.failed = ctx.failed or not ok


def _host_refusal(host: str) -> str | None:
    if host.isprintable() and " " not in host and 0 < len(host) <= 255:
        return None
    return texts.tools.TELNET_BAD_HOST.format(host=host)


def parse(ctx: Context, args: Sequence[str]) -> tuple[str, int] | None:
    port = ranges.PORT.parse(args[1]) if len(args) == 2 else DEFAULT_PORT
    if len(args) > 2 or port is None:
        ctx.refuse(texts.tools.TELNET_USAGE)
        return None
    refusal = _host_refusal(args[0])
    if refusal is not None:
        ctx.refuse(refusal)
        return None
    return args[0], port


async def ask(ctx: Context) -> tuple[str, int] | None:
    while True:
        host = await ctx.console.ask(texts.tools.TELNET_HOST)
        if not host:
            return None
        refusal = _host_refusal(host)
        if refusal is None:
            break
        ctx.console.say(refusal)
    port = await value_questions.ask_port(ctx.console, texts.tools.TELNET_PORT, DEFAULT_PORT)
    return host, port


async def addresses(config: Config, host: str) -> list[str]:
    """The host's addresses (IPv4 first) through the configured resolver."""
    try:
        return [str(ipaddress.ip_address(host))]
    except ValueError:
        pass
    stub = resolver.resolver(config.dns)
    found: list[str] = []
    for rdtype in ("A", "AAAA"):
        try:
            answer = await stub.resolve(host, rdtype, search=False)
        except (dns.exception.DNSException, OSError):
            continue
        found += [r.to_text() for r in answer]
    return found


async def probe(ctx: Context, config: Config, host: str, port: int) -> bool:
    """Connect to the first address that answers and talk; True when QUIT was answered."""
    console = ctx.console
    console.write("\n")
    found = await addresses(config, host)
    if not found:
        console.write(texts.tools.TELNET_UNRESOLVED.format(host=host) + "\n")
        return False
    for address in found:
        console.write(texts.tools.TELNET_TRYING.format(address=address) + "\n")
        try:
            async with asyncio.timeout(STEP_SECONDS):
                reader, writer = await asyncio.open_connection(address, port, limit=MAX_LINE)
        except (OSError, TimeoutError) as exc:
            reason = os.strerror(exc.errno) if isinstance(exc, OSError) and exc.errno else (
                os.strerror(errno.ETIMEDOUT))
            console.write(texts.tools.TELNET_REFUSED.format(address=address, reason=reason)
                          + "\n")
            continue
        console.write(texts.tools.TELNET_CONNECTED.format(host=host) + "\n")
        try:
            return await _converse(ctx, config, reader, writer)
        finally:
            writer.close()
    return False


async def _converse(ctx: Context, config: Config, reader: asyncio.StreamReader,
                    writer: asyncio.StreamWriter) -> bool:
    console = ctx.console
    try:
        async with asyncio.timeout(PROBE_SECONDS):
            await _reply(console, reader)
            for command in (f"EHLO {config.hostname}", "QUIT"):
                console.write(command + "\n")
                writer.write(command.encode() + b"\r\n")
                await writer.drain()
                await _reply(console, reader)
    except TimeoutError:
        console.write(texts.tools.TELNET_TIMED_OUT.format(seconds=STEP_SECONDS) + "\n")
        return False
    except ProbeEnded as ended:
        console.write(f"{ended}\n")
        return False
    except OSError:
        console.write(texts.tools.TELNET_CLOSED + "\n")
        return False
    console.write(texts.tools.TELNET_CLOSED + "\n")
    return True


async def _reply(console: Console, reader: asyncio.StreamReader) -> None:
    """Show one SMTP reply, line by line, until its last line (`NNN ` or `NNN`)."""
    for _ in range(MAX_LINES):
        try:
            async with asyncio.timeout(STEP_SECONDS):
                raw = await reader.readline()
        except (asyncio.LimitOverrunError, ValueError):
            raise ProbeEnded(texts.tools.TELNET_TOO_LONG) from None
        if not raw:
            raise ProbeEnded(texts.tools.TELNET_CLOSED)
        line = raw.decode("utf-8", "replace").rstrip("\r\n")
        console.write(line + "\n")
        if len(line) < 4 or line[3] != "-":
            return
    raise ProbeEnded(texts.tools.TELNET_TOO_LONG)


COMMAND = Command("telnet", texts.shell.DESCRIPTIONS["telnet"], run,
                  usage=texts.tools.TELNET_USAGE, takes_args=True, kind=Act.LOOK)
