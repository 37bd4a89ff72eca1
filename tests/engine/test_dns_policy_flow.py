"""One delivery attempt decided end to end by the new pieces, with real servers on loopback:
the signed DNS and its validating resolver, an HTTPS server with MTA-STS policies, and
fake MXs presenting real chains over STARTTLS. Resolution -> facts -> precedence ->
STARTTLS with the context the requirement needs -> the DANE check -> the verdict.

This is the flow the delivery path will run (the integration task wires it into
client.py); here it shows each case of issue 12: DANE-EE and DANE-TA delivered, a TLSA
mismatch deferred, bogus answers deferred and never in clear, an insecure zone falling
back to the destination control, Mandatory without TLSA deferred, MTA-STS enforce
refusing an MX outside the policy and a wrong certificate, testing delivering and
recording, REQUIRETLS delivered or bounced.
"""

from __future__ import annotations

import datetime as dt
import ssl
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest

from engine.outbound import dnspolicy, smtpconn
from engine.outbound.dane import TlsaLookup, TlsaState
from engine.outbound.destinations import lookup
from engine.outbound.dnspolicy import PLAIN_MESSAGE, Flags
from engine.outbound.dnssec import SecureLookups
from engine.outbound.mtasts import FetchOptions, https_context
from engine.outbound.mtasts_cache import FILE as STS_FILE
from engine.outbound.mtasts_cache import PolicyStore, StsCache
from engine.outbound.policy import Outcome, TlsResult
from engine.outbound.precedence import Action, Facts, Mechanism, Requirement, effective
from engine.outbound.resolver import Kind, Resolver, Target
from engine.outbound.tlsctx import build_contexts
from engine.outbound.tlsrpt import Where, session_result
from engine.outbound.tlsrpt_store import FILE as RPT_FILE
from engine.outbound.tlsrpt_store import ReportStore
from engine.outbound.verdict import Session, Verdict, judge, would_refuse
from state.model import (
    Authorities,
    Config,
    CustomCA,
    DaneMode,
    DestinationControls,
    DestinationEntry,
    DnsSettings,
    TlsFailure,
    TLSMode,
)
from state.secrets import Secrets
from tests.engine.dane_kit import APEX, Pki, dane_zones
from tests.engine.outbound_kit import FakeClock
from tests.kit import dnssec
from tests.kit.certs import Issued, chain_context, issue
from tests.kit.dnssec import SignedDns
from tests.kit.fakemx import Behaviour, FakeMX
from tests.kit.httpsserver import HttpsServer, Reply

pytestmark = pytest.mark.skipif(not dnssec.available(), reason="nsd, unbound, ldnsutils needed")

pki = Pki()
TRUST = Authorities(system_enabled=False, custom=(CustomCA(name="test", pem=pki.root.pem),))
STS_HOSTS = [f"mta-sts.{d}.{APEX}" for d in ("sts", "testing", "outside")]


def policy(mode: str) -> bytes:
    return f"version: STSv1\nmode: {mode}\nmx: mx-sts.{APEX}\nmax_age: 86400\n".encode()


@pytest.fixture(scope="module")
def web() -> Iterator[HttpsServer]:
    leaf = issue(STS_HOSTS[0], tuple(STS_HOSTS), issuer=pki.issuing)
    with HttpsServer(chain_context(leaf, pki.issuing)) as server:
        for host, mode in zip(STS_HOSTS, ("enforce", "testing", "enforce"), strict=True):
            server.replies[host] = Reply(policy(mode))
        yield server


@pytest.fixture(scope="module")
def signed() -> Iterator[SignedDns]:
    extra: list[tuple[str, str, str]] = [("mx-sts", "A", "127.0.0.1"),
                                         ("mx-outside", "A", "127.0.0.1")]
    for label, mx in (("sts", "mx-sts"), ("testing", "mx-sts"), ("outside", "mx-outside")):
        extra += [
            (label, "MX", f"10 {mx}.{APEX}."),
            (f"_mta-sts.{label}", "TXT", '"v=STSv1; id=1"'),
            (f"mta-sts.{label}", "A", "127.0.0.1"),
        ]
    with SignedDns(dane_zones(pki, tuple(extra))) as server:
        yield server


@dataclass
class Attempt:
    req: Requirement
    verdict: Verdict
    would: Verdict | None
    connections: int  # how many connections the MX saw
    session: Session | None


@asynccontextmanager
async def world(signed: SignedDns, web: HttpsServer, tmp_path: Path) -> AsyncIterator[
        tuple[Config, StsCache]]:
    dns = DnsSettings(servers=("127.0.0.1",), port=signed.port, timeout=2.0)
    config = Config(hostname="gateway.test", authorities=TRUST, dns=dns)
    cache = StsCache(PolicyStore(tmp_path / STS_FILE), SecureLookups(dns),
                     Resolver(dns).addresses, https_context(TRUST), FakeClock(),
                     FetchOptions(port=web.port, timeout=5.0))
    yield config, cache
    cache.store.close()


