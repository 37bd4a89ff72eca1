"""HAT and RAT enforcement on real sockets, clients bound to different loopback sources.

Covers what the walking skeleton did not: rate limiting per host per hour with its
452, banner host override and custom 220/554 responses with $Group/$Hostname/$RemoteIP,
HAT delayed rejection, inline behaviors, RAT custom responses and the receiving-control
bypass, host-name rows over a real DNS server, and a DNS server that never answers.
"""

from __future__ import annotations

import asyncio
import socket
import struct
from collections.abc import Iterator
from pathlib import Path

import pytest

from state.model import (
    Behavior,
    Config,
    DnsSettings,
    ListenerSetup,
    Policy,
    PolicyParams,
    RatAction,
    RatEntry,
    Response,
    SenderGroup,
    SmtpTimeouts,
    replace,
)
from tests.engine.builders import config, hat, listener
from tests.kit.dnsserver import DnsServer
from tests.kit.engine import log_has, read_mail_logs, running_engine
from tests.kit.ports import silent_udp_port
from tests.kit.smtp import RawSmtp
from tests.kit.waiting import wait_until_async


async def connect_from(source: str, port: int) -> RawSmtp:
    """A client whose connection comes from `source` (any 127/8 address on Linux)."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port, local_addr=(source, 0))
    return RawSmtp(reader, writer)


def group(name: str, senders: tuple[str, ...], behavior: Behavior = Behavior.ACCEPT,
          **params: object) -> SenderGroup:
    return SenderGroup(name=name, senders=senders, policy="", behavior=behavior,
                       params=PolicyParams(**params))  # type: ignore[arg-type]


def one_listener(*groups: SenderGroup, rat: tuple[RatEntry, ...] | None = None,
                 **cfg: object) -> Config:
    fields: dict[str, object] = {"the_hat": hat(groups=groups)}
    if rat is not None:
        fields["rat"] = rat
    return replace(config(listener(**fields)), **cfg)


async def test_rate_limit_per_host_per_hour(tmp_path: Path) -> None:
    limited = group("LIMITED", ("127.0.0.2",), max_rcpts_per_hour=2)
    custom = group("CUSTOM", ("127.0.0.3",), max_rcpts_per_hour=1,
                   rate_limit_response=Response(452, "Slow down $RemoteIP"))
    async with running_engine(tmp_path, one_listener(limited, custom)) as engine:
        port = engine.bound_port("InboundMail")
        first = await connect_from("127.0.0.2", port)
        await first.reply()
        await first.cmd("EHLO c")
        await first.cmd("MAIL FROM:<a@b.test>")
        assert (await first.cmd("RCPT TO:<u1@example.com>"))[0] == 250
        await first.close()
        # A new connection from the same host shares the hourly count.
        second = await connect_from("127.0.0.2", port)
        await second.reply()
        await second.cmd("EHLO c")
        await second.cmd("MAIL FROM:<a@b.test>")
        assert (await second.cmd("RCPT TO:<u2@example.com>"))[0] == 250
        assert await second.cmd("RCPT TO:<u3@example.com>") == (
            452, ["452 Too many recipients received this hour"])
        other = await connect_from("127.0.0.3", port)
        await other.reply()
        await other.cmd("EHLO c")
        await other.cmd("MAIL FROM:<a@b.test>")
        assert (await other.cmd("RCPT TO:<u1@example.com>"))[0] == 250
        assert await other.cmd("RCPT TO:<u2@example.com>") == (452, ["452 Slow down 127.0.0.3"])
        for client in (second, other):
            await client.close()
    assert "To: <u3@example.com> Rejected by Receiving Control" in read_mail_logs(tmp_path)


async def test_rat_bypass_of_receiving_control_and_custom_rat_replies(tmp_path: Path) -> None:
    rat = (
        RatEntry(address="vip@example.com", action=RatAction.ACCEPT,
                 bypass_receiving_control=True),
        RatEntry(address="gone@example.com", action=RatAction.REJECT, response_code=550,
                 response_text="5.1.1 User unknown"),
        RatEntry(address="hello@", action=RatAction.ACCEPT, response_code=250,
                 response_text="Welcome aboard", bypass_receiving_control=True),
        RatEntry(address="example.com", action=RatAction.ACCEPT),
        RatEntry(address="ALL", action=RatAction.REJECT),
    )
    cfg = one_listener(group("ONE", ("127.0.0.2",), max_rcpts_per_hour=1), rat=rat)
    async with running_engine(tmp_path, cfg) as engine:
        client = await connect_from("127.0.0.2", engine.bound_port("InboundMail"))
        await client.reply()
        await client.cmd("EHLO c")
        await client.cmd("MAIL FROM:<a@b.test>")
        assert (await client.cmd("RCPT TO:<u@example.com>"))[0] == 250
        assert (await client.cmd("RCPT TO:<v@example.com>"))[0] == 452
        assert (await client.cmd("RCPT TO:<vip@example.com>"))[0] == 250
        assert await client.cmd("RCPT TO:<gone@example.com>") == (550, ["550 5.1.1 User unknown"])
        assert await client.cmd("RCPT TO:<hello@elsewhere.test>") == (250, ["250 Welcome aboard"])
        assert (await client.cmd("RCPT TO:<x@elsewhere.test>"))[0] == 550
        await client.close()
    assert "To: <gone@example.com> Rejected by RAT" in read_mail_logs(tmp_path)


async def test_banner_override_and_custom_responses(tmp_path: Path) -> None:
    named = group("NAMED", ("127.0.0.2",), banner_hostname="gw.example.net")
    custom = group("CUSTOM", ("127.0.0.3",), accept_response=Response(
        220, "$Hostname welcomes $RemoteIP of $Group\nsecond line"))
    rejected = group("NOPE", ("127.0.0.4",), Behavior.REJECT,
                     reject_response=Response(554, "Go away $RemoteIP ($Group)"))
    with DnsServer() as dns:  # knows no names: $Hostname is "None" (no PTR)
        cfg = one_listener(named, custom, rejected,
                           dns=DnsSettings(servers=("127.0.0.1",), port=dns.port))
        await banners(tmp_path, cfg)


async def banners(tmp_path: Path, cfg: Config) -> None:
    async with running_engine(tmp_path, cfg) as engine:
        port = engine.bound_port("InboundMail")
        client = await connect_from("127.0.0.2", port)
        assert await client.reply() == (220, ["220 gw.example.net ESMTP"])
        await client.close()
        client = await connect_from("127.0.0.3", port)
        assert await client.reply() == (220, [
            "220-None welcomes 127.0.0.3 of CUSTOM", "220 second line"])
        assert (await client.cmd("EHLO c"))[0] == 250
        await client.close()
        client = await connect_from("127.0.0.4", port)
        assert await client.reply() == (554, ["554 Go away 127.0.0.4 (NOPE)"])
        assert await client.closed_by_peer()
        await client.close()


async def test_delayed_hat_rejection(tmp_path: Path) -> None:
    cfg = one_listener(group("BLACKLIST", ("127.0.0.2",), Behavior.REJECT),
                       listener_setup=ListenerSetup(hat_delayed_rejection=True))
    async with running_engine(tmp_path, cfg) as engine:
        client = await connect_from("127.0.0.2", engine.bound_port("InboundMail"))
        assert (await client.reply())[0] == 220
        assert (await client.cmd("EHLO c"))[0] == 250
        assert (await client.cmd("MAIL FROM:<s@sender.test>"))[0] == 250
        code, lines = await client.cmd("RCPT TO:<u@example.com>")
        assert code == 554 and "rejected" in lines[0]
        assert (await client.cmd("DATA"))[0] == 503
        await client.cmd("QUIT")
        await client.close()
        await wait_until_async(log_has(tmp_path, "ICID 1 close"))
    log = read_mail_logs(tmp_path)
    assert "ICID 1 REJECT SG BLACKLIST match 127.0.0.2 SBRS None" in log
    assert "ICID 1 Delayed HAT REJECT continuing session for recipient logging (127.0.0.2)" in log
    assert "ICID 1 Delayed HAT REJECT Message from: s@sender.test (127.0.0.2)" in log
    assert "ICID 1 Delayed HAT REJECT Message recipient: u@example.com (127.0.0.2)" in log
    assert "Start MID" not in log


async def test_continue_and_inline_tcprefuse(tmp_path: Path) -> None:
    groups = (group("PASS", ("127.0.0.2", "127.0.0.3"), Behavior.CONTINUE),
              group("REFUSED", ("127.0.0.3",), Behavior.TCPREFUSE))
    async with running_engine(tmp_path, one_listener(*groups)) as engine:
        port = engine.bound_port("InboundMail")
        refused = await connect_from("127.0.0.3", port)
        assert await refused.closed_by_peer()
        await refused.close()
        passed = await connect_from("127.0.0.2", port)
        assert (await passed.reply())[0] == 220
        await passed.close()
        await wait_until_async(log_has(tmp_path, "ICID 1 ACCEPT SG ALL match ALL SBRS None"))
    assert "ICID 0 TCPREFUSE SG REFUSED match 127.0.0.3 SBRS None" in read_mail_logs(tmp_path)


async def test_host_name_rows_over_real_dns(tmp_path: Path) -> None:
    with DnsServer(hosts={"mx.partner.example": "127.0.0.2"}) as dns:
        partner = (SenderGroup(name="TLS_Senders", senders=(".partner.example",),
                               policy="PARTNER"),)
        the_hat = hat(groups=partner, policies=(Policy(name="PARTNER", behavior=Behavior.ACCEPT,
                      params=PolicyParams(accept_response=Response(220, "hi $Hostname"))),))
        cfg = replace(config(listener(the_hat=the_hat)),
                      dns=DnsSettings(servers=("127.0.0.1",), port=dns.port, timeout=2.0))
        async with running_engine(tmp_path, cfg) as engine:
            port = engine.bound_port("InboundMail")
            client = await connect_from("127.0.0.2", port)
            assert await client.reply() == (220, ["220 hi mx.partner.example"])
            await client.close()
            client = await connect_from("127.0.0.3", port)
            assert await client.reply() == (220, ["220 mail.test ESMTP"])
            await client.close()
            await wait_until_async(log_has(tmp_path, "ICID 2 ACCEPT SG ALL match ALL SBRS None"))
    log = read_mail_logs(tmp_path)
    assert ("New SMTP ICID 1 interface Management (127.0.0.1) address 127.0.0.2 "
            "reverse dns host mx.partner.example verified yes") in log
    assert "ICID 1 ACCEPT SG TLS_Senders match .partner.example SBRS None" in log
    assert "address 127.0.0.3 reverse dns host unknown verified no" in log


@pytest.fixture
def silent_dns() -> Iterator[int]:
    with silent_udp_port() as port:
        yield port


async def test_dns_that_never_answers_does_not_stall_the_connection(
    tmp_path: Path, silent_dns: int
) -> None:
    rows = (SenderGroup(name="BLACKLIST", senders=("dnslist[bl.test]", "bad.example"),
                        policy="", behavior=Behavior.REJECT),)
    cfg = replace(config(listener(the_hat=hat(groups=rows))),
                  dns=DnsSettings(servers=("127.0.0.1",), port=silent_dns, timeout=0.3))
    async with running_engine(tmp_path, cfg) as engine:
        client = await connect_from("127.0.0.2", engine.bound_port("InboundMail"))
        assert (await client.reply(timeout=3))[0] == 220  # the rows did not match
        await client.close()


async def test_a_client_gone_or_silent_while_the_hat_looks_up_dns(
    tmp_path: Path, silent_dns: int
) -> None:
    """The HAT's DNS lookups come before the banner: a client that leaves meanwhile had no
    ICID (no line says "ICID 0"), and the wait for HELO starts at the banner, not before
    (a greeting timeout shorter than the lookups closed every connection unserved)."""
    rows = (SenderGroup(name="PTRGROUP", senders=(".ptr.example.org",), policy="ACCEPTED"),)
    cfg = replace(config(listener(the_hat=hat(groups=rows))),
                  dns=DnsSettings(servers=("127.0.0.1",), port=silent_dns, timeout=1.5),
                  listener_setup=ListenerSetup(timeouts=SmtpTimeouts(greeting=1.0)))
    async with running_engine(tmp_path, cfg) as engine:
        port = engine.bound_port("InboundMail")
        gone = await connect_from("127.0.0.2", port)
        gone.writer.get_extra_info("socket").setsockopt(  # closed with a reset
            socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        await gone.close()
        client = await connect_from("127.0.0.2", port)
        assert (await client.reply(timeout=10))[0] == 220  # after the lookups, not a 421
        assert (await client.reply(timeout=10))[0] == 421  # the greeting wait, from then
        await client.close()
        await wait_until_async(log_has(tmp_path, "ICID 1 close"))
    log = read_mail_logs(tmp_path)
    assert "ICID 0" not in log
    assert "ICID 1 Receiving Failed: Timeout waiting for HELO/EHLO" in log
