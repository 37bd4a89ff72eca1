"""Delivery under the precedence rule through the real delivery path (the engine's queue
and DomainDelivery), with a DNSSEC-signed zone behind a validating resolver (NSD, Unbound),
an HTTPS server with MTA-STS policies and fake MXs presenting real chains (issue 12).

DANE-EE and DANE-TA deliver; a TLSA mismatch defers; a bogus TLSA answer and a failed TLSA
lookup defer as lookup failures without a connection (never in clear); an insecure zone
falls back to the destination control, or to MTA-STS; Mandatory DANE without TLSA defers,
or bounces where the control says so. MTA-STS enforce refuses an MX outside its patterns
(no connection) and a certificate that does not verify; testing delivers and records what
enforce would have refused; a failed fetch keeps the cached policy and an id change
fetches the new one. mail_logs name what decided each delivery.
"""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest

from engine.outbound.dnspolicy import PLAIN_MESSAGE, Flags
from engine.outbound.dnssec import SecureLookups
from engine.outbound.mtasts import FetchOptions, https_context
from engine.outbound.mtasts_cache import RETRY_AFTER, PolicyStore, StsCache
from engine.outbound.resolver import Resolver
from engine.outbound.tlsrpt_store import utc_day
from engine.outbound.tlsverify import tlsverify
from engine.queue.manager import QueueOptions
from engine.service import Engine
from state.model import (
    DaneMode,
    DestinationEntry,
    TlsFailure,
    TLSMode,
    TlsRptSettings,
    replace,
)
from state.secrets import Secrets
from tests.engine.dnspolicy_world import (
    BY_LABEL,
    TRUST,
    Mxs,
    fake_mxs,
    gateway,
    policy_text,
    sts_host,
    web_server,
    zones,
)
from tests.engine.outbound_kit import FakeClock
from tests.kit import dnssec
from tests.kit.dnssec import SignedDns
from tests.kit.engine import read_mail_logs, running_engine
from tests.kit.httpsserver import HttpsServer, Reply
from tests.kit.waiting import wait_until_async

pytestmark = pytest.mark.skipif(not dnssec.available(), reason="nsd, unbound, ldnsutils needed")

SENDER = "a@e2e-ta.dane.test"  # bounces go back over DANE-TA
BODY = b"Subject: dns policy\r\n\r\nhello\r\n"


@pytest.fixture(scope="module")
def web() -> Iterator[HttpsServer]:
    with web_server() as server:
        yield server


@pytest.fixture(scope="module")
def signed(web: HttpsServer) -> Iterator[SignedDns]:
    with SignedDns(zones(web.port)) as server:
        yield server


def options(mxs: Mxs, web: HttpsServer, clock: FakeClock) -> QueueOptions:
    return QueueOptions(mx_port=mxs.port, clock=clock, poll_interval=0.02, https_port=web.port)


async def spool(engine: Engine, rcpt: str, flags: Flags = PLAIN_MESSAGE,
                body: bytes = BODY, sender: str = SENDER) -> int:
    assert engine._counters is not None and engine.queue is not None
    mid = engine._counters.next_mid()
    await engine.spool.store(mid, 1, "InboundMail", sender, [rcpt], body,
                             engine.queue.clock.now(), flags)
    engine.queue.wake()
    return mid


def ended(data: Path, mid: int) -> str | None:
    """How MID `mid` fared in its first attempt: its Delayed:/Bounced: line, or "done"."""
    log = read_mail_logs(data)
    for line in log.splitlines():
        if re.search(rf"(Delayed|Bounced): DCID \d+ MID {mid} ", line):
            return line.split(": ", 1)[1]
    return "done" if f"Message finished MID {mid} done" in log else None


async def outcomes(data: Path, mids: dict[str, int]) -> dict[str, str]:
    await wait_until_async(lambda: all(ended(data, m) for m in mids.values()), timeout=20,
                           what="every message's first outcome")
    return {label: ended(data, mid) or "" for label, mid in mids.items()}


DANE_CASES = ("e2e-ee", "e2e-ta", "e2e-mm", "e2e-plain")


