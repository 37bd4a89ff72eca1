"""tlsverify's first lines say what decides where it connects: the MX records (no
route, or a USEDNS one) or the smtproutes route, named, whose hosts it then goes to
(a /dev/null route: none). Names resolved through dnsmasq; a fake MX without STARTTLS."""

from __future__ import annotations

from pathlib import Path

import trustme

from engine.outbound.tlsverify import tlsverify
from state.model import Config, Route, RouteHost, replace
from state.secrets import Secrets
from tests.engine.outbound_kit import DOMAIN, outbound_config
from tests.kit.dnsserver import DnsServer
from tests.kit.fakemx import Behaviour, FakeMX

MX = "mx1.partner.test"


async def first_lines(config: Config, tmp_path: Path, port: int, count: int) -> list[str]:
    lines: list[str] = []
    await tlsverify(config, Secrets(tmp_path), DOMAIN, None, port, emit=lines.append)
    return lines[:count]


async def test_the_mx_records_decide_without_a_route_or_with_usedns(
        ca: trustme.CA, tmp_path: Path) -> None:
    with DnsServer(hosts={MX: "127.0.0.3"}, mx=[(DOMAIN, MX, 10)]) as dns:
        async with FakeMX(Behaviour(starttls=False), host="127.0.0.3") as mx:
            config = outbound_config(ca, dns.port)
            usedns = Route(domain="ALL", hosts=(RouteHost(host="USEDNS"),))
            for routes in ((), (usedns,)):
                lines = await first_lines(replace(config, routes=routes), tmp_path, mx.port, 2)
                assert lines == [f"Looking up MX records for {DOMAIN}.",
                                 f"Mail exchanger {MX} (127.0.0.3) preference 10."]


async def test_a_route_decides_and_is_named(ca: trustme.CA, tmp_path: Path) -> None:
    with DnsServer(hosts={MX: "127.0.0.3"}, mx=[(DOMAIN, "mx.elsewhere.test", 10)]) as dns:
        async with FakeMX(Behaviour(starttls=False), host="127.0.0.3") as mx:
            route = Route(domain="ALL", hosts=(RouteHost(host=MX, port=mx.port, priority=5),))
            config = replace(outbound_config(ca, dns.port), routes=(route,))
            lines = await first_lines(config, tmp_path, mx.port, 3)
    assert lines == [f"{DOMAIN} is routed by SMTP route ALL to {MX}:{mx.port}/pri=5.",
                     f"Route host {MX} (127.0.0.3) priority 5.",
                     f"Connecting to 127.0.0.3 on port {mx.port}."]


async def test_a_route_to_dev_null_or_to_no_address(ca: trustme.CA, tmp_path: Path) -> None:
    with DnsServer() as dns:
        config = outbound_config(ca, dns.port)
        dropped = Route(domain=DOMAIN, hosts=(RouteHost(host="/dev/null"),))
        lines = await first_lines(replace(config, routes=(dropped,)), tmp_path, 25, 2)
        assert lines == [f"{DOMAIN} is routed by SMTP route {DOMAIN} to /dev/null.",
                         f"No usable route host for {DOMAIN}: route drops the mail (/dev/null)."]
        nowhere = Route(domain=DOMAIN, hosts=(RouteHost(host="gone.partner.test"),))
        lines = await first_lines(replace(config, routes=(nowhere,)), tmp_path, 25, 2)
    assert lines[0] == f"{DOMAIN} is routed by SMTP route {DOMAIN} to gone.partner.test."
    assert lines[1].startswith(f"No usable route host for {DOMAIN}: ")


async def test_a_null_mx_is_said_once(ca: trustme.CA, tmp_path: Path) -> None:
    """The resolver's reason names the domain; the line naming it already leaves that out."""
    with DnsServer(mx=[(DOMAIN, ".", 0)]) as dns:
        lines = await first_lines(outbound_config(ca, dns.port), tmp_path, 25, 2)
    assert lines == [f"Looking up MX records for {DOMAIN}.",
                     f"No usable mail exchanger for {DOMAIN}: null MX, domain accepts no mail."]
