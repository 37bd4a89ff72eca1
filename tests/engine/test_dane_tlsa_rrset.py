"""TLSA RRsets holding a malformed record, and replies that cannot be read, against real
servers on loopback: a zone signed by tests/kit/dnssec.py behind its validating Unbound,
and a fake MX presenting a DANE-EE leaf.

    mix.x5.test      MX mx.mix (127.0.5.25)  TLSA 2 1 1 (another key), 3 1 2 of 32 bytes
                                             (the wrong length for SHA-512), 3 1 1 (its key)
    onlybad.x5.test  MX mx.onlybad           TLSA 3 1 2 of 32 bytes, alone
    empty.x5.test    TXT with no string (a reply dnspython cannot read, over UDP)
    big.x5.test      TXT too large for UDP, one of them with no string (the same, over TCP)

A record of the wrong length is unusable and the rest of its RRset counts (RFC 7672
§3.1.3, RFC 6698 §2.1.3); a reply that came but could not be read is a lookup failure
that says so, never a timeout.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from engine.outbound import dane
from engine.outbound.dane import TlsaState
from engine.outbound.dnssec import SecureLookups, Security
from engine.outbound.resolver import Resolver
from engine.queue.manager import QueueOptions
from state.model import (
    Config,
    DaneMode,
    DestinationControls,
    DestinationEntry,
    DnsSettings,
    TlsFailure,
    TLSMode,
)
from tests.engine.dane_kit import Pki, tlsa
from tests.engine.test_dns_policy_delivery import outcomes, spool
from tests.kit import dnssec
from tests.kit.certs import chain_context
from tests.kit.dnssec import SignedDns, Zone
from tests.kit.engine import read_mail_logs, running_engine
from tests.kit.fakemx import Behaviour, FakeMX

pytestmark = pytest.mark.skipif(not dnssec.available(), reason="nsd, unbound, ldnsutils needed")

APEX = "x5.test"
MX_IP = "127.0.5.25"
pki = Pki()
MATCHING = tlsa(3, 1, 1, pki.ee)  # DANE-EE: the fake MX's self-signed, expired leaf
SHORT_SHA512 = "3 1 2 " + "ab" * 32  # 32 bytes: SHA-512 has 64 (dnspython refuses it)
# Past the 1232 bytes asked for over UDP: truncated, asked again over TCP.
BIG = [("big", "TXT", f'"{n:02d}{"x" * 200}"') for n in range(8)] + [("big", "TXT", r"\# 0")]


def records() -> list[tuple[str, str, str]]:
    return [
        ("mix", "MX", f"10 mx.mix.{APEX}."), ("mx.mix", "A", MX_IP),
        ("_25._tcp.mx.mix", "TLSA", tlsa(2, 1, 1, pki.stranger).text()),
        ("_25._tcp.mx.mix", "TLSA", SHORT_SHA512),
        ("_25._tcp.mx.mix", "TLSA", MATCHING.text()),
        ("onlybad", "MX", f"10 mx.onlybad.{APEX}."), ("mx.onlybad", "A", MX_IP),
        ("_25._tcp.mx.onlybad", "TLSA", SHORT_SHA512),
        ("empty", "TXT", r"\# 0"), *BIG,
    ]


@pytest.fixture(scope="module")
def signed() -> Iterator[SignedDns]:
    with SignedDns([Zone(APEX, records())]) as server:
        yield server


def settings(server: SignedDns, timeout: float = 2.0) -> DnsSettings:
    return DnsSettings(servers=("127.0.0.1",), port=server.port, timeout=timeout)


@pytest.mark.parametrize(("domain", "state", "usable"), [
    ("mix", TlsaState.USABLE, 2),  # 2 1 1 and 3 1 1; 3 1 2 kept, unusable
    ("onlybad", TlsaState.UNUSABLE, 0),  # TLS mandatory, unauthenticated (§2.2)
])
async def test_a_record_of_the_wrong_length_is_unusable_and_the_rest_counts(
    signed: SignedDns, domain: str, state: TlsaState, usable: int
) -> None:
    config = Config(hostname="gw.test", dns=settings(signed))
    resolver = Resolver(config.dns)
    found = await resolver.resolve(config, f"{domain}.{APEX}")
    target = found.targets[0]
    result = await dane.tlsa_for(resolver.lookups, target, found.mx_secure and target.secure)
    assert (result.state, len(result.usable)) == (state, usable), result.reason
    assert SHORT_SHA512 in [r.text() for r in result.records]


async def test_mail_goes_over_dane_past_a_malformed_record(
    signed: SignedDns, tmp_path: Path
) -> None:
    default = DestinationEntry(domain="DEFAULT", tls=TLSMode.PREFERRED,
                               dane=DaneMode.OPPORTUNISTIC, tls_failure=TlsFailure.DEFER)
    config = Config(hostname="gateway.test", dns=settings(signed),
                    destinations=DestinationControls(default=default))
    served = Behaviour(context=chain_context(pki.ee))
    async with FakeMX(served, host=MX_IP) as mx, running_engine(
            tmp_path, config, outbound=QueueOptions(mx_port=mx.port, poll_interval=0.02)
    ) as engine:
        got = await outcomes(tmp_path, {"mix": await spool(engine, f"u@mix.{APEX}")})
    log = read_mail_logs(tmp_path)
    assert got == {"mix": "done"}, log
    assert mx.messages[0].tls
    assert f"DANE SUCCESS for mix.{APEX}: TLSA {MATCHING.text()}" in log
    assert "LifetimeTimeout" not in log


@pytest.mark.parametrize("name", ["empty", "big"])  # UDP; truncated, then TCP
async def test_a_reply_that_cannot_be_read_is_not_a_timeout(
    signed: SignedDns, name: str
) -> None:
    answer = await SecureLookups(settings(signed, timeout=1.0)).lookup(f"{name}.{APEX}", "TXT")
    assert answer.security is Security.FAILED
    assert answer.reason == "malformed reply (the list of strings must not be empty)"