async def test_dane(signed: SignedDns, web: HttpsServer, tmp_path: Path) -> None:
    entries = (  # Preferred - Verify: the certificate checked for the log, where DANE does not
        DestinationEntry(domain="e2e-ee.dane.test", tls=TLSMode.PREFERRED_VERIFY),  # decide
        DestinationEntry(domain="e2e-mm.dane.test", tls=TLSMode.PREFERRED_VERIFY),
        DestinationEntry(domain="notlsa.dane.test", dane=DaneMode.MANDATORY),
        DestinationEntry(domain="plain.dane.test", dane=DaneMode.MANDATORY,
                         tls_failure=TlsFailure.BOUNCE),
    )
    async with fake_mxs(DANE_CASES) as mxs, running_engine(
            tmp_path, gateway(signed.port, *entries),
            outbound=options(mxs, web, FakeClock())) as engine:
        rcpts = {label: f"u@{BY_LABEL[label].domain}" for label in DANE_CASES}
        rcpts |= {d: f"u@{d}.dane.test" for d in ("badtlsa", "lame", "notlsa", "plain")}
        mids = {label: await spool(engine, rcpt) for label, rcpt in rcpts.items()}
        got = await outcomes(tmp_path, mids)
        await wait_until_async(lambda: len(mxs["e2e-ta"].messages) == 2, what="the DSN")
    log = read_mail_logs(tmp_path)
    for label in ("e2e-ee", "e2e-ta"):  # DANE-EE (names and dates ignored), DANE-TA
        assert got[label] == "done"
        assert mxs[label].messages[0].tls
        assert f"TLS policy by DANE: TLS required, chain matched against the TLSA records" \
               f" of mx.{label}.dane.test" in log
        assert f"DANE SUCCESS for {label}.dane.test: TLSA " in log
    assert got["e2e-mm"].endswith("4.7.5 - TLS required by DANE ('000', ['no TLSA record"
                                  " matches the certificate chain'])")
    assert "DANE FAILED for e2e-mm.dane.test: no TLSA record matches" in log
    assert not mxs["e2e-mm"].messages
    # No verifying handshake under DANE (it would end the DANE-EE session before the TLSA
    # records judge it), so no reconnect in clear or unverified: one connection each.
    assert (mxs["e2e-ee"].connections, mxs["e2e-mm"].connections) == (1, 1)
    # An insecure zone: its TLSA records do not count; the control (Preferred) decides.
    assert got["e2e-plain"] == "done" and not mxs["e2e-plain"].messages[0].tls
    assert "TLS policy by destination control DEFAULT: TLS preferred" in log
    # Lookup failures: deferred as such, no connection, no TLS-failure line.
    assert "4.4.3 - DNS lookup failure ('000', ['DNSSEC validation of the TLSA records of" \
           " mx-bad.dane.test failed (bogus)" in got["badtlsa"]
    assert "4.4.3 - DNS lookup failure ('000', ['TLSA lookup for mx-lame.dane.test failed" \
           in got["lame"]
    assert "DNS lookup failure for MX mx-lame.dane.test of lame.dane.test" in log
    # Mandatory DANE without TLSA: deferred, or bounced where the control says so.
    assert got["notlsa"].endswith("4.7.5 - TLS required by DANE ('000', ['DANE is mandatory but"
                                  " mx-none.dane.test has no DNSSEC-validated TLSA records'])")
    assert got["plain"].startswith("Bounced: ")
    assert got["plain"].endswith("5.7.5 - TLS required by DANE ('000', ['DANE is mandatory but"
                                 " mx.plain.dane.test has no DNSSEC-validated TLSA records'])")
    dsn = mxs["e2e-ta"].messages[1]
    assert dsn.sender == "" and b"Status: 5.7.5" in dsn.data
    assert mxs.nowhere is not None and mxs.nowhere.connections == 0  # never in clear, nor TLS
    assert "TLS was required but could not" in log  # the mismatch; not the lookup failures
    assert log.count("TLS was required but could not") == 1
    # The TLS statistics know what decided each attempt, and DANE's own verdict.
    with sqlite3.connect(tmp_path / "tlsstats.db") as db:
        rows = db.execute("SELECT domain, mechanism, level, result_type FROM events"
                          " WHERE direction = 'out'").fetchall()
    assert ("e2e-ee.dane.test", "DANE", "require_verify", "") in rows
    assert ("e2e-mm.dane.test", "DANE", "require_verify", "tlsa-invalid") in rows
    assert ("e2e-plain.dane.test", "destination control", "on", "starttls-not-supported") in rows


