"""A day's TLS sessions become one report per reporting domain, sent when the controlled
clock reaches the day's random minute: mailed (rua=mailto:) to a local SMTP server and
POSTed (rua=https:) to a local HTTPS endpoint, both found through the signed test DNS,
both valid against RFC 8460's schema. The report mail itself is never reported about."""

from __future__ import annotations

import email
import gzip
import json
import random
from collections.abc import Iterator
from pathlib import Path

import aiosmtplib
import jsonschema
import pytest

from engine.outbound.dnssec import SecureLookups
from engine.outbound.mtasts import https_context
from engine.outbound.policy import Outcome
from engine.outbound.precedence import Facts, StsMode, effective
from engine.outbound.resolver import Resolver
from engine.outbound.tlsrpt import Where, session_result
from engine.outbound.tlsrpt_report import Reporter, is_report_mail
from engine.outbound.tlsrpt_store import FILE, ReportStore, Schedule, day_start
from engine.outbound.verdict import Session, judge, would_refuse
from state.model import Authorities, CustomCA, DnsSettings, TLSMode, TlsRptSettings
from tests.engine.dane_kit import APEX, Pki, dane_zones
from tests.engine.outbound_kit import FakeClock
from tests.engine.tlsrpt_schema import SCHEMA
from tests.kit import dnssec
from tests.kit.certs import chain_context, issue
from tests.kit.dnssec import SignedDns
from tests.kit.fakemx import Behaviour, FakeMX
from tests.kit.httpsserver import HttpsServer

pytestmark = pytest.mark.skipif(not dnssec.available(), reason="nsd, unbound, ldnsutils needed")

pki = Pki()
REPORTS = f"reports.{APEX}"
MAILED, POSTED, SILENT = f"mailed.{APEX}", f"posted.{APEX}", f"silent.{APEX}"
SETTINGS = TlsRptSettings(enabled=True, organization="Example Gateway Ltd",
                          contact="tls-reports@gateway.test", sender="tlsrpt@gateway.test")
TRUST = Authorities(system_enabled=False, custom=(CustomCA(name="test", pem=pki.root.pem),))
DAY = "2026-03-04"
NOON = day_start(DAY) + 12 * 3600


@pytest.fixture(scope="module")
def web() -> Iterator[HttpsServer]:
    with HttpsServer(chain_context(issue(REPORTS, (REPORTS,), issuer=pki.issuing),
                                    pki.issuing)) as server:
        yield server


@pytest.fixture(scope="module")
def signed(web: HttpsServer) -> Iterator[SignedDns]:
    extra = (
        ("_smtp._tls.mailed", "TXT", f'"v=TLSRPTv1; rua=mailto:tlsrpt@{REPORTS}"'),
        ("_smtp._tls.posted", "TXT", f'"v=TLSRPTv1; rua=https://{REPORTS}:{web.port}/v1/tlsrpt"'),
        ("reports", "A", "127.0.0.1"),
    )
    with SignedDns(dane_zones(pki, extra)) as server:
        yield server


def record_day(store: ReportStore, clock: FakeClock) -> None:
    """A day of attempts: MTA-STS enforce to MAILED (one failure), plain TLS to POSTED and
    SILENT, and one of our own report mails (never counted)."""
    where = Where("127.0.0.1", "127.0.0.1", "mx.fake")
    good = Session(Outcome.OK, True, "", (f"mx.{MAILED}",))
    bad = Session(Outcome.OK, False, "certificate has expired", (f"mx.{MAILED}",))
    attempts = [(Facts(MAILED, f"mx.{MAILED}", TLSMode.PREFERRED, sts=StsMode.ENFORCE,
                       sts_mx_matches=True), s) for s in (good, good, bad)]
    attempts += [(Facts(d, f"mx.{d}", TLSMode.PREFERRED), good) for d in (POSTED, SILENT)]
    attempts.append((Facts(MAILED, f"mx.{MAILED}", TLSMode.PREFERRED, tls_report=True), bad))
    for facts, session in attempts:
        req = effective(facts)
        found = session_result(req, judge(req, session), would_refuse(req, session), where,
                               ("version: STSv1", "mode: enforce"), (f"mx.{MAILED}",))
        if found is not None:
            store.record(found, clock.now())
        clock.t += 60


