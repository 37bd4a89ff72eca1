"""TLS-RPT (RFC 8460) without the network: the record, what a session counts as, the
recorder, the schedule with a controlled clock, the report against the RFC's schema, and
the report mail."""

from __future__ import annotations

import email
import gzip
import json
import random
import stat
from email.message import Message
from pathlib import Path

import jsonschema
import pytest

from engine.outbound.dane import DaneResult, TlsaState
from engine.outbound.policy import Outcome
from engine.outbound.precedence import Facts, StsMode, effective
from engine.outbound.tlsrpt import Rua, SessionResult, Where, parse_record, session_result
from engine.outbound.tlsrpt_report import build, filename, gzipped, is_report_mail, mail
from engine.outbound.tlsrpt_store import FILE, ReportStore, Schedule, day_start, utc_day
from engine.outbound.verdict import Session, judge, would_refuse
from state.model import DaneMode, TLSMode, TlsRptSettings
from tests.engine.tlsrpt_schema import SCHEMA

D, MX = "partner.test", "mx.partner.test"
SETTINGS = TlsRptSettings(enabled=True, organization="Example Gateway Ltd",
                          contact="tls-reports@example.com", sender="tlsrpt@example.com")
DAY = "2026-03-04"
NOON = day_start(DAY) + 12 * 3600
WHERE = Where("192.0.2.1", "198.51.100.25", "mx.partner.test")


@pytest.mark.parametrize(
    ("records", "rua"),
    [
        (["v=TLSRPTv1; rua=mailto:reports@partner.test"], Rua(("reports@partner.test",), ())),
        (["v=TLSRPTv1;rua=mailto:a@x.test,https://reports.x.test/v1/tlsrpt"],
         Rua(("a@x.test",), ("https://reports.x.test/v1/tlsrpt",))),
        (["v=TLSRPTv1; rua=mailto:tls%2Drpt@x.test?subject=x"], Rua(("tls-rpt@x.test",), ())),
        (["v=spf1 -all", "v=TLSRPTv1; rua=https://r.test/"], Rua((), ("https://r.test/",))),
        (["v=TLSRPTv1; rua=mailto:a@x.test", "v=TLSRPTv1; rua=mailto:b@x.test"], None),
        (["v=TLSRPTv1; rua=http://insecure.test/"], None),
        (["v=TLSRPTv1; rua=mailto:not-an-address"], None),
        (["v=TLSRPTv2; rua=mailto:a@x.test"], None),
        (["v=TLSRPTv1;"], None),
        ([], None),
    ],
)
def test_record(records: list[str], rua: Rua | None) -> None:
    assert parse_record(records) == rua


def outcome(level: TLSMode, session: Session, **kw: object) -> SessionResult | None:
    req = effective(Facts(D, MX, level, **kw))  # type: ignore[arg-type]
    return session_result(req, judge(req, session), would_refuse(req, session), WHERE,
                          ("mx: mx.partner.test",), ("mx.partner.test",))


GOOD = Session(Outcome.OK, True, "", (MX,), dane=DaneResult(True))
UNTRUSTED = Session(Outcome.OK, False, "self-signed certificate", (MX,))


def test_what_a_session_counts_as() -> None:
    ok = outcome(TLSMode.PREFERRED, GOOD)
    assert ok is not None and ok.success and ok.policy_type == "no-policy-found"
    clear = outcome(TLSMode.PREFERRED, Session(Outcome.NOT_OFFERED))
    assert clear is not None and clear.result_type == "starttls-not-supported"
    enforced = outcome(TLSMode.PREFERRED, UNTRUSTED, sts=StsMode.ENFORCE, sts_mx_matches=True)
    assert enforced is not None and (enforced.policy_type, enforced.result_type) == (
        "sts", "certificate-not-trusted")
    assert enforced.receiving_ip == "198.51.100.25" and enforced.reason
    # Testing mode delivered, and counts what enforce would have refused.
    testing = outcome(TLSMode.PREFERRED, UNTRUSTED, sts=StsMode.TESTING, sts_mx_matches=True)
    assert testing is not None and testing.result_type == "certificate-not-trusted"
    dane = outcome(TLSMode.PREFERRED, GOOD, dane=DaneMode.OPPORTUNISTIC, tlsa=TlsaState.USABLE)
    assert dane is not None and dane.success and dane.policy_type == "tlsa"
    bogus = outcome(TLSMode.PREFERRED, GOOD, dane=DaneMode.OPPORTUNISTIC, tlsa=TlsaState.BOGUS)
    assert bogus is not None and bogus.result_type == "dnssec-invalid"
    mandatory = outcome(TLSMode.PREFERRED, GOOD, dane=DaneMode.MANDATORY,
                        tlsa=TlsaState.NO_RECORDS)
    assert mandatory is not None and mandatory.result_type == "dane-required"


def test_what_is_never_counted() -> None:
    assert outcome(TLSMode.PREFERRED, GOOD, tls_report=True) is None  # a report of ours
    assert outcome(TLSMode.PREFERRED, GOOD, dane=DaneMode.OPPORTUNISTIC,
                   tlsa=TlsaState.FAILED) is None  # DNS failed: not a TLS failure
    assert outcome(TLSMode.NO, Session(Outcome.NOT_OFFERED)) is None  # TLS off


