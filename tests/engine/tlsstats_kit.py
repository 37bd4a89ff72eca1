"""Real TLS traffic for the TLS statistics tests: clients on several loopback addresses
(with and without STARTTLS, one whose handshake fails) and three loopback MXs (a good
certificate, a certificate for another name, no STARTTLS at all), and the exact report
each direction must show for it.

`run_traffic` drives an engine on `data_dir` and returns when every connection has been
recorded; the expected lines are plain data (EXPECTED_IN, EXPECTED_OUT).
"""

from __future__ import annotations

import ssl
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager, suppress
from pathlib import Path

import trustme

from engine.queue.manager import QueueOptions
from engine.service import Engine
from state.model import (
    Behavior,
    Certificate,
    Config,
    DestinationControls,
    DestinationEntry,
    Policy,
    PolicyParams,
    RatAction,
    RatEntry,
    SenderGroup,
    TLSMode,
    replace,
)
from tests.engine import builders
from tests.engine.outbound_kit import outbound_config
from tests.kit.certs import client_context, server_context
from tests.kit.dnsserver import DnsServer
from tests.kit.engine import running_engine
from tests.kit.fakemx import Behaviour, FakeMX
from tests.kit.ports import reserve_on
from tests.kit.smtp import RawSmtp
from tests.kit.waiting import wait_until_async

PARTNER_IP, OTHER_IP, NAMELESS_IP = "127.0.0.2", "127.0.0.4", "127.0.0.5"
MX_IPS = {"good.test": "127.0.0.21", "wrong.test": "127.0.0.22", "plain.test": "127.0.0.23"}
HOSTS = {"mx1.alpha.test": PARTNER_IP, "mail.beta.test": OTHER_IP,
         **{f"mx.{d}": ip for d, ip in MX_IPS.items()}}
MX = [(d, f"mx.{d}", 10) for d in MX_IPS]

# Columns in COLUMNS order (engine/tlsstats/report.py); versions as Line.value shows them.
KEYS = ("connections", "required_success", "required_failed", "preferred_success",
        "preferred_failed", "tls_attempted", "unencrypted", "clear_not_attempted",
        "clear_fell_back", "tls_percent", "encrypted_messages", "clear_messages", "verified",
        "not_verified", "versions")
EXPECTED_IN = {
    # 127.0.0.2 is mx1.alpha.test (PARTNERS, TLS Required): once with STARTTLS and a
    # message, once without (530: no message)
    "alpha.test": (2, 1, 1, 0, 0, 1, 1, 1, 0, 50.0, 1, 0, 0, 1, "TLSv1.3 1"),
    # 127.0.0.4 is mail.beta.test (ALL, Preferred): a message in clear then STARTTLS and one
    # more; then a connection that never starts TLS, with one message
    "beta.test": (2, 0, 0, 1, 0, 1, 1, 1, 0, 50.0, 1, 2, 0, 1, "TLSv1.3 1"),
    # 127.0.0.5 has no PTR: its handshake fails (it does not trust our certificate)
    "[127.0.0.5]": (1, 0, 0, 0, 1, 1, 1, 0, 1, 0.0, 0, 0, 0, 0, ""),
    # the submission of the outbound messages (no STARTTLS)
    "[127.0.0.1]": (1, 0, 0, 0, 0, 0, 1, 1, 0, 0.0, 0, 1, 0, 0, ""),
}
EXPECTED_IN_TOTAL = (6, 1, 1, 1, 1, 3, 4, 3, 1, 33.3, 2, 3, 0, 2, "TLSv1.3 2")
EXPECTED_OUT = {  # every destination Preferred; one message each
    "good.test": (1, 0, 0, 1, 0, 1, 0, 0, 0, 100.0, 1, 0, 1, 0, "TLSv1.3 1"),
    "plain.test": (1, 0, 0, 0, 0, 0, 1, 1, 0, 0.0, 0, 1, 0, 0, ""),
    "wrong.test": (1, 0, 0, 1, 0, 1, 0, 0, 0, 100.0, 1, 0, 0, 1, "TLSv1.3 1"),
}
EXPECTED_OUT_TOTAL = (3, 0, 0, 2, 0, 2, 1, 1, 0, 66.7, 2, 1, 1, 1, "TLSv1.3 2")


