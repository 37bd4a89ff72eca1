"""TLS-RPT (RFC 8460) wired into the engine: a day of real deliveries under DANE and MTA-STS
(a controllable clock) is recorded as it happens; past the random minute of the next UTC
day the queue's background round sends one report per reporting domain: mailed through
the engine's own delivery to a mailbox (rua=mailto:) and POSTed to an HTTPS endpoint
(rua=https:), both valid against RFC 8460's schema; the deliveries of the reports
themselves are never reported about. Real servers on loopback (NSD + Unbound, an HTTPS
server, fake MXs).
"""

from __future__ import annotations

import datetime as dt
import email
import email.message
import gzip
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from engine.outbound.tlsrpt_store import day_start, utc_day
from engine.queue.manager import QueueOptions
from engine.service import Engine
from state.model import DestinationEntry, TlsFailure, TlsRptSettings, replace
from tests.engine.dnspolicy_world import (
    BY_LABEL,
    WEB,
    fake_mxs,
    gateway,
    web_server,
    zones,
)
from tests.engine.outbound_kit import FakeClock
from tests.engine.tlsrpt_schema import SCHEMA
from tests.kit import dnssec
from tests.kit.dnssec import SignedDns
from tests.kit.engine import read_mail_logs, running_engine
from tests.kit.httpsserver import HttpsServer
from tests.kit.waiting import wait_until_async

pytestmark = pytest.mark.skipif(not dnssec.available(), reason="nsd, unbound, ldnsutils needed")

SETTINGS = TlsRptSettings(enabled=True, organization="Example Gateway",
                          contact="tls-reports@gateway.test", sender="tlsrpt@gateway.test")
# 2023-11-14 10:00 UTC, a day's deliveries; then 05:00 the next day, past any drawn minute.
MORNING = dt.datetime(2023, 11, 14, 10, tzinfo=dt.UTC).timestamp()
DAY = utc_day(MORNING)
CASES = ("e2e-ee", "e2e-mm", "e2e-sts", "e2e-ststest")


@pytest.fixture(scope="module")
def web() -> Iterator[HttpsServer]:
    with web_server() as server:
        yield server


@pytest.fixture(scope="module")
def signed(web: HttpsServer) -> Iterator[SignedDns]:
    with SignedDns(zones(web.port)) as server:
        yield server


async def spool(engine: Engine, rcpt: str) -> None:
    assert engine._counters is not None and engine.queue is not None
    mid = engine._counters.next_mid()
    await engine.spool.store(mid, 1, "InboundMail", "a@gateway.test", [rcpt],
                             b"Subject: a day\r\n\r\nhello\r\n", engine.queue.clock.now())
    engine.queue.wake()


def report_of(gz: bytes) -> dict[str, Any]:
    report = json.loads(gzip.decompress(gz))
    jsonschema.validate(report, SCHEMA)
    return dict(report)


def summaries(report: dict[str, Any]) -> dict[str, tuple[int, int, list[str]]]:
    """policy-type -> (successful, failed, result types)."""
    found = {}
    for entry in report["policies"]:
        failures = [d["result-type"] for d in entry.get("failure-details", [])]
        counts = entry["summary"]
        found[entry["policy"]["policy-type"]] = (
            counts["total-successful-session-count"], counts["total-failure-session-count"],
            failures)
    return found


async def test_a_days_deliveries_make_one_report_per_reporting_domain(
    signed: SignedDns, web: HttpsServer, tmp_path: Path
) -> None:
    clock = FakeClock()
    clock.t = MORNING
    web.posted.clear()
    mismatch = DestinationEntry(domain=BY_LABEL["e2e-mm"].domain, tls_failure=TlsFailure.BOUNCE)
    config = replace(gateway(signed.port, mismatch), tlsrpt=SETTINGS)
    async with fake_mxs((*CASES, "reports")) as mxs:
        options = QueueOptions(mxs.port, clock, poll_interval=0.02, https_port=web.port)
        async with running_engine(tmp_path, config, outbound=options) as engine:
            for label in CASES:
                await spool(engine, f"u@{BY_LABEL[label].domain}")
            await wait_until_async(lambda: sum(len(mxs[c].messages) for c in CASES) == 3, 20,
                                   "the day's deliveries (all but the TLSA mismatch)")
            assert engine.queue is not None
            reports = engine.queue.upkeep.reports
            await wait_until_async(lambda: len(reports.domains(DAY)) == 4, what="the sessions")
            clock.t = day_start(DAY) + 86400 + 5 * 3600
            engine.queue.wake()
            await wait_until_async(lambda: len(mxs["reports"].messages) == 2 and web.posted, 20,
                                   "the reports")
            # one domain after another: the last may still be on its way (CI failed on it)
            await wait_until_async(lambda: len(reports.outcomes(DAY)) == 4, 10,
                                   "every domain's outcome")
            reported = reports.outcomes(DAY)
            # The report mails' own deliveries (DANE, to a domain asking for reports too)
            # are never counted: the next day has nothing to report.
            assert reports.domains(utc_day(clock.now())) == []
            clock.t += 86400
            engine.queue.wake()
            await engine.queue.tick()
    assert len(mxs["reports"].messages) == 2 and len(web.posted) == 1
    mailed = {m["TLS-Report-Domain"]: m for m in
              (email.message_from_bytes(r.data) for r in mxs["reports"].messages)}
    assert {r.sender for r in mxs["reports"].messages} == {SETTINGS.sender}
    good, bad = (report_of(_gzip_part(mailed[BY_LABEL[k].domain])) for k in ("e2e-ee", "e2e-mm"))
    assert good["organization-name"] == "Example Gateway"
    assert good["date-range"] == {"start-datetime": "2023-11-14T00:00:00Z",
                                  "end-datetime": "2023-11-14T23:59:59Z"}
    assert summaries(good) == {"tlsa": (1, 0, [])}
    assert summaries(bad) == {"tlsa": (0, 1, ["tlsa-invalid"])}
    post = web.posted[0]
    assert (post.host, post.path) == (WEB, "/tlsrpt")
    assert post.headers["Content-Type"] == "application/tlsrpt+gzip"
    assert summaries(report_of(post.body)) == {"sts": (1, 0, [])}
    # The testing policy's refusal was counted, for a domain asking for no report.
    assert reported == {BY_LABEL["e2e-ee"].domain: "mailed", BY_LABEL["e2e-mm"].domain: "mailed",
                        BY_LABEL["e2e-sts"].domain: "posted",
                        BY_LABEL["e2e-ststest"].domain: "no rua"}
    assert "Bounced:" in read_mail_logs(tmp_path)  # the mismatch, bounced as its control says


def _gzip_part(message: email.message.Message) -> bytes:
    part = next(p for p in message.walk() if p.get_content_type() == "application/tlsrpt+gzip")
    payload = part.get_payload(decode=True)
    assert isinstance(payload, bytes)
    return payload
