"""The HAT matcher over every sender form (§4.5), with the DNS facts from a real DNS server.

Each row: a sender form, a client address, and whether it matches. The facts for
host names and DNS lists come from `DnsCheck` asking a dnsmasq started for the test,
so the PTR forward confirmation and the DNS-list query are the real ones.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator

import pytest

from engine.inbound.dnscheck import DnsCheck
from engine.policy import ClientFacts, evaluate_hat, lookups_needed, sender_matches
from state.model import HAT, Behavior, DnsSettings, Policy, PolicyParams, SenderGroup, TLSMode
from tests.kit.dnsserver import DnsServer
from tests.kit.ports import silent_udp_port

ZONE = "bl.test"

MATCH_TABLE = [
    # IPv4, full / partial / range / CIDR
    ("192.0.2.10", "192.0.2.10", True),
    ("192.0.2.10", "192.0.2.11", False),
    ("10.2.3.", "10.2.3.4", True),
    ("10.2.3.", "10.2.33.4", False),
    ("10.1.1.10-20", "10.1.1.15", True),
    ("10.1.1.10-20", "10.1.1.21", False),
    ("192.0.2.0/28", "192.0.2.15", True),
    ("192.0.2.0/28", "192.0.2.16", False),
    # IPv6
    ("2001:db8::10", "2001:db8::10", True),
    ("2001:db8::/48", "2001:db8:0:1::1", True),
    ("2001:db8::/48", "2001:db9::1", False),
    ("2001:db8::1-ff", "2001:db8::80", True),
    # host names: forward-confirmed PTR only
    ("mx.partner.example", "127.0.0.2", True),
    ("MX.Partner.Example", "127.0.0.2", True),
    ("mx.partner.example", "127.0.0.3", False),  # PTR without a matching A: not verified
    ("liar.partner.example", "127.0.0.3", False),
    (".partner.example", "127.0.0.2", True),
    (".partner.example", "127.0.0.3", False),
    (".other.example", "127.0.0.2", False),
    ("mx.partner.example", "127.0.0.4", False),  # no PTR at all
    # DNS lists
    (f"dnslist[{ZONE}]", "127.0.0.5", True),
    (f"DNSLIST[{ZONE.upper()}]", "127.0.0.5", True),
    (f"dnslist[{ZONE}]", "127.0.0.6", False),
    ("dnslist[other.test]", "127.0.0.5", False),
    # reputation: no service is reachable, every client scores None
    ("SBRS[none]", "127.0.0.2", True),
    ("sbrs[-10.0:10.0]", "127.0.0.2", False),
    ("SBRS[7.5:10.0]", "127.0.0.5", False),
    ("SBO:12345", "127.0.0.2", False),
    ("ALL", "127.0.0.9", True),
]


@pytest.fixture(scope="module")
def dns_server() -> Iterator[DnsServer]:
    with DnsServer(
        hosts={"mx.partner.example": "127.0.0.2"},
        ptr_only={"127.0.0.3": "mx.partner.example"},
        addresses={f"5.0.0.127.{ZONE}": "127.0.0.2"},
    ) as server:
        yield server


def settings(port: int, timeout: float = 2.0) -> DnsSettings:
    return DnsSettings(servers=("127.0.0.1",), port=port, timeout=timeout)


async def facts_for(check: DnsCheck, form: str, ip: str) -> ClientFacts:
    hat = HAT(default=PolicyParams(), groups=(SenderGroup(name="G", senders=(form,), policy="P"),))
    facts, _ = await check.facts(ip, lookups_needed(hat))
    return facts


@pytest.mark.parametrize(("form", "ip", "expected"), MATCH_TABLE)
async def test_sender_form(dns_server: DnsServer, form: str, ip: str, expected: bool) -> None:
    check = DnsCheck(settings(dns_server.port))
    facts = await facts_for(check, form, ip)
    assert sender_matches(form, facts) is expected


def ordered_hat() -> HAT:
    """A mixed table: CONTINUE rows, inline behaviors, named policies, ALL."""
    return HAT(
        default=PolicyParams(max_message_size=1000, max_concurrency=5, max_msgs_per_session=5,
                             max_rcpts_per_msg=5, tls=TLSMode.NO),
        policies=(
            Policy(name="TLSREQ", behavior=Behavior.ACCEPT,
                   params=PolicyParams(tls=TLSMode.REQUIRED)),
            Policy(name="BLOCKED", behavior=Behavior.REJECT),
            Policy(name="ACCEPTED", behavior=Behavior.ACCEPT),
        ),
        groups=(
            SenderGroup(name="PASS", senders=("127.0.0.2",), policy="", behavior=Behavior.CONTINUE),
            SenderGroup(name="BLACKLIST", senders=(f"dnslist[{ZONE}]",), policy="BLOCKED"),
            SenderGroup(name="TLS_Senders", senders=(".partner.example", "127.0.0.7"),
                        policy="TLSREQ"),
            SenderGroup(name="REFUSE", senders=("127.0.0.8",), policy="",
                        behavior=Behavior.TCPREFUSE),
            SenderGroup(name="SMALL", senders=("127.0.0.",), policy="",
                        behavior=Behavior.ACCEPT, params=PolicyParams(max_rcpts_per_msg=1)),
            SenderGroup(name="ALL", senders=("ALL",), policy="ACCEPTED"),
        ),
    )


ORDER_TABLE = [
    # ip, group, rule, behavior
    ("127.0.0.2", "TLS_Senders", ".partner.example", Behavior.ACCEPT),  # PASS continues
    ("127.0.0.5", "BLACKLIST", f"dnslist[{ZONE}]", Behavior.REJECT),
    ("127.0.0.7", "TLS_Senders", "127.0.0.7", Behavior.ACCEPT),
    ("127.0.0.8", "REFUSE", "127.0.0.8", Behavior.TCPREFUSE),
    ("127.0.0.9", "SMALL", "127.0.0.", Behavior.ACCEPT),
    ("192.0.2.1", "ALL", "ALL", Behavior.ACCEPT),
]


@pytest.mark.parametrize(("ip", "group", "rule", "behavior"), ORDER_TABLE)
async def test_first_match_wins(
    dns_server: DnsServer, ip: str, group: str, rule: str, behavior: Behavior
) -> None:
    hat = ordered_hat()
    facts, _ = await DnsCheck(settings(dns_server.port)).facts(ip, lookups_needed(hat))
    match = evaluate_hat(hat, facts)
    assert (match.group, match.rule, match.behavior) == (group, rule, behavior)


def test_parameters_of_inline_rows_and_named_policies_inherit_the_default() -> None:
    hat = ordered_hat()
    small = evaluate_hat(hat, ClientFacts(ip="127.0.0.9"))
    assert (small.params.max_rcpts_per_msg, small.params.max_message_size) == (1, 1000)
    tls = evaluate_hat(hat, ClientFacts(ip="127.0.0.7"))
    assert (tls.params.tls, tls.params.max_concurrency) == (TLSMode.REQUIRED, 5)


def test_lookups_needed() -> None:
    needed = lookups_needed(ordered_hat())
    assert needed.ptr and needed.zones == (ZONE,)
    plain = HAT(default=PolicyParams(), groups=(SenderGroup(name="A", senders=("10.", "ALL",
                                                           "sbrs[none]"), policy="X"),))
    assert not lookups_needed(plain).ptr and lookups_needed(plain).zones == ()


async def test_answers_are_cached_for_their_ttl() -> None:
    now = [1000.0]
    with DnsServer(hosts={"mx.partner.example": "127.0.0.2"}, ttl=60) as server:
        check = DnsCheck(settings(server.port, timeout=0.5), clock=lambda: now[0])
        assert (await check.host_name("127.0.0.2")).name == "mx.partner.example"
    # The server is gone: within the TTL only the cache can answer.
    now[0] += 59
    assert (await check.host_name("127.0.0.2")).name == "mx.partner.example"
    now[0] += 2
    host = await check.host_name("127.0.0.2")
    assert (host.name, host.status, host.variable) == (None, "unknown", "unknown")


@pytest.fixture
def silent_server() -> Iterator[int]:
    """A UDP port that swallows every query: a DNS server that never answers."""
    with silent_udp_port() as port:
        yield port


async def test_dns_failure_times_out_and_does_not_match(silent_server: int) -> None:
    check = DnsCheck(settings(silent_server, timeout=0.3))
    hat = ordered_hat()
    facts, host = await asyncio.wait_for(check.facts("127.0.0.2", lookups_needed(hat)), 3)
    assert facts.ptr is None and facts.listed == frozenset() and host.status == "unknown"
    # Neither the host-name row nor the DNS list matches; the catch-all still decides.
    assert evaluate_hat(hat, facts).group == "SMALL"
