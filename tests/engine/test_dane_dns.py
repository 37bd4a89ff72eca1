"""DANE against real servers on loopback: NSD serving signed zones, Unbound validating them,
and fake MXs presenting real certificate chains over STARTTLS.

What the resolver says about MX and address records (secure, insecure, bogus, failed),
what the TLSA lookup finds behind them, and the DANE check of the chain a server really
sent (read from the live TLS connection, not from a file).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from engine.outbound import dane, smtpconn
from engine.outbound.dane import TlsaState
from engine.outbound.dnssec import SecureLookups, Security, ad_trusted
from engine.outbound.resolver import Kind, Resolver, Target
from engine.outbound.tlsctx import build_contexts
from state.model import Config, DnsSettings
from state.secrets import Secrets
from tests.engine.dane_kit import APEX, NOW, Pki, dane_zones
from tests.kit import dnssec
from tests.kit.certs import Issued, chain_context
from tests.kit.dnssec import SignedDns
from tests.kit.fakemx import Behaviour, FakeMX
from tests.kit.loopback import DEAD_DNS

pytestmark = pytest.mark.skipif(not dnssec.available(), reason="nsd, unbound, ldnsutils needed")

pki = Pki()


@pytest.fixture(scope="module")
def signed() -> Iterator[SignedDns]:
    with SignedDns(dane_zones(pki)) as server:
        yield server


def settings(server: SignedDns) -> DnsSettings:
    return DnsSettings(servers=("127.0.0.1",), port=server.port, timeout=2.0)


async def test_secure_insecure_bogus_and_failed_answers(signed: SignedDns) -> None:
    lookups = SecureLookups(settings(signed))
    assert lookups.trusted
    mx = await lookups.lookup(f"ee.{APEX}", "MX")
    assert (mx.security, mx.exists) == (Security.SECURE, True)
    assert (await lookups.lookup(f"nothing.{APEX}", "A")).security is Security.SECURE
    nx = await lookups.lookup(f"nothing.{APEX}", "A")
    assert nx.nxdomain and not nx.exists
    plain = await lookups.lookup(f"plain.{APEX}", "MX")
    assert (plain.security, plain.exists) == (Security.INSECURE, True)
    bogus = await lookups.lookup(f"bogus.{APEX}", "MX")
    assert bogus.security is Security.BOGUS and "expired" in bogus.reason
    failed = await lookups.lookup(f"_25._tcp.mx-lame.{APEX}", "TLSA")
    assert failed.security is Security.FAILED


async def test_bogus_without_ede_is_found_by_asking_with_checking_disabled(
    signed: SignedDns, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A validator that sends no Extended DNS Errors (older Unbound, BIND before 9.19).
    monkeypatch.setattr(dnssec_module(), "BOGUS_EDE", frozenset())
    bogus = await SecureLookups(settings(signed)).lookup(f"bogus.{APEX}", "MX")
    assert bogus.security is Security.BOGUS
    assert bogus.reason == "answer does not validate"


def dnssec_module() -> object:
    from engine.outbound import dnssec as module

    return module


async def test_ad_bit_is_not_believed_off_loopback(signed: SignedDns) -> None:
    assert not ad_trusted(["192.0.2.53"]) and not ad_trusted(["127.0.0.1", "192.0.2.53"])
    assert ad_trusted(["127.0.0.1", "::1"]) and not ad_trusted([])
    lookups = SecureLookups(settings(signed))
    lookups.trusted = False  # as for a resolver elsewhere on the network
    assert (await lookups.lookup(f"ee.{APEX}", "MX")).security is Security.INSECURE
    bogus = await lookups.lookup(f"bogus.{APEX}", "MX")
    assert bogus.security is Security.FAILED  # an untrusted SERVFAIL proves nothing


async def test_dead_resolver_is_a_lookup_failure() -> None:
    answer = await SecureLookups(DEAD_DNS).lookup(f"ee.{APEX}", "MX")
    assert answer.security is Security.FAILED and answer.reason


async def test_resolution_says_whether_mx_and_addresses_validated(signed: SignedDns) -> None:
    config = Config(hostname="gw.test", dns=settings(signed))
    resolver = Resolver(config.dns, mx_port=2525)
    secure = await resolver.resolve(config, f"ee.{APEX}")
    assert secure.kind is Kind.TARGETS and secure.mx_secure
    assert secure.targets == (Target(f"mx-ee.{APEX}", "127.0.0.1", 2525, 10, True),)
    plain = await resolver.resolve(config, f"plain.{APEX}")
    assert plain.kind is Kind.TARGETS and not plain.mx_secure and not plain.targets[0].secure
    bogus = await resolver.resolve(config, f"bogus.{APEX}")
    assert bogus.kind is Kind.TEMPORARY and "DNSSEC bogus" in bogus.reason
    implicit = await resolver.resolve(config, f"mx-ee.{APEX}")  # no MX: the A record
    assert implicit.kind is Kind.TARGETS and implicit.mx_secure and implicit.targets[0].secure
    missing = await resolver.resolve(config, f"nothing.{APEX}")
    assert missing.kind is Kind.PERMANENT


@pytest.mark.parametrize(
    ("domain", "state"),
    [
        ("ee", TlsaState.USABLE), ("ta", TlsaState.USABLE), ("mismatch", TlsaState.USABLE),
        ("pkix", TlsaState.UNUSABLE), ("notlsa", TlsaState.NO_RECORDS),
        ("lame", TlsaState.FAILED), ("badtlsa", TlsaState.BOGUS), ("plain", TlsaState.INSECURE),
    ],
)
async def test_tlsa_lookup_behind_the_mx(signed: SignedDns, domain: str, state: TlsaState) -> None:
    config = Config(hostname="gw.test", dns=settings(signed))
    resolver = Resolver(config.dns)
    found = await resolver.resolve(config, f"{domain}.{APEX}")
    target = found.targets[0]
    behind = found.mx_secure and target.secure
    result = await dane.lookup_tlsa(resolver.lookups, target.host, behind)
    assert result.state is state, result.reason
    assert result.base == target.host


async def presented_chain(context: object, host: str, data: Path) -> tuple[bytes, ...]:
    """Connect to a fake MX over STARTTLS as delivery does and read the chain it sent."""
    contexts = build_contexts(Config(hostname="gw.test"), Secrets(data))
    async with FakeMX(Behaviour(context=context)) as mx:  # type: ignore[arg-type]
        conn = await smtpconn.connect(Target(host, "127.0.0.1", mx.port), "gw.test")
        try:
            result = await smtpconn.starttls(conn, contexts.plain, False, (host,))
            assert result.outcome is smtpconn.Outcome.OK
            return dane.peer_chain(conn.smtp.info("ssl_object"))
        finally:
            await conn.quit()


@pytest.mark.parametrize(
    ("domain", "served", "ok"),
    [
        ("ee", (pki.ee,), True),
        ("ta", (pki.leaf, pki.issuing), True),
        ("root", (pki.leaf, pki.issuing, pki.root), True),
        ("root", (pki.leaf, pki.issuing), False),  # the anchor must be in the chain
        ("ta", (pki.misnamed, pki.issuing), False),
        ("ta", (pki.foreign, pki.issuing), False),
        ("mismatch", (pki.leaf, pki.issuing), False),
    ],
)
async def test_dane_check_of_a_live_chain(
    signed: SignedDns, domain: str, served: tuple[Issued, ...], ok: bool, tmp_path: Path
) -> None:
    config = Config(hostname="gw.test", dns=settings(signed))
    resolver = Resolver(config.dns)
    found = await resolver.resolve(config, f"{domain}.{APEX}")
    host = found.targets[0].host
    records = (await dane.lookup_tlsa(resolver.lookups, host, True)).usable
    presented = await presented_chain(chain_context(served[0], *served[1:]), host, tmp_path)
    assert presented == tuple(c.der for c in served)
    result = dane.verify(presented, records, (host, f"{domain}.{APEX}"), NOW)
    assert result.ok is ok, result.reason