MTA_STS_CASES = ("e2e-sts", "e2e-stsbad", "e2e-stsout", "e2e-ststest", "e2e-insts")


async def test_mta_sts(signed: SignedDns, web: HttpsServer, tmp_path: Path) -> None:
    clock = FakeClock()
    config = replace(gateway(signed.port), tlsrpt=TlsRptSettings(
        enabled=True, organization="Gateway", contact="tls@gateway.test",
        sender="tlsrpt@gateway.test"))
    async with fake_mxs(MTA_STS_CASES) as mxs, running_engine(
            tmp_path, config, outbound=options(mxs, web, clock)) as engine:
        mids = {label: await spool(engine, f"u@{BY_LABEL[label].domain}")
                for label in MTA_STS_CASES}
        got = await outcomes(tmp_path, mids)
        assert engine.queue is not None
        reports = engine.queue.upkeep.reports
        day = utc_day(clock.now())
        found = {c.result.policy_domain: c for d in reports.domains(day)
                 for c in reports.sessions(day, d)}
    log = read_mail_logs(tmp_path)
    assert got["e2e-sts"] == "done" and mxs["e2e-sts"].messages[0].tls
    assert "TLS policy by MTA-STS: TLS required, certificate verified for" \
           " mx.e2e-sts.dane.test" in log
    assert got["e2e-stsbad"].endswith("4.7.5 - TLS required by MTA-STS ('000', ['unable to get"
                                      " local issuer certificate'])")
    assert not mxs["e2e-stsbad"].messages
    # a handshake that failed closed the socket: our end was noted before (RFC 8460 §4.3)
    assert found["e2e-stsbad.dane.test"].result.sending_ip == "127.0.0.1"
    assert "4.7.5 - TLS required by MTA-STS ('000', ['MTA-STS policy of e2e-stsout.dane.test" \
           " (enforce) does not list MX mx.e2e-stsout.dane.test'])" in got["e2e-stsout"]
    assert mxs["e2e-stsout"].connections == 0
    # Testing: delivered over TLS as before; what enforce would have refused is recorded.
    assert got["e2e-ststest"] == "done" and mxs["e2e-ststest"].messages[0].tls
    assert mxs["e2e-ststest"].connections == 2  # verified for the record, then reconnected
    assert "MTA-STS policy of e2e-ststest.dane.test (testing) would refuse: certificate" in log
    assert found["e2e-ststest.dane.test"].result.result_type == "certificate-not-trusted"
    # An unsigned zone with TLSA records: DANE cannot apply, MTA-STS decides.
    assert got["e2e-insts"] == "done"
    assert re.search(r"DCID (\d+) TLS policy by MTA-STS: .* mx\.e2e-insts\.dane\.test", log)
    assert found["e2e-sts.dane.test"].result.success
    assert found["e2e-stsout.dane.test"].result.result_type == "validation-failure"


