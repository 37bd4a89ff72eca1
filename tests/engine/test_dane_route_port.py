"""DANE for an smtproutes host with its own port: its TLSA records are at
`_<port>._tcp.<host>` (RFC 6698 §3, RFC 7672 §3; Postfix uses the next hop's port), while
an MX's stay at `_25._tcp.<mx>` wherever tests connect. Real servers on loopback: a zone
signed by tests/kit/dnssec.py behind its validating Unbound, a fake MX with a DANE-EE leaf.

    mx.ee.x7.test    127.0.5.27  _25._tcp: TLSA 3 1 1 of another key
                                 _<port>._tcp: TLSA 3 1 1 of the fake MX's key
    mx.only.x7.test  127.0.5.27  _<port>._tcp only
    ee.x7.test         MX mx.ee
    portroute.x7.test  route to mx.ee.x7.test:<port>
    onlyroute.x7.test  route to mx.only.x7.test:<port>
    noport.x7.test     route to mx.only.x7.test (port 25: no TLSA there)
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from engine.outbound.daneverify import daneverify
from engine.outbound.dnssec import SecureLookups
from engine.outbound.precedence import Mechanism
from engine.outbound.resolver import Resolver
from engine.queue.manager import QueueOptions
from engine.trace import trace_outbound
from state.model import (
    Config,
    DaneMode,
    DestinationControls,
    DestinationEntry,
    DnsSettings,
    Route,
    RouteHost,
    TlsFailure,
    TLSMode,
)
from state.secrets import Secrets
from tests.engine.dane_kit import Pki, tlsa
from tests.engine.test_dns_policy_delivery import outcomes, spool
from tests.kit import dnssec
from tests.kit.certs import chain_context
from tests.kit.dnssec import SignedDns, Zone
from tests.kit.engine import read_mail_logs, running_engine
from tests.kit.fakemx import Behaviour, FakeMX
from tests.kit.ports import reserve

pytestmark = pytest.mark.skipif(not dnssec.available(), reason="nsd, unbound, ldnsutils needed")

APEX = "x7.test"
MX_IP = "127.0.5.27"
pki = Pki()
MATCHING = tlsa(3, 1, 1, pki.ee)  # the fake MX's self-signed leaf
OTHER = tlsa(3, 1, 1, pki.stranger)


@pytest.fixture(scope="module")
def port() -> int:
    """The routes' port, known before the zone is signed (held until the fake MX binds it)."""
    return reserve(MX_IP)


@pytest.fixture(scope="module")
def signed(port: int) -> Iterator[SignedDns]:
    records = [
        ("ee", "MX", f"10 mx.ee.{APEX}."), ("mx.ee", "A", MX_IP), ("mx.only", "A", MX_IP),
        ("_25._tcp.mx.ee", "TLSA", OTHER.text()),
        (f"_{port}._tcp.mx.ee", "TLSA", MATCHING.text()),
        (f"_{port}._tcp.mx.only", "TLSA", MATCHING.text()),
    ]
    with SignedDns([Zone(APEX, records)]) as server:
        yield server


def gateway(signed: SignedDns, port: int) -> Config:
    default = DestinationEntry(domain="DEFAULT", tls=TLSMode.PREFERRED,
                               dane=DaneMode.OPPORTUNISTIC, tls_failure=TlsFailure.DEFER)
    routes = tuple(Route(domain=f"{name}.{APEX}", hosts=(RouteHost(f"{host}.{APEX}", hop),))
                   for name, host, hop in (("portroute", "mx.ee", port),
                                           ("onlyroute", "mx.only", port),
                                           ("noport", "mx.only", None)))
    return Config(hostname="gateway.test", routes=routes,
                  destinations=DestinationControls(default=default),
                  dns=DnsSettings(servers=("127.0.0.1",), port=signed.port, timeout=2.0))


async def test_each_target_is_known_by_the_port_its_hop_names(
    signed: SignedDns, port: int
) -> None:
    config = gateway(signed, port)
    resolver = Resolver(config.dns, mx_port=2525)  # where tests connect to MX hosts
    found = {name: (await resolver.resolve(config, f"{name}.{APEX}")).targets[0]
             for name in ("portroute", "noport", "ee")}
    assert {name: (t.port, t.service_port) for name, t in found.items()} == {
        "portroute": (port, port), "noport": (2525, 25), "ee": (2525, 25)}


async def test_a_route_with_a_port_takes_the_tlsa_records_of_that_port(
    signed: SignedDns, port: int, tmp_path: Path
) -> None:
    served = Behaviour(context=chain_context(pki.ee))
    async with FakeMX(served, host=MX_IP, port=port) as mx, running_engine(
            tmp_path, gateway(signed, port),
            outbound=QueueOptions(mx_port=port, poll_interval=0.02)) as engine:
        got = await outcomes(tmp_path, {
            "route": await spool(engine, f"u@portroute.{APEX}"),
            "mx": await spool(engine, f"u@ee.{APEX}"),  # by MX: _25._tcp, whatever the port
        })
    log = read_mail_logs(tmp_path)
    assert got["route"] == "done", log
    assert f"DANE SUCCESS for portroute.{APEX}: TLSA {MATCHING.text()}" in log
    assert got["mx"].endswith("4.7.5 - TLS required by DANE ('000', ['no TLSA record matches"
                              " the certificate chain'])")
    assert [m.recipients for m in mx.messages] == [[f"u@portroute.{APEX}"]]


async def test_trace_looks_where_delivery_does(signed: SignedDns, port: int) -> None:
    config = gateway(signed, port)
    decided = {}
    for name in ("onlyroute", "noport"):
        traced = await trace_outbound(config, f"{name}.{APEX}", lookups=SecureLookups(config.dns))
        decided[name] = traced.plans[0].requirement.decided_by
    assert decided == {"onlyroute": Mechanism.DANE, "noport": Mechanism.DESTCONFIG}


async def test_daneverify_checks_the_route_delivery_takes(
    signed: SignedDns, port: int, tmp_path: Path
) -> None:
    """A routed domain has no MX of its own: daneverify goes to the route's host, at the
    route's port and its TLSA records, as delivery does (it said DANE FAILED)."""
    lines: list[str] = []
    served = Behaviour(context=chain_context(pki.ee))
    async with FakeMX(served, host=MX_IP, port=port):
        ok = await daneverify(gateway(signed, port), Secrets(tmp_path), f"portroute.{APEX}",
                              lines.append)
    assert ok, lines
    assert lines[0] == (f"portroute.{APEX} is routed by smtproutes to mx.ee.{APEX}:{port}:"
                        " no MX record is looked up")
    assert f"DANE SUCCESS for portroute.{APEX}" in lines[-2]
