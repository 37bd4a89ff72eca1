"""MTA-STS policies fetched from a real HTTPS server (a test CA's certificate) found through
the signed test DNS, and the durable cache of RFC 8461 §5.1 around it."""

from __future__ import annotations

import stat
from collections.abc import Iterator
from pathlib import Path

import pytest

from engine.outbound.dnssec import SecureLookups
from engine.outbound.mtasts import FETCH, INVALID, WEBPKI, FetchOptions, https_context
from engine.outbound.mtasts_cache import FILE, RETRY_AFTER, PolicyStore, StsAnswer, StsCache
from engine.outbound.precedence import StsMode
from engine.outbound.resolver import Resolver
from state.model import Authorities, CustomCA, DnsSettings
from tests.engine.dane_kit import APEX, Pki, dane_zones
from tests.engine.outbound_kit import FakeClock
from tests.kit import dnssec
from tests.kit.certs import chain_context, issue
from tests.kit.dnssec import SignedDns, Zone
from tests.kit.httpsserver import HttpsServer, Reply

pytestmark = pytest.mark.skipif(not dnssec.available(), reason="nsd, unbound, ldnsutils needed")

pki = Pki()
DOMAIN = f"sts.{APEX}"
HOST = f"mta-sts.{DOMAIN}"
POLICY = b"version: STSv1\nmode: enforce\nmx: mx-sts.dane.test\nmax_age: 86400\n"
TRUST = Authorities(system_enabled=False, custom=(CustomCA(name="test", pem=pki.root.pem),))


def sts_zones(ident: str) -> list[Zone]:
    extra = (("_mta-sts.sts", "TXT", f'"v=STSv1; id={ident}"'), ("mta-sts.sts", "A", "127.0.0.1"),
             ("mta-sts.nopolicy", "A", "127.0.0.1"))
    return dane_zones(pki, extra)


@pytest.fixture(scope="module")
def signed() -> Iterator[SignedDns]:
    with SignedDns(sts_zones("one")) as server:
        yield server


@pytest.fixture
def web() -> Iterator[HttpsServer]:
    leaf = issue(HOST, (HOST, f"mta-sts.nopolicy.{APEX}"), issuer=pki.issuing)
    with HttpsServer(chain_context(leaf, pki.issuing)) as server:
        server.replies[HOST] = Reply(POLICY)
        yield server


def cache(signed: SignedDns, web: HttpsServer, path: Path, clock: FakeClock | None = None,
          **options: float) -> StsCache:
    settings = DnsSettings(servers=("127.0.0.1",), port=signed.port, timeout=2.0)
    resolver = Resolver(settings)
    return StsCache(
        PolicyStore(path / FILE), SecureLookups(settings), resolver.addresses,
        https_context(TRUST), clock or FakeClock(),
        FetchOptions(port=web.port, timeout=options.get("timeout", 5.0)),
    )


async def test_fetched_then_cached_then_survives_a_restart(
    signed: SignedDns, web: HttpsServer, tmp_path: Path
) -> None:
    first = await cache(signed, web, tmp_path).policy_for(DOMAIN)
    assert first.source == "fetched" and first.policy_id == "one"
    assert first.policy is not None and first.policy.mode is StsMode.ENFORCE
    assert web.requests == [(HOST, "/.well-known/mta-sts.txt")]
    again = await cache(signed, web, tmp_path).policy_for(DOMAIN)  # a new process, same file
    assert again.source == "cache" and again.policy == first.policy
    assert len(web.requests) == 1
    assert stat.S_IMODE((tmp_path / FILE).stat().st_mode) == 0o600


async def test_id_change_refreshes(signed: SignedDns, web: HttpsServer, tmp_path: Path) -> None:
    await cache(signed, web, tmp_path).policy_for(DOMAIN)
    web.replies[HOST] = Reply(POLICY.replace(b"enforce", b"testing"))
    with SignedDns(sts_zones("two")) as changed:
        answer = await cache(changed, web, tmp_path).policy_for(DOMAIN)
    assert answer.source == "fetched" and answer.policy_id == "two"
    assert answer.policy is not None and answer.policy.mode is StsMode.TESTING
    assert len(web.requests) == 2


