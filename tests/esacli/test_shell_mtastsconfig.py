"""mtastsconfig transcripts: the cached MTA-STS policies and a fetch now, against real
servers on loopback (the signed zones and the HTTPS server of
tests/engine/dnspolicy_world.py): a policy fetched, listed with its mode, MX patterns and
expiry; a failed fetch that keeps the cached policy and shows the error; a domain with
no policy host; bad input; Ctrl-C."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest

from engine.outbound.mtasts_cache import FILE, PolicyStore
from esacli.commands.dnspolicy import ports
from state.model import DnsSettings, replace
from tests.engine.dnspolicy_world import BY_LABEL, TRUST, sts_host, web_server, zones
from tests.kit import dnssec
from tests.kit.dnssec import SignedDns
from tests.kit.httpsserver import HttpsServer, Reply
from tests.kit.shell import LocalAppliance, run_shell, transcript

pytestmark = pytest.mark.skipif(not dnssec.available(), reason="nsd, unbound, ldnsutils needed")

STS = BY_LABEL["e2e-sts"]
WHEN = re.compile(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d")
T = "YYYY-MM-DD hh:mm:ss"  # a time, as wide as one


@pytest.fixture(scope="module")
def web() -> Iterator[HttpsServer]:
    with web_server() as server:
        yield server


@pytest.fixture(scope="module")
def signed(web: HttpsServer) -> Iterator[SignedDns]:
    with SignedDns(zones(web.port)) as server:
        yield server


def resolving_with(appliance: LocalAppliance, signed: SignedDns, web: HttpsServer,
                   monkeypatch: pytest.MonkeyPatch) -> LocalAppliance:
    """`appliance` with the test resolver and CA committed, its policy fetches sent to `web`."""
    monkeypatch.setattr(ports, "POLICY_PORT", web.port)
    head = appliance.store.head_number()
    config = appliance.store.load(head)
    dns = DnsSettings(servers=("127.0.0.1",), port=signed.port, timeout=2.0)
    appliance.store.write(replace(config, dns=dns, authorities=TRUST), head, "admin", "test",
                          "the test resolver and CA")
    return appliance


@pytest.fixture
def committed(appliance: LocalAppliance, signed: SignedDns, web: HttpsServer,
              monkeypatch: pytest.MonkeyPatch) -> LocalAppliance:
    return resolving_with(appliance, signed, web, monkeypatch)


async def test_fetch_now_list_then_a_failed_fetch_keeps_the_policy(
        committed: LocalAppliance, web: HttpsServer) -> None:
    lines = ["mtastsconfig", "list", "refresh", "bad..domain", "E2E-STS.dane.test", "list", "",
             "exit"]
    screen = WHEN.sub(T, await run_shell(committed.session(), lines))
    assert transcript("""
        mail.example.com> mtastsconfig

        There are currently 0 MTA-STS policies cached.

        Choose the operation you want to perform:
        - LIST - Display the cached MTA-STS policies.
        - REFRESH - Fetch a domain's MTA-STS policy now.
        []> list

        No MTA-STS policy has been cached.
        """) in screen
    assert transcript("""
        []> refresh

        Enter the domain whose MTA-STS policy to fetch now.
        []> bad..domain

        Invalid domain "bad..domain".

        Enter the domain whose MTA-STS policy to fetch now.
        []> E2E-STS.dane.test

        Fetched the MTA-STS policy of "e2e-sts.dane.test": mode enforce, id 1, max_age 86400.

        There are currently 1 MTA-STS policies cached.
        """) in screen
    assert transcript("""
        []> list

        Domain             Mode     Policy ID  Expires (UTC)        Last fetch
        =================  =======  =========  ===================  ======================
        e2e-sts.dane.test  enforce  1          YYYY-MM-DD hh:mm:ss  OK YYYY-MM-DD hh:mm:ss
            MX: mx.e2e-sts.dane.test
        """) in screen
    saved = web.replies[sts_host(STS)]
    web.replies[sts_host(STS)] = Reply(b"gone", 404)
    try:
        lines = ["mtastsconfig", "refresh", "e2e-sts.dane.test", "refresh", "e2e-ee.dane.test",
                 "list", "", "exit"]
        screen = WHEN.sub(T, await run_shell(committed.session(), lines))
    finally:
        web.replies[sts_host(STS)] = saved
    assert re.search(r'Unable to fetch the MTA-STS policy of "e2e-sts\.dane\.test": .*404.*\n'
                     rf"The cached policy \(mode enforce, id 1\) is kept until {T} UTC\.\n",
                     screen), screen
    assert 'Unable to fetch the MTA-STS policy of "e2e-ee.dane.test": ' in screen
    assert re.search(rf"e2e-sts\.dane\.test +enforce +1 +{T} +failed {T}: .*404", screen), screen
    store = PolicyStore(committed.store.data_dir / FILE)
    try:
        assert [c.domain for c in store.all() if c.policy] == ["e2e-sts.dane.test"]
    finally:
        store.close()


async def test_ctrl_c_at_the_domain_question(committed: LocalAppliance) -> None:
    screen = await run_shell(committed.session(), ["mtastsconfig", "refresh", "\x03", "exit"])
    assert screen.endswith(transcript("""
        Enter the domain whose MTA-STS policy to fetch now.
        []> $

        mail.example.com> exit
        """))
