"""daneverify transcripts (and tlsverify naming what decides) against real servers on
loopback: the signed zones of tests/engine/dnspolicy_world.py served by NSD behind a
validating Unbound (tests/kit/dnssec), fake MXs presenting real chains over STARTTLS.
DANE-EE and DANE-TA succeed; a TLSA mismatch, an insecure zone, a bogus TLSA answer and a
domain without TLSA say why not."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Iterator

import pytest

from esacli.commands.dnspolicy import ports
from state.model import DaneMode, DnsSettings, replace
from tests.engine.dnspolicy_world import TRUST, Mxs, fake_mxs, zones
from tests.kit import dnssec
from tests.kit.dnssec import SignedDns
from tests.kit.shell import LocalAppliance, run_shell, transcript

pytestmark = pytest.mark.skipif(not dnssec.available(), reason="nsd, unbound, ldnsutils needed")


@pytest.fixture(scope="module")
def signed() -> Iterator[SignedDns]:
    with SignedDns(zones(443)) as server:
        yield server


@pytest.fixture
async def mxs(monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[Mxs]:
    async with fake_mxs(("e2e-ee", "e2e-ta", "e2e-mm", "e2e-plain")) as found:
        monkeypatch.setattr(ports, "MX_PORT", found.port)
        yield found


def commit_dns(appliance: LocalAppliance, signed: SignedDns) -> None:
    """The committed configuration resolves through the validating resolver."""
    head = appliance.store.head_number()
    config = appliance.store.load(head)
    dns = DnsSettings(servers=("127.0.0.1",), port=signed.port, timeout=2.0)
    appliance.store.write(replace(config, dns=dns, authorities=TRUST), head, "admin", "test",
                          "the test resolver")


def stable(screen: str, port: int) -> str:
    screen = screen.replace(f"port {port}.", "port PORT.")
    screen = re.sub(r"protocol TLSv1\.\d, cipher \S+\.", "protocol TLS, cipher C.", screen)
    return re.sub(r"(Matched TLSA record \d \d \d) [0-9a-f]+", r"\1 HASH", screen)


async def test_dane_ee_success_in_the_batch_form(appliance: LocalAppliance, signed: SignedDns,
                                                 mxs: Mxs) -> None:
    commit_dns(appliance, signed)
    screen = await run_shell(appliance.session(), ["daneverify E2E-EE.dane.test.", "exit"])
    assert stable(screen, mxs.port) == transcript("""
        mail.example.com> daneverify E2E-EE.dane.test.

        SECURE MX record(mx.e2e-ee.dane.test) found for e2e-ee.dane.test
        SECURE A record (127.0.0.41) found for MX(mx.e2e-ee.dane.test) in e2e-ee.dane.test
        Connecting to 127.0.0.41 on port PORT.
        Connected to 127.0.0.41 from interface 127.0.0.1.
        SECURE TLSA record found for MX(mx.e2e-ee.dane.test) in e2e-ee.dane.test
        Checking TLS connection.
        TLS connection established: protocol TLS, cipher C.
        Certificate verification successful
        Matched TLSA record 3 1 1 HASH
        TLS connection succeeded e2e-ee.dane.test.
        DANE SUCCESS for e2e-ee.dane.test
        DANE verification completed.

        mail.example.com> exit
        """)


async def test_dane_ta_then_the_failures_interactively(appliance: LocalAppliance,
                                                       signed: SignedDns, mxs: Mxs) -> None:
    commit_dns(appliance, signed)
    lines = ["daneverify", "bad..domain", "e2e-ta.dane.test", "daneverify e2e-mm.dane.test",
             "daneverify e2e-plain.dane.test", "daneverify badtlsa.dane.test",
             "daneverify notlsa.dane.test", "daneverify bogus.dane.test", "daneverify", "",
             "exit"]
    screen = stable(await run_shell(appliance.session(), lines), mxs.port)
    assert transcript("""
        mail.example.com> daneverify

        Enter the domain to verify DANE support for:
        []> bad..domain

        Invalid hostname format: "bad..domain".

        Enter the domain to verify DANE support for:
        []> e2e-ta.dane.test

        SECURE MX record(mx.e2e-ta.dane.test) found for e2e-ta.dane.test
        SECURE A record (127.0.0.42) found for MX(mx.e2e-ta.dane.test) in e2e-ta.dane.test
        Connecting to 127.0.0.42 on port PORT.
        Connected to 127.0.0.42 from interface 127.0.0.1.
        SECURE TLSA record found for MX(mx.e2e-ta.dane.test) in e2e-ta.dane.test
        Checking TLS connection.
        TLS connection established: protocol TLS, cipher C.
        Certificate verification successful
        Matched TLSA record 2 1 1 HASH
        TLS connection succeeded e2e-ta.dane.test.
        DANE SUCCESS for e2e-ta.dane.test
        DANE verification completed.
        """) in screen
    assert transcript("""
        SECURE TLSA record found for MX(mx.e2e-mm.dane.test) in e2e-mm.dane.test
        Checking TLS connection.
        TLS connection established: protocol TLS, cipher C.
        Certificate verification failed: no TLSA record matches the certificate chain
        DANE FAILED for e2e-mm.dane.test
        DANE verification completed.
        """) in screen
    assert transcript("""
        mail.example.com> daneverify e2e-plain.dane.test

        INSECURE MX record(mx.e2e-plain.dane.test) found for e2e-plain.dane.test
        DANE FAILED for e2e-plain.dane.test
        DANE verification completed.
        """) in screen
    assert re.search(r"BOGUS TLSA record for MX\(mx-bad\.dane\.test\) in badtlsa\.dane\.test: .+\n"
                     r"DANE FAILED for badtlsa\.dane\.test\n", screen), screen
    assert "No TLSA record found for MX(mx-none.dane.test) in notlsa.dane.test\n" \
        "DANE FAILED for notlsa.dane.test\n" in screen
    assert re.search(r"MX record lookup for bogus\.dane\.test failed: .*bogus.*\n"
                     r"DANE FAILED for bogus\.dane\.test\n", screen), screen
    assert screen.endswith(transcript("""
        mail.example.com> daneverify

        Enter the domain to verify DANE support for:
        []> $

        mail.example.com> exit
        """))


async def test_usage(appliance: LocalAppliance) -> None:
    screen = await run_shell(appliance.session(), ["daneverify a.test b.test", "exit"])
    assert "daneverify <domain>" in screen


async def test_tlsverify_names_dane_as_what_decides(appliance: LocalAppliance, signed: SignedDns,
                                                    mxs: Mxs) -> None:
    commit_dns(appliance, signed)
    head = appliance.store.head_number()
    config = appliance.store.load(head)
    default = replace(config.destinations.default, dane=DaneMode.OPPORTUNISTIC)
    appliance.store.write(replace(config, destinations=replace(config.destinations,
                                                               default=default)),
                          head, "admin", "test", "DANE opportunistic")
    screen = await run_shell(appliance.session(),
                             ["tlsverify e2e-ee.dane.test", "tlsverify e2e-plain.dane.test",
                              "exit"])
    assert ("TLS policy for mx.e2e-ee.dane.test decided by DANE: TLS required, chain matched"
            " against the TLSA records of mx.e2e-ee.dane.test.\n") in screen
    assert ("TLS policy for mx.e2e-plain.dane.test decided by destination control DEFAULT:"
            " no TLS.\n") in screen  # an unsigned zone: DANE does not apply