async def test_a_failed_fetch_keeps_the_cached_policy(
    signed: SignedDns, web: HttpsServer, tmp_path: Path
) -> None:
    clock = FakeClock()
    await cache(signed, web, tmp_path, clock).policy_for(DOMAIN)
    web.replies[HOST] = Reply(b"oops", 500)
    with SignedDns(sts_zones("two")) as changed:
        sts = cache(changed, web, tmp_path, clock)
        kept = await sts.policy_for(DOMAIN)
        assert kept.source == "cache" and kept.policy_id == "one"
        assert kept.result_type == FETCH and "HTTP status 500" in kept.error
        assert len(web.requests) == 2
        again = await sts.policy_for(DOMAIN)  # failed just now: not asked again at once
        assert again.source == "cache" and len(web.requests) == 2
        clock.t += RETRY_AFTER
        await sts.policy_for(DOMAIN)
        assert len(web.requests) == 3
        stored = sts.store.get(DOMAIN)
        assert stored is not None and "HTTP status 500" in stored.last_error
        clock.t += 86400  # the cached policy has expired: nothing applies any more
        gone = await sts.policy_for(DOMAIN)
        assert gone.policy is None and gone.source == "none"


async def test_no_txt_record_keeps_a_valid_cached_policy(
    signed: SignedDns, web: HttpsServer, tmp_path: Path
) -> None:
    clock = FakeClock()
    await cache(signed, web, tmp_path, clock).policy_for(DOMAIN)
    with SignedDns(dane_zones(pki)) as without:  # the TXT record is gone (or blocked)
        answer = await cache(without, web, tmp_path, clock).policy_for(DOMAIN)
    assert answer.source == "cache" and answer.policy is not None
    assert len(web.requests) == 1


async def test_refresh_now_and_due_for_refresh(
    signed: SignedDns, web: HttpsServer, tmp_path: Path
) -> None:
    clock = FakeClock()
    sts = cache(signed, web, tmp_path, clock)
    await sts.policy_for(DOMAIN)
    assert sts.store.due(clock.now()) == []
    clock.t += 86400 / 2
    assert sts.store.due(clock.now()) == [DOMAIN]
    refreshed = await sts.refresh(DOMAIN)
    assert refreshed.source == "fetched" and len(web.requests) == 2
    assert sts.store.due(clock.now()) == []


@pytest.mark.parametrize(
    ("reply", "rtype", "words"),
    [
        (Reply(b"", 301, headers={"Location": "https://elsewhere.test/"}), FETCH, "redirect"),
        (Reply(b"not found", 404), FETCH, "HTTP status 404"),
        (Reply(POLICY, content_type="text/html"), FETCH, "text/html"),
        (Reply(POLICY + b"#" * 70000), FETCH, "larger than"),
        (Reply(b"<html>no policy here</html>"), INVALID, "invalid MTA-STS policy"),
        (Reply(POLICY.replace(b"STSv1", b"STSv2")), INVALID, "version"),
    ],
)
async def test_fetch_failures(
    signed: SignedDns, web: HttpsServer, tmp_path: Path, reply: Reply, rtype: str, words: str
) -> None:
    web.replies[HOST] = reply
    answer = await cache(signed, web, tmp_path).policy_for(DOMAIN)
    assert answer == StsAnswer(None, "none", "", answer.error, rtype)
    assert words in answer.error


async def test_a_server_that_does_not_answer_in_time(
    signed: SignedDns, web: HttpsServer, tmp_path: Path
) -> None:
    web.release.clear()
    answer = await cache(signed, web, tmp_path, timeout=0.3).policy_for(DOMAIN)
    web.release.set()
    assert answer.result_type == FETCH and "timeout" in answer.error


@pytest.mark.parametrize("wrong", ["other CA", "other name"])
async def test_a_certificate_that_does_not_verify(
    signed: SignedDns, tmp_path: Path, wrong: str
) -> None:
    if wrong == "other CA":
        context = chain_context(issue(HOST, (HOST,), issuer=pki.other_root))
    else:
        context = chain_context(issue("www.dane.test", ("www.dane.test",), issuer=pki.issuing),
                                 pki.issuing)
    with HttpsServer(context) as web:
        web.replies[HOST] = Reply(POLICY)
        answer = await cache(signed, web, tmp_path).policy_for(DOMAIN)
    assert answer.policy is None and answer.result_type == WEBPKI, answer.error
    assert HOST in answer.error


async def test_no_address_and_no_record(
    signed: SignedDns, web: HttpsServer, tmp_path: Path
) -> None:
    sts = cache(signed, web, tmp_path)
    assert (await sts.policy_for(f"nopolicy.{APEX}")) == StsAnswer(None, "none")  # no TXT
    assert web.requests == []