def reporter(signed: SignedDns, store: ReportStore, mailbox: FakeMX) -> Reporter:
    settings = DnsSettings(servers=("127.0.0.1",), port=signed.port, timeout=2.0)

    async def submit(sender: str, recipients: list[str], content: bytes) -> None:
        assert is_report_mail(content)  # what the queue will see: never reported about
        await aiosmtplib.send(content, sender=sender, recipients=recipients,
                              hostname="127.0.0.1", port=mailbox.port, start_tls=False)

    return Reporter(store, Schedule(store, random.Random(12)), SecureLookups(settings),
                    https_context(TRUST), submit, Resolver(settings).addresses)


def report_of(gz: bytes) -> dict[str, object]:
    report = json.loads(gzip.decompress(gz))
    jsonschema.validate(report, SCHEMA)
    return dict(report)


async def test_a_days_reports_reach_the_mailbox_and_the_endpoint(
    signed: SignedDns, web: HttpsServer, tmp_path: Path
) -> None:
    clock = FakeClock()
    clock.t = NOON
    store = ReportStore(tmp_path / FILE)
    record_day(store, clock)
    web.posted.clear()
    async with FakeMX(Behaviour(starttls=False)) as mailbox:
        sender = reporter(signed, store, mailbox)
        assert await sender.send_due(SETTINGS, "gateway.test", clock.now()) == []  # today
        clock.t = day_start(DAY) + 86400 + 5 * 3600  # past any minute it may have drawn
        done = await sender.send_due(SETTINGS, "gateway.test", clock.now())
        assert sorted(d for _, d, _ in done) == [MAILED, POSTED, SILENT]
        assert {d: o for _, d, o in done}[SILENT] == "no rua"
        assert await sender.send_due(SETTINGS, "gateway.test", clock.now()) == []  # once
    assert len(mailbox.messages) == 1
    message = email.message_from_bytes(mailbox.messages[0].data)
    assert mailbox.messages[0].recipients == [f"tlsrpt@{REPORTS}"]
    assert message["TLS-Report-Domain"] == MAILED
    part = next(p for p in message.walk() if p.get_content_type() == "application/tlsrpt+gzip")
    mailed = report_of(part.get_payload(decode=True))  # type: ignore[arg-type]
    policies = mailed["policies"]
    assert isinstance(policies, list) and policies[0]["summary"] == {
        "total-successful-session-count": 2, "total-failure-session-count": 1}
    assert policies[0]["failure-details"][0]["result-type"] == "certificate-expired"
    assert len(web.posted) == 1
    post = web.posted[0]
    assert (post.host, post.path) == (REPORTS, "/v1/tlsrpt")
    assert post.headers["Content-Type"] == "application/tlsrpt+gzip"
    posted = report_of(post.body)
    assert posted["policies"][0]["policy"]["policy-domain"] == POSTED  # type: ignore[index]
    assert store.days() == []  # the day is done


async def test_nothing_is_sent_while_reporting_is_off(
    signed: SignedDns, web: HttpsServer, tmp_path: Path
) -> None:
    clock = FakeClock()
    clock.t = NOON
    store = ReportStore(tmp_path / FILE)
    record_day(store, clock)
    async with FakeMX(Behaviour(starttls=False)) as mailbox:
        sender = reporter(signed, store, mailbox)
        off = TlsRptSettings(enabled=False)
        assert await sender.send_due(off, "gateway.test", NOON + 2 * 86400) == []
    assert mailbox.messages == []


async def test_a_failed_post_is_said(signed: SignedDns, web: HttpsServer, tmp_path: Path) -> None:
    clock = FakeClock()
    clock.t = NOON
    store = ReportStore(tmp_path / FILE)
    record_day(store, clock)
    web.post_status = 503
    try:
        async with FakeMX(Behaviour(starttls=False)) as mailbox:
            done = await reporter(signed, store, mailbox).send_due(
                SETTINGS, "gateway.test", NOON + 2 * 86400)
    finally:
        web.post_status = 200
    outcome = {d: o for _, d, o in done}[POSTED]
    assert "HTTP status 503" in outcome and "failed" in outcome
