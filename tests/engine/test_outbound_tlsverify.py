"""tlsverify against a good and a bad fake MX; names resolved through dnsmasq."""

from __future__ import annotations

from pathlib import Path

import pytest
import trustme

from engine.outbound.tlsverify import tlsverify
from state.model import Route, RouteHost, replace
from state.secrets import Secrets
from tests.engine.outbound_kit import DOMAIN, outbound_config
from tests.kit.certs import self_signed_context, server_context
from tests.kit.dnsserver import DnsServer
from tests.kit.fakemx import Behaviour, FakeMX


async def probe(config, secrets, *args, **kwargs) -> tuple[bool, list[str]]:  # type: ignore[no-untyped-def]
    lines: list[str] = []
    ok = await tlsverify(config, secrets, *args, emit=lines.append, **kwargs)
    return ok, lines


async def test_good_mx_verifies_and_names_the_match(ca: trustme.CA, tmp_path: Path) -> None:
    secrets = Secrets(tmp_path)
    behaviour = Behaviour(context=server_context(ca, "partner.test"))
    async with FakeMX(behaviour, host="127.0.0.2") as mx:
        ok, lines = await probe(outbound_config(ca), secrets, DOMAIN, "127.0.0.2", mx.port)
    assert ok is True, lines
    assert lines[0] == f"Connecting to 127.0.0.2 on port {mx.port}."
    assert lines[1].startswith("Connected to 127.0.0.2 from interface 127.0.0.")
    assert lines[2] == "Checking TLS connection."
    assert lines[3].startswith("TLS connection established: protocol TLSv1.")
    assert lines[4].startswith("Peer certificate subject: ")
    assert lines[5].startswith("Peer certificate issuer: ")
    assert lines[7:] == [
        "Verifying peer certificate.",
        "Verifying certificate subject alternative names partner.test.",
        "TLS certificate match partner.test",
        "TLS certificate verified.",
        "TLS connection to 127.0.0.2 succeeded.",
        "",
        "TLS successfully connected to partner.test.",
        "TLS verification completed.",
    ]


async def test_mx_lookup_route_and_match(ca: trustme.CA, tmp_path: Path) -> None:
    secrets = Secrets(tmp_path)
    behaviour = Behaviour(context=server_context(ca, "mx1.partner.test"))
    with DnsServer(hosts={"mx1.partner.test": "127.0.0.3"}) as dns:
        async with FakeMX(behaviour, host="127.0.0.3") as mx:
            config = outbound_config(ca, dns.port)
            route = Route(domain=DOMAIN, hosts=(RouteHost(host="mx1.partner.test", port=mx.port),))
            ok, lines = await probe(replace(config, routes=(route,)), secrets, DOMAIN)
    assert ok, lines
    assert lines[:2] == [  # the route decides: no MX lookup is claimed
        f"partner.test is routed by SMTP route partner.test to mx1.partner.test:{mx.port}.",
        "Route host mx1.partner.test (127.0.0.3) priority 0.",
    ]
    assert lines[-6:] == [
        "TLS certificate match mx1.partner.test",
        "TLS certificate verified.",
        "TLS connection to 127.0.0.3 succeeded.",
        "",
        "TLS successfully connected to partner.test.",
        "TLS verification completed.",
    ]


async def test_bad_mx_self_signed_fails(ca: trustme.CA, tmp_path: Path) -> None:
    behaviour = Behaviour(context=self_signed_context("mx1.partner.test"))
    async with FakeMX(behaviour) as mx:
        ok, lines = await probe(
            outbound_config(ca), Secrets(tmp_path), DOMAIN, "127.0.0.1", mx.port
        )
    assert ok is False
    assert "Verifying peer certificate." in lines
    assert any(line.startswith("TLS certificate verification failed: self") for line in lines), (
        lines
    )
    assert lines[-3:] == [
        "",
        "TLS unable to connect to partner.test.",
        "TLS verification completed.",
    ]


async def test_wrong_name_is_reported(ca: trustme.CA, tmp_path: Path) -> None:
    behaviour = Behaviour(context=server_context(ca, "other.example"))
    with DnsServer(hosts={"mx1.partner.test": "127.0.0.4"}) as dns:
        async with FakeMX(behaviour, host="127.0.0.4") as mx:
            config = outbound_config(ca, dns.port)
            ok, lines = await probe(config, Secrets(tmp_path), DOMAIN, "mx1.partner.test", mx.port)
    assert ok is False
    assert (
        "TLS certificate does not match partner.test or mx1.partner.test: certificate names"
        " (other.example) match none of partner.test, mx1.partner.test"
    ) in lines


@pytest.mark.parametrize(
    ("behaviour", "expected"),
    [
        (Behaviour(starttls=False), "STARTTLS command not supported"),
        (
            Behaviour(starttls_reply="454 4.7.0 TLS not available"),
            "failed: 454 4.7.0 TLS not available",
        ),
        (Behaviour(break_handshake=True), "TLS connection to 127.0.0.1 failed: "),
    ],
)
async def test_no_tls_fails(
    behaviour: Behaviour, expected: str, ca: trustme.CA, tmp_path: Path
) -> None:
    async with FakeMX(behaviour) as mx:
        ok, lines = await probe(
            outbound_config(ca), Secrets(tmp_path), DOMAIN, "127.0.0.1", mx.port
        )
    assert ok is False
    assert any(expected in line for line in lines), lines