async def attempt(
    config: Config, cache: StsCache, domain: str, entry: DestinationEntry,
    served: tuple[Issued, ...] | None, flags: Flags = PLAIN_MESSAGE,
    tls_extensions: tuple[str, ...] = (),
) -> Attempt:
    context = chain_context(served[0], *served[1:]) if served else None
    behaviour = Behaviour(starttls=context is not None, context=context,
                          tls_extensions=tls_extensions)
    async with FakeMX(behaviour) as mx:
        resolver = Resolver(config.dns, mx_port=mx.port)
        filled = lookup(DestinationControls(entries=(entry,)), domain)
        resolution = await resolver.resolve(config, domain)
        assert resolution.kind is Kind.TARGETS, resolution.reason
        target = resolution.targets[0]
        sts = await dnspolicy.sts_for(filled, resolution, domain, cache)
        facts, tlsa = await dnspolicy.facts_for(filled, domain, resolution, target, sts,
                                                resolver.lookups, flags)
        req = effective(facts)
        if req.refuse is not None:
            return Attempt(req, judge(req, Session(Outcome.OK)), None, mx.connections, None)
        session = await _starttls(config, req, target, tlsa, cache.store.path.parent)
        return Attempt(req, judge(req, session), would_refuse(req, session), mx.connections,
                       session)


async def _starttls(config: Config, req: Requirement, target: Target, tlsa: TlsaLookup,
                    data: Path) -> Session:
    contexts = build_contexts(config, Secrets(data))
    ctx, verifying = dnspolicy.context_for(req, contexts)
    conn = await smtpconn.connect(target, config.hostname)
    try:
        result = (await smtpconn.starttls(conn, ctx, verifying, req.pkix_names)
                  if req.starttls else TlsResult(Outcome.NOT_OFFERED))
        return dnspolicy.session_of(conn, result, req, tlsa, dt.datetime.now(dt.UTC))
    finally:
        await conn.quit()


def dest(domain: str, tls: TLSMode = TLSMode.PREFERRED, **fields: object) -> DestinationEntry:
    return DestinationEntry(domain=domain, tls=tls, **fields)  # type: ignore[arg-type]


OPP = DaneMode.OPPORTUNISTIC
CHAIN = (pki.leaf, pki.issuing)


@pytest.mark.parametrize(
    ("label", "dane", "served", "action", "by", "rtype"),
    [
        ("ee", OPP, (pki.ee,), Action.TLS, Mechanism.DANE, ""),
        ("ta", OPP, CHAIN, Action.TLS, Mechanism.DANE, ""),
        ("root", OPP, (*CHAIN, pki.root), Action.TLS, Mechanism.DANE, ""),
        ("mismatch", OPP, CHAIN, Action.DEFER, Mechanism.DANE, "tlsa-invalid"),
        ("ta", OPP, (pki.misnamed, pki.issuing), Action.DEFER, Mechanism.DANE,
         "certificate-host-mismatch"),
        ("ee", DaneMode.NO, (pki.ee,), Action.TLS, Mechanism.DESTCONFIG, ""),  # DANE off
        ("plain", OPP, None, Action.CLEAR, Mechanism.DESTCONFIG, "starttls-not-supported"),
        ("pkix", OPP, None, Action.DEFER, Mechanism.DANE, "starttls-not-supported"),  # §2.2
    ],
)
async def test_dane(signed: SignedDns, web: HttpsServer, tmp_path: Path, label: str,
                    dane: DaneMode, served: tuple[Issued, ...] | None, action: Action,
                    by: Mechanism, rtype: str) -> None:
    domain = f"{label}.{APEX}"
    async with world(signed, web, tmp_path) as (config, cache):
        got = await attempt(config, cache, domain, dest(domain, dane=dane), served)
    assert (got.verdict.action, got.req.decided_by, got.verdict.result_type) == (
        action,
        by,
        rtype,
    ), got.verdict.reason
    assert got.connections == 1


@pytest.mark.parametrize(
    ("label", "dane", "failure", "action", "rtype"),
    [
        ("badtlsa", OPP, TlsFailure.DEFER, Action.DEFER, "dnssec-invalid"),
        ("badtlsa", OPP, TlsFailure.BOUNCE, Action.DEFER, "dnssec-invalid"),  # DNS: retried
        ("lame", OPP, TlsFailure.DEFER, Action.DEFER, ""),  # a lookup failure, not TLS
        ("notlsa", DaneMode.MANDATORY, TlsFailure.DEFER, Action.DEFER, "dane-required"),
        ("notlsa", DaneMode.MANDATORY, TlsFailure.BOUNCE, Action.BOUNCE, "dane-required"),
        ("plain", DaneMode.MANDATORY, TlsFailure.DEFER, Action.DEFER, "dane-required"),
    ],
)
async def test_dane_refusals_never_connect(
    signed: SignedDns, web: HttpsServer, tmp_path: Path, label: str, dane: DaneMode,
    failure: TlsFailure, action: Action, rtype: str,
) -> None:
    domain = f"{label}.{APEX}"
    async with world(signed, web, tmp_path) as (config, cache):
        got = await attempt(config, cache, domain, dest(domain, dane=dane, tls_failure=failure),
                            (pki.ee,))
    assert (got.verdict.action, got.verdict.result_type) == (action, rtype)
    assert got.connections == 0  # no clear text, no TLS: nothing at all