def test_the_recorder_counts_per_kind(tmp_path: Path) -> None:
    store = ReportStore(tmp_path / FILE)
    fail = SessionResult(D, "sts", ("version: STSv1",), ("mx.partner.test",),
                         "certificate-expired", "192.0.2.1", MX, "", "198.51.100.25", "expired")
    ok = SessionResult(D, "sts", ("version: STSv1",), ("mx.partner.test",))
    for result in (fail, fail, ok, ok, ok):
        store.record(result, NOON)
    store.record(ok, NOON + 86400)
    assert store.days() == [DAY, "2026-03-05"]
    assert sorted((c.result.result_type, c.count) for c in store.sessions(DAY, D)) == [
        ("", 3), ("certificate-expired", 2)]
    assert stat.S_IMODE((tmp_path / FILE).stat().st_mode) == 0o600
    store.close()
    again = ReportStore(tmp_path / FILE)  # durable
    assert len(again.sessions(DAY, D)) == 2


def test_the_schedule_is_one_random_minute_of_the_next_day(tmp_path: Path) -> None:
    store = ReportStore(tmp_path / FILE)
    store.record(SessionResult(D, "no-policy-found"), NOON)
    schedule = Schedule(store, random.Random(7))
    assert schedule.due(NOON) == []
    due = store.due_at(DAY, random.Random(99))  # drawn once and kept
    midnight = day_start(DAY) + 86400
    assert midnight < due < midnight + 4 * 3600 and due % 60 == midnight % 60
    assert schedule.due(due - 1) == [] and schedule.due(due) == [DAY]
    restarted = Schedule(ReportStore(tmp_path / FILE), random.Random(1))
    assert restarted.due(due) == [DAY]
    others = {ReportStore(tmp_path / f"{i}.db").due_at(DAY, random.Random(i)) for i in range(20)}
    assert len(others) > 5  # spread over the hours, not all at one minute


def counted_day(tmp_path: Path) -> ReportStore:
    store = ReportStore(tmp_path / FILE)
    sts = (("version: STSv1", "mode: enforce", "mx: mx.partner.test", "max_age: 86400"),
           ("mx.partner.test",))
    rows = [
        (SessionResult(D, "sts", *sts), 40),
        (SessionResult(D, "sts", *sts, "certificate-host-mismatch", "192.0.2.1", MX,
                       "mx.partner.test", "198.51.100.25", "names do not match"), 3),
        (SessionResult(D, "sts", *sts, "starttls-not-supported", "192.0.2.1", MX, "",
                       "198.51.100.26"), 1),
        (SessionResult(D, "tlsa", ("3 1 1 aabb",), (), ""), 5),
        (SessionResult(D, "no-policy-found"), 2),
    ]
    for result, times in rows:
        for _ in range(times):
            store.record(result, NOON)
    return store


def test_the_report_has_every_required_field(tmp_path: Path) -> None:
    store = counted_day(tmp_path)
    report = build(SETTINGS, "mail.example.com", D, DAY, store.sessions(DAY, D))
    jsonschema.validate(report, SCHEMA)
    assert report["date-range"] == {"start-datetime": "2026-03-04T00:00:00Z",
                                    "end-datetime": "2026-03-04T23:59:59Z"}
    assert report["organization-name"] == "Example Gateway Ltd"
    assert report["contact-info"] == "tls-reports@example.com"
    by_type = {p["policy"]["policy-type"]: p for p in report["policies"]}
    sts = by_type["sts"]
    assert sts["policy"]["mx-host"] == ["mx.partner.test"]
    assert sts["summary"] == {"total-successful-session-count": 40,
                              "total-failure-session-count": 4}
    kinds = {f["result-type"]: f["failed-session-count"] for f in sts["failure-details"]}
    assert kinds == {"certificate-host-mismatch": 3, "starttls-not-supported": 1}
    assert by_type["tlsa"]["summary"]["total-successful-session-count"] == 5
    assert "failure-details" not in by_type["no-policy-found"]
    assert json.loads(gzip.decompress(gzipped(report))) == report


def test_the_schema_catches_a_missing_field(tmp_path: Path) -> None:
    report = build(SETTINGS, "mail.example.com", D, DAY, counted_day(tmp_path).sessions(DAY, D))
    del report["policies"][0]["summary"]["total-failure-session-count"]
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(report, SCHEMA)


def attachment_of(message: Message) -> Message:
    parts = [p for p in message.walk() if p.get_content_type() == "application/tlsrpt+gzip"]
    assert len(parts) == 1
    return parts[0]


def test_the_report_mail(tmp_path: Path) -> None:
    report = build(SETTINGS, "mail.example.com", D, DAY, counted_day(tmp_path).sessions(DAY, D))
    raw = mail(SETTINGS, "mail.example.com", D, DAY, gzipped(report), ["r@partner.test"], NOON)
    message = email.message_from_bytes(raw)
    assert message.get_content_type() == "multipart/report"
    assert message.get_param("report-type") == "tlsrpt"
    assert message["TLS-Report-Domain"] == D
    assert message["TLS-Report-Submitter"] == "mail.example.com"
    unfolded = str(message["Subject"]).replace("\r", "").replace("\n", "")
    assert unfolded == (f"Report Domain: {D} Submitter: mail.example.com "
                                  f"Report-ID: <{report['report-id']}>")
    assert message["From"] == "tlsrpt@example.com"
    part = attachment_of(message)
    assert part["Content-Transfer-Encoding"] == "base64"
    assert part.get_filename() == filename("mail.example.com", D, DAY)
    assert part.get_filename() == "mail.example.com!partner.test!1772582400!1772668799.json.gz"
    body = part.get_payload(decode=True)
    assert isinstance(body, bytes) and json.loads(gzip.decompress(body)) == report
    assert is_report_mail(raw.replace(b"\n", b"\r\n")) and is_report_mail(raw)
    assert not is_report_mail(b"Subject: TLS-Report-Domain: x\r\n\r\nreport-type=\"tlsrpt\"\r\n")


def test_utc_days() -> None:
    assert utc_day(day_start(DAY)) == DAY and utc_day(day_start(DAY) - 1) == "2026-03-03"
