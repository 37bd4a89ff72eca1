"""trace: the configuration's what-if against real DNS (dnsmasq), the committed
configuration and a staged change: an inbound partner, an outsider, recipients, and a
destination before and after a change to Required - Verify."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import trustme

from engine.outbound.precedence import Check, Mechanism
from engine.outbound.resolver import Kind
from engine.trace import trace_inbound, trace_outbound, trace_recipient
from state.model import Certificate, Config, TLSMode, replace
from tests.engine.tlsstats_kit import HOSTS, MX, gateway
from tests.kit.dnsserver import DnsServer
from tests.kit.loopback import DEAD_DNS


@pytest.fixture(scope="module")
def dns() -> Iterator[DnsServer]:
    with DnsServer(hosts=HOSTS, mx=MX) as server:
        yield server


@pytest.fixture
def config(ca: trustme.CA, dns: DnsServer, test_cert: Certificate) -> Config:
    return gateway(ca, dns, test_cert)


async def test_an_inbound_partner(config: Config) -> None:
    [found] = await trace_inbound(config, "127.0.0.2", ehlo="mx1.alpha.test",
                                  cert_name="mx1.alpha.test")
    assert (found.listener, found.host.name, found.host.status) == \
        ("InboundMail", "mx1.alpha.test", "verified")
    assert (found.match.group, found.row, found.match.rule, found.match.policy) == \
        ("PARTNERS", 0, ".alpha.test", "REQ")
    assert (
        found.tls_mode is TLSMode.REQUIRED
        and found.tls.require
        and not found.tls.request_client_cert
    )
    assert found.stats_domain == "alpha.test"
    accepted = trace_recipient(config, found, "u@example.com")
    assert (
        accepted.accepted and accepted.entry is not None and accepted.entry.address == "example.com"
    )
    refused = trace_recipient(config, found, "u@elsewhere.test")
    assert not refused.accepted and refused.entry is not None and refused.entry.address == "ALL"


async def test_an_outsider(config: Config) -> None:
    [found] = await trace_inbound(config, "127.0.0.9")
    assert (found.match.group, found.row, found.match.rule) == ("ALL", 1, "ALL")
    assert found.host.name is None and found.tls_mode is TLSMode.PREFERRED
    assert found.stats_domain == "[127.0.0.9]"
    # with no reachable DNS the trace still answers, after the resolver's timeout
    [blind] = await trace_inbound(replace(config, dns=DEAD_DNS), "127.0.0.2")
    assert blind.match.group == "ALL" and blind.host.name is None


async def test_a_destination_with_a_staged_change(config: Config) -> None:
    committed = await trace_outbound(config, "Wrong.Test.", mx_port=2525)
    [plan] = committed.plans
    assert (committed.control, plan.target.host, plan.target.ip, plan.target.port) == \
        ("wrong.test", "mx.wrong.test", "127.0.0.22", 2525)
    assert plan.requirement.starttls and not plan.requirement.encrypt
    entries = tuple(replace(e, tls=TLSMode.REQUIRED_VERIFY) if e.domain == "wrong.test" else e
                    for e in config.destinations.entries)
    staged = replace(config, destinations=replace(config.destinations, entries=entries))
    after = await trace_outbound(staged, "wrong.test")
    [plan] = after.plans
    req = plan.requirement
    assert req.encrypt and req.checks == frozenset({Check.PKIX})
    assert req.pkix_names == ("wrong.test", "mx.wrong.test")
    assert req.decided_by is Mechanism.DESTCONFIG and after.dns_policy == ""


async def test_a_destination_nobody_configured(config: Config) -> None:
    found = await trace_outbound(config, "nowhere.test")
    assert found.control == "DEFAULT" and found.entry.tls is TLSMode.NO
    assert found.resolution is not Kind.TARGETS and found.reason and found.plans == ()