async def test_a_bogus_mx_is_a_temporary_failure(signed: SignedDns) -> None:
    config = Config(hostname="gateway.test",
                    dns=DnsSettings(servers=("127.0.0.1",), port=signed.port, timeout=2.0))
    found = await Resolver(config.dns).resolve(config, f"bogus.{APEX}")
    assert found.kind is Kind.TEMPORARY and "bogus" in found.reason


@pytest.mark.parametrize(
    ("label", "served", "action", "rtype", "connections"),
    [
        ("sts", CHAIN, Action.TLS, "", 1),
        ("sts", (pki.misnamed, pki.issuing), Action.DEFER, "certificate-host-mismatch", 1),
        ("sts", (pki.foreign,), Action.DEFER, "certificate-not-trusted", 1),
        ("sts", None, Action.DEFER, "starttls-not-supported", 1),
        ("outside", CHAIN, Action.DEFER, "validation-failure", 0),
    ],
)
async def test_mta_sts_enforce(
    signed: SignedDns, web: HttpsServer, tmp_path: Path, label: str,
    served: tuple[Issued, ...] | None, action: Action, rtype: str, connections: int,
) -> None:
    domain = f"{label}.{APEX}"
    async with world(signed, web, tmp_path) as (config, cache):
        got = await attempt(config, cache, domain, dest(domain, mta_sts=True), served)
    assert got.req.decided_by is Mechanism.MTA_STS
    assert (got.verdict.action, got.verdict.result_type, got.connections) == (
        action, rtype, connections), got.verdict.reason


async def test_mta_sts_testing_delivers_and_records(
    signed: SignedDns, web: HttpsServer, tmp_path: Path
) -> None:
    domain = f"testing.{APEX}"
    async with world(signed, web, tmp_path) as (config, cache):
        got = await attempt(config, cache, domain, dest(domain, mta_sts=True),
                            (pki.foreign,))
        answer = await cache.policy_for(domain)
    assert got.verdict.action is Action.TLS  # delivered, encrypted, as before
    assert got.would is not None and got.would.result_type == "certificate-not-trusted"
    assert answer.policy is not None
    store = ReportStore(tmp_path / RPT_FILE)
    found = session_result(got.req, got.verdict, got.would, Where("127.0.0.1", "127.0.0.1"),
                           tuple(answer.policy.lines), answer.policy.mx)
    assert found is not None
    store.record(found, 1_700_000_000.0)
    [row] = store.sessions("2023-11-14", domain)
    assert (row.result.policy_type, row.result.result_type, row.count) == (
        "sts", "certificate-not-trusted", 1)
    assert row.result.mx_patterns == (f"mx-sts.{APEX}",)


async def test_mta_sts_is_off_unless_the_control_says_so(
    signed: SignedDns, web: HttpsServer, tmp_path: Path
) -> None:
    domain = f"outside.{APEX}"
    async with world(signed, web, tmp_path) as (config, cache):
        got = await attempt(config, cache, domain, dest(domain), CHAIN)
    assert got.req.decided_by is Mechanism.DESTCONFIG and got.verdict.action is Action.TLS


@pytest.mark.parametrize(
    ("label", "fields", "extensions", "action", "code", "connections"),
    [
        ("ee", {"dane": OPP}, ("REQUIRETLS",), Action.TLS, "", 1),
        ("ee", {"dane": OPP}, (), Action.BOUNCE, "5.7.30", 1),
        ("sts", {"mta_sts": True}, ("REQUIRETLS",), Action.TLS, "", 1),
        ("ta", {"tls": TLSMode.REQUIRED_VERIFY}, ("REQUIRETLS",), Action.BOUNCE, "5.7.10", 0),
    ],
)
async def test_requiretls(
    signed: SignedDns, web: HttpsServer, tmp_path: Path, label: str, fields: dict[str, object],
    extensions: tuple[str, ...], action: Action, code: str, connections: int,
) -> None:
    domain = f"{label}.{APEX}"
    served = (pki.ee,) if label == "ee" else CHAIN
    entry = dest(domain, **fields)
    async with world(signed, web, tmp_path) as (config, cache):
        got = await attempt(config, cache, domain, entry, served, Flags(requiretls=True),
                            extensions)
    assert (got.verdict.action, got.connections) == (action, connections), got.verdict.reason
    assert got.verdict.reason.startswith(code)


def test_contexts_follow_the_requirement(tmp_path: Path) -> None:
    contexts = build_contexts(Config(hostname="g.test", authorities=TRUST), Secrets(tmp_path))
    dane_only = effective(Facts("d.test", "mx.d.test", TLSMode.PREFERRED, OPP, TlsaState.USABLE))
    assert dnspolicy.context_for(dane_only, contexts) == (contexts.plain, False)
    verify = effective(Facts("d.test", "mx.d.test", TLSMode.REQUIRED_VERIFY))
    ctx, verifying = dnspolicy.context_for(verify, contexts)
    assert ctx is contexts.verify and verifying
    assert isinstance(ctx, ssl.SSLContext)
