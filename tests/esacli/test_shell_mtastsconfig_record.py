"""mtastsconfig REFRESH looks the `_mta-sts` TXT record up as delivery does: a domain that
publishes no valid one (here two records, `v=STSv1; id=1` and `v=STSv1; id=2`, which
RFC 8461 §3.1 counts as none) gets no policy fetched or cached, and a policy cached before
is kept as delivery keeps it. Before, REFRESH fetched and cached the policy anyway, and
delivery enforced it for its max_age. Real servers on loopback: the signed zones of
tests/engine/dane_kit.py and an HTTPS policy host (tests/kit/httpsserver.py)."""

from __future__ import annotations

import re
import time
from collections.abc import Iterator

import pytest

from engine.outbound.mtasts import parse_policy
from engine.outbound.mtasts_cache import FILE, PolicyStore
from tests.engine.dane_kit import APEX, dane_zones
from tests.engine.dnspolicy_world import pki, policy_text
from tests.esacli.test_shell_mtastsconfig import resolving_with
from tests.kit import dnssec
from tests.kit.certs import chain_context, issue
from tests.kit.dnssec import SignedDns
from tests.kit.httpsserver import HttpsServer, Reply
from tests.kit.shell import LocalAppliance, run_shell, transcript

pytestmark = pytest.mark.skipif(not dnssec.available(), reason="nsd, unbound, ldnsutils needed")

DOMAIN = f"twoids.{APEX}"
HOST = f"mta-sts.{DOMAIN}"
POLICY = policy_text("enforce", f"mx.{DOMAIN}")
WHEN = re.compile(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d")


@pytest.fixture(scope="module")
def web() -> Iterator[HttpsServer]:
    with HttpsServer(chain_context(issue(HOST, (HOST,), issuer=pki.issuing),
                                   pki.issuing)) as server:
        server.replies[HOST] = Reply(POLICY)  # served: only the TXT records say no
        yield server


@pytest.fixture(scope="module")
def signed() -> Iterator[SignedDns]:
    two = (("_mta-sts.twoids", "TXT", '"v=STSv1; id=1"'),
           ("_mta-sts.twoids", "TXT", '"v=STSv1; id=2"'), ("mta-sts.twoids", "A", "127.0.0.1"))
    with SignedDns(dane_zones(pki, two)) as server:
        yield server


@pytest.fixture
def committed(appliance: LocalAppliance, signed: SignedDns, web: HttpsServer,
              monkeypatch: pytest.MonkeyPatch) -> LocalAppliance:
    return resolving_with(appliance, signed, web, monkeypatch)


def cached(appliance: LocalAppliance) -> list[tuple[str, str]]:
    store = PolicyStore(appliance.store.data_dir / FILE)
    try:
        return [(c.domain, c.policy_id) for c in store.all() if c.policy is not None]
    finally:
        store.close()


async def refresh(appliance: LocalAppliance) -> str:
    lines = ["mtastsconfig", "refresh", DOMAIN, "", "exit"]
    return WHEN.sub("YYYY-MM-DD hh:mm:ss", await run_shell(appliance.session(), lines))


async def test_no_valid_record_fetches_and_caches_nothing(
        committed: LocalAppliance, web: HttpsServer) -> None:
    screen = await refresh(committed)
    assert transcript(f"""
        Enter the domain whose MTA-STS policy to fetch now.
        []> {DOMAIN}

        Unable to fetch the MTA-STS policy of "{DOMAIN}": _mta-sts.{DOMAIN} has no valid MTA-STS record (RFC 8461 §3.1: exactly one TXT record "v=STSv1; id=..."), so there is no policy to fetch
        No MTA-STS policy of "{DOMAIN}" is cached: delivery applies none.

        There are currently 0 MTA-STS policies cached.
        """) in screen, screen  # noqa: E501 (a line of the screen)
    assert cached(committed) == []
    assert (HOST, "/.well-known/mta-sts.txt") not in web.requests


async def test_a_policy_cached_before_is_kept_as_delivery_keeps_it(
        committed: LocalAppliance, web: HttpsServer) -> None:
    store = PolicyStore(committed.store.data_dir / FILE)
    try:  # fetched while the domain published one record, id 1
        store.put(DOMAIN, "1", parse_policy(POLICY.decode()), time.time())
    finally:
        store.close()
    screen = await refresh(committed)
    assert transcript(f"""
        Unable to fetch the MTA-STS policy of "{DOMAIN}": _mta-sts.{DOMAIN} has no valid MTA-STS record (RFC 8461 §3.1: exactly one TXT record "v=STSv1; id=..."), so there is no policy to fetch
        The cached policy (mode enforce, id 1) is kept until YYYY-MM-DD hh:mm:ss UTC.
        """) in screen, screen  # noqa: E501 (a line of the screen)
    assert cached(committed) == [(DOMAIN, "1")]
    assert (HOST, "/.well-known/mta-sts.txt") not in web.requests