def gateway(ca: trustme.CA, dns: DnsServer, cert: Certificate) -> Config:
    required = Policy(name="REQ", behavior=Behavior.ACCEPT,
                      params=PolicyParams(tls=TLSMode.REQUIRED))
    partners = SenderGroup(name="PARTNERS", senders=(".alpha.test",), policy="REQ")
    the_hat = builders.hat(TLSMode.PREFERRED, groups=(partners,), policies=(required,))
    rat = tuple(RatEntry(address=d, action=RatAction.ACCEPT) for d in ("example.com", *MX_IPS))
    listen = builders.listener(the_hat=the_hat,
                               rat=(*rat, RatEntry(address="ALL", action=RatAction.REJECT)))
    out = outbound_config(ca, dns.port)
    entries = tuple(DestinationEntry(domain=d, tls=TLSMode.PREFERRED) for d in MX_IPS)
    return replace(builders.config(listen, certificates=(cert,)), authorities=out.authorities,
                   dns=out.dns, destinations=DestinationControls(
                       default=out.destinations.default, entries=entries))


class Client:
    """One inbound SMTP conversation from a given loopback address."""

    def __init__(self, raw: RawSmtp) -> None:
        self.raw = raw

    @classmethod
    async def open(cls, port: int, source: str) -> Client:
        client = cls(await RawSmtp.connect(port, source=source))
        assert (await client.raw.reply())[0] == 220
        assert (await client.raw.cmd("EHLO client.test"))[0] == 250
        return client

    async def starttls(self, ctx: ssl.SSLContext) -> None:
        assert (await self.raw.cmd("STARTTLS"))[0] == 220
        await self.raw.starttls(ctx)
        assert (await self.raw.cmd("EHLO client.test"))[0] == 250

    async def message(self, *rcpts: str) -> int:
        code = (await self.raw.cmd("MAIL FROM:<a@client.test>"))[0]
        if code != 250:
            return code
        for rcpt in rcpts:
            assert (await self.raw.cmd(f"RCPT TO:<{rcpt}>"))[0] == 250
        assert (await self.raw.cmd("DATA"))[0] == 354
        return (await self.raw.cmd("Subject: t\r\n\r\nhello\r\n."))[0]

    async def quit(self) -> None:
        try:
            await self.raw.cmd("QUIT")
        finally:
            await self.raw.close()


async def inbound_traffic(port: int, ca: trustme.CA) -> None:
    trusting = client_context(ca)
    partner = await Client.open(port, PARTNER_IP)
    await partner.starttls(trusting)
    assert await partner.message("u@example.com") == 250
    await partner.quit()
    partner = await Client.open(port, PARTNER_IP)
    assert await partner.message("u@example.com") == 530
    await partner.quit()
    other = await Client.open(port, OTHER_IP)
    assert await other.message("u@example.com") == 250
    await other.starttls(trusting)
    assert await other.message("u@example.com") == 250
    await other.quit()
    other = await Client.open(port, OTHER_IP)
    assert await other.message("u@example.com") == 250
    await other.quit()
    await failing_handshake(port)


async def failing_handshake(port: int) -> None:
    nameless = await Client.open(port, NAMELESS_IP)
    assert (await nameless.raw.cmd("STARTTLS"))[0] == 220
    with suppress(ssl.SSLError, ConnectionError, OSError):
        await nameless.raw.starttls(client_context(trustme.CA()))  # trusts another CA
    await nameless.raw.close()


async def outbound_traffic(port: int) -> None:
    sender = await Client.open(port, "127.0.0.1")
    assert await sender.message(*(f"u@{d}" for d in MX_IPS)) == 250
    await sender.quit()


@asynccontextmanager
async def fake_mxs(ca: trustme.CA, port: int) -> AsyncIterator[dict[str, FakeMX]]:
    behaviours = {"good.test": Behaviour(context=server_context(ca, "mx.good.test")),
                  "wrong.test": Behaviour(context=server_context(ca, "other.test")),
                  "plain.test": Behaviour(starttls=False)}
    servers = {d: FakeMX(b, host=MX_IPS[d], port=port) for d, b in behaviours.items()}
    for server in servers.values():
        await server.__aenter__()
    try:
        yield servers
    finally:
        for server in servers.values():
            await server.__aexit__(None, None, None)


async def run_traffic(data_dir: Path, ca: trustme.CA, dns: DnsServer, cert: Certificate) -> None:
    """All the traffic above, through an engine on `data_dir`, until it is all recorded."""
    port = reserve_on(*MX_IPS.values())
    async with fake_mxs(ca, port) as mxs, running_engine(
            data_dir, gateway(ca, dns, cert), outbound=QueueOptions(mx_port=port)) as engine:
        listen = engine.bound_port("InboundMail")
        assert listen is not None
        await outbound_traffic(listen)
        await inbound_traffic(listen, ca)
        await wait_until_async(lambda: all(len(m.messages) == 1 for m in mxs.values()), timeout=20)
        await wait_until_async(lambda: recorded(engine, inbound=6, outbound=3), timeout=20)


def recorded(engine: Engine, inbound: int, outbound: int) -> bool:
    stats = engine.stats
    return stats is not None and stats.submitted >= inbound + outbound and stats.settled