async def test_mta_sts_cache_through_delivery(
    signed: SignedDns, web: HttpsServer, tmp_path: Path
) -> None:
    """Fetched once; a failed refresh keeps it (RFC 8461 §5.1); an id change fetches anew."""
    clock, host = FakeClock(), sts_host(BY_LABEL["e2e-sts"])
    rcpt = f"u@{BY_LABEL['e2e-sts'].domain}"
    kept = web.replies[host]
    gets = lambda: sum(1 for h, _ in web.requests if h == host)  # noqa: E731
    async with fake_mxs(("e2e-sts",)) as mxs, running_engine(
            tmp_path, gateway(signed.port), poll_interval=0.02,
            outbound=options(mxs, web, clock)) as engine:
        assert engine.queue is not None
        store = engine.queue.upkeep.sts_store
        before = gets()
        await outcomes(tmp_path, {"first": await spool(engine, rcpt)})
        assert gets() == before + 1
        try:
            web.replies[host] = Reply(b"down for maintenance", 500)
            clock.t += 43300  # past half of max_age: the background round refreshes it
            engine.queue.wake()
            await wait_until_async(lambda: (c := store.get("e2e-sts.dane.test")) is not None
                                   and "HTTP status 500" in c.last_error, what="a failed refresh")
            second = await spool(engine, rcpt)
            assert (await outcomes(tmp_path, {"second": second}))["second"] == "done"
            assert len(mxs["e2e-sts"].messages) == 2  # still under the cached enforce policy
            web.replies[host] = Reply(policy_text("testing", BY_LABEL["e2e-sts"].host))
            with SignedDns(zones(web.port, sts_id="2")) as renewed:
                number = engine.store.write(replace(gateway(renewed.port)),
                                            engine.store.head_number(), "admin", "test",
                                            "new resolver").number
                await wait_until_async(lambda: engine.runtime is not None
                                       and engine.runtime.version == number, what="the commit")
                fetched = gets()
                clock.t += RETRY_AFTER  # past the back-off that followed the failed fetch
                third = await spool(engine, rcpt)
                assert (await outcomes(tmp_path, {"third": third}))["third"] == "done"
        finally:
            web.replies[host] = kept
    assert gets() == fetched + 1
    log = read_mail_logs(tmp_path)
    assert log.count("TLS policy by MTA-STS") == 2  # the first two, enforce
    assert "MTA-STS policy of e2e-sts.dane.test in testing mode" in log  # the new id's policy


async def test_tlsverify_names_what_decides(signed: SignedDns, web: HttpsServer,
                                            tmp_path: Path) -> None:
    config = gateway(signed.port)
    cache = StsCache(PolicyStore(tmp_path / "mta-sts.db"), SecureLookups(config.dns),
                     Resolver(config.dns).addresses, https_context(TRUST), FakeClock(),
                     FetchOptions(port=web.port))
    said: dict[str, str] = {}
    shown: dict[str, list[str]] = {}
    try:
        async with fake_mxs(("e2e-ee", "e2e-sts", "e2e-plain", "e2e-stsout")) as mxs:
            for label in ("e2e-ee", "e2e-sts", "e2e-plain", "e2e-stsout"):
                lines: list[str] = []
                await tlsverify(config, Secrets(tmp_path), BY_LABEL[label].domain,
                                port=mxs.port, emit=lines.append, decided_by=True, sts=cache)
                said[label] = next(line for line in lines if line.startswith("TLS policy for"))
                shown[label] = lines
        # what delivery would not do is not probed, and not called a success
        assert mxs["e2e-stsout"].connections == 0
    finally:
        cache.store.close()
    assert "Not probed: delivery does not connect to mx.e2e-stsout.dane.test." in \
        shown["e2e-stsout"]
    assert "TLS unable to connect to e2e-stsout.dane.test." in shown["e2e-stsout"]
    # the PKIX probe of a DANE-EE MX fails; that is not how delivery checks it
    assert ("Delivery authenticates mx.e2e-ee.dane.test by DANE, not by this check:"
            " daneverify e2e-ee.dane.test tests that.") in shown["e2e-ee"]
    del said["e2e-stsout"]
    assert said == {
        "e2e-ee": "TLS policy for mx.e2e-ee.dane.test decided by DANE: TLS required, chain"
                  " matched against the TLSA records of mx.e2e-ee.dane.test.",
        "e2e-sts": "TLS policy for mx.e2e-sts.dane.test decided by MTA-STS: TLS required,"
                   " certificate verified for mx.e2e-sts.dane.test.",
        "e2e-plain": "TLS policy for mx.e2e-plain.dane.test decided by destination control"
                     " DEFAULT: TLS preferred.",
    }
