"""The outbound TLS contract (engine/outbound/policy.py) as a table: remote MX behaviour x level.

Every case is a real delivery: dnsmasq answers the MX and A queries, a fake MX on
its own loopback address serves the behaviour, the gateway's DomainDelivery
sends one message, and the test checks the outcome (delivered in clear, over
TLS, or deferred), what reached the MX, and the mail_logs line.
"""

from __future__ import annotations

import ssl
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import trustme

from engine.outbound.client import Job
from state.model import TLSMode
from tests.engine.outbound_kit import deliver_jobs, outbound_config
from tests.kit.certs import expired_context, make_ca, self_signed_context, server_context
from tests.kit.dnsserver import DnsServer
from tests.kit.fakemx import Behaviour, FakeMX
from tests.kit.ports import reserve

CA = make_ca()  # one CA for the module: the table is built at import time

# behaviour name -> (loopback IP, how to build the fake MX's behaviour)
BEHAVIOURS: dict[str, tuple[str, Callable[[], Behaviour]]] = {
    "no-starttls": ("127.0.0.11", lambda: Behaviour(starttls=False)),
    "refused-454": ("127.0.0.12", lambda: Behaviour(starttls_reply="454 4.7.0 TLS not available")),
    "broken-after-220": ("127.0.0.13", lambda: Behaviour(break_handshake=True)),
    "self-signed": (
        "127.0.0.14",
        lambda: Behaviour(context=self_signed_context("mx.self-signed.test")),
    ),
    "wrong-name": (
        "127.0.0.15",
        lambda: Behaviour(context=server_context(CA, "mx.elsewhere.test")),
    ),
    "expired": ("127.0.0.16", lambda: Behaviour(context=expired_context(CA, "mx.expired.test"))),
    "valid": ("127.0.0.17", lambda: Behaviour(context=server_context(CA, "mx.valid.test"))),
    "wildcard": ("127.0.0.18", lambda: Behaviour(context=server_context(CA, "*.wildcard.test"))),
}

CLEAR, TLS, DEFER = "clear", "tls", "deferred"
LEVELS = [TLSMode.NO, TLSMode.PREFERRED, TLSMode.REQUIRED, TLSMode.PREFERRED_VERIFY,
          TLSMode.REQUIRED_VERIFY]
# The contract: behaviour -> outcome per level (No, Preferred, Required, Pref-Verify, Req-Verify)
TABLE: dict[str, tuple[str, str, str, str, str]] = {
    "no-starttls": (CLEAR, CLEAR, DEFER, CLEAR, DEFER),
    "refused-454": (CLEAR, CLEAR, DEFER, CLEAR, DEFER),
    "broken-after-220": (CLEAR, DEFER, DEFER, DEFER, DEFER),
    "self-signed": (CLEAR, TLS, TLS, TLS, DEFER),
    "wrong-name": (CLEAR, TLS, TLS, TLS, DEFER),
    "expired": (CLEAR, TLS, TLS, TLS, DEFER),
    "valid": (CLEAR, TLS, TLS, TLS, TLS),
    "wildcard": (CLEAR, TLS, TLS, TLS, TLS),
}


MATCHED = {"valid": "mx.valid.test", "wildcard": "*.wildcard.test"}


def expected_log(behaviour: str, level: TLSMode, outcome: str) -> list[str]:
    """The mail_logs lines (after the timestamp), in order, the case must produce."""
    if level is TLSMode.NO:
        return ["New SMTP DCID 1", "Delivery start DCID 1", "Message done DCID 1", "DCID 1 close"]
    verifying = level in (TLSMode.PREFERRED_VERIFY, TLSMode.REQUIRED_VERIFY)
    lines = {
        "no-starttls": ["DCID 1 STARTTLS command not supported."],
        "refused-454": ["DCID 1 TLS failed: 454 4.7.0 TLS not available"],
        "broken-after-220": ["DCID 1 TLS failed: "],
    }.get(behaviour, ["DCID 1 TLS success protocol TLSv1.3 cipher "])
    if verifying and behaviour in ("self-signed", "expired"):
        lines = [
            "DCID 1 TLS failed: "
            + ("self" if behaviour == "self-signed" else "certificate has expired")
        ]
        if outcome == TLS:  # Preferred - Verify: encrypted anyway, on a new connection
            lines += ["New SMTP DCID 2", "DCID 2 TLS success protocol"]
    elif verifying and behaviour == "wrong-name":
        lines.append("DCID 1 TLS certificate not verified: certificate names (mx.elsewhere.test)")
    elif verifying and behaviour in MATCHED:
        lines.append(f"DCID 1 TLS certificate verified: match {MATCHED[behaviour]}")
    if outcome == DEFER and level in (TLSMode.REQUIRED, TLSMode.REQUIRED_VERIFY):
        lines.append("TLS was required but could not be successfully negotiated")
    if outcome == DEFER:
        lines.append("DCID 1 close")  # nothing was sent; the queue logs "Delayed:" (engine tests)
    else:
        lines += ["Delivery start DCID", "Message done DCID", "Response '250 2.0.0 Ok: queued'"]
    return lines


@pytest.fixture(scope="module")
def dns() -> Iterator[DnsServer]:
    hosts = {f"mx.{name}.test": ip for name, (ip, _) in BEHAVIOURS.items()}
    mx = [(f"{name}.test", f"mx.{name}.test", 10) for name in BEHAVIOURS]
    with DnsServer(hosts=hosts, mx=mx) as server:
        yield server


CASES = [(b, level, TABLE[b][i]) for b in TABLE for i, level in enumerate(LEVELS)]


@pytest.mark.parametrize(
    ("behaviour", "level", "outcome"), CASES, ids=[f"{b}-{lv.value}" for b, lv, _ in CASES]
)
async def test_contract(
    behaviour: str, level: TLSMode, outcome: str, dns: DnsServer, tmp_path: Path
) -> None:
    ip, make = BEHAVIOURS[behaviour]
    domain = f"{behaviour}.test"
    config = outbound_config(CA, dns.port, level, domain=domain)
    port = reserve("127.0.0.11")
    async with FakeMX(make(), host=ip, port=port) as mx:
        job = Job(
            7, "sender@gateway.test", [0], [f"user@{domain}"], lambda: b"Subject: t\r\n\r\nhi\r\n"
        )
        results = await deliver_jobs(config, domain, port, tmp_path, [job])
    text = (tmp_path / "mail_logs").read_text()
    assert [r.status for r in results] == ["delivered" if outcome != DEFER else "deferred"]
    if outcome == DEFER:  # the Delayed: line names the connection that failed, not DCID 0
        assert results[0].dcid == 1
    assert [m.tls for m in mx.messages] == ([] if outcome == DEFER else [outcome == TLS])
    position = 0
    for wanted in expected_log(behaviour, level, outcome):
        found = text.find(wanted, position)
        assert found >= 0, f"{wanted!r} not in order in:\n{text}"
        position = found


def test_table_covers_every_level() -> None:
    assert all(len(row) == len(LEVELS) for row in TABLE.values())
    assert ssl.OPENSSL_VERSION
    assert isinstance(CA, trustme.CA)
