"""The TLS outcome store: bounded (raw rows pruned, hours folded into days, days dropped
after the retention), a range's counts the same before and after the roll-ups, survives a
reopen; and a statistics database that fails is logged and never touches mail."""

from __future__ import annotations

import asyncio
import logging
import smtplib
from pathlib import Path

import pytest

from engine.tlsstats import report, store
from engine.tlsstats.events import INBOUND, OUTBOUND, Event, Outcome4
from engine.tlsstats.store import DAY, HOUR, Reader, Writer, path_in
from state.model import TLSMode
from tests.engine import builders
from tests.kit.engine import log_has, running_engine
from tests.kit.waiting import wait_until_async

NOW = 1_800_000_000.0  # a fixed present (a Tuesday, 02:40 UTC)


def ev(when: float, domain: str = "p.test", tls: bool = True, direction: str = OUTBOUND,
       messages: int = 1) -> Event:
    return Event(direction, when, 1, domain, "mx.p.test", "127.0.0.9", TLSMode.PREFERRED,
                 "destination control", True, Outcome4.TLS if tls else Outcome4.CLEAR,
                 version="TLSv1.3" if tls else "", messages_tls=messages if tls else 0,
                 messages_clear=0 if tls else messages)


def write(path: Path, events: list[Event]) -> None:
    writer = Writer(path)
    with writer.transaction() as db:
        writer.write(db, events)
    writer.close()


def connections(data: Path, start: float, end: float) -> int:
    return report.tls_report(Reader(data), OUTBOUND, report.custom(start, end)).total.connections


def test_rollups_keep_the_counts_and_bound_the_file(tmp_path: Path) -> None:
    ages = [1 * HOUR, 30 * HOUR, 3 * DAY, 10 * DAY, 20 * DAY, 40 * DAY]
    write(path_in(tmp_path), [ev(NOW - age - 60) for age in ages])
    before = [connections(tmp_path, NOW - d * DAY, NOW) for d in (1, 2, 7, 30, 60)]
    assert before == [1, 2, 3, 5, 6]
    writer = Writer(path_in(tmp_path))
    writer.maintain(NOW, keep_days=30)
    writer.close()
    reader = Reader(tmp_path)
    raw = reader.query("SELECT COUNT(*) FROM events")[0][0]
    spans = dict(reader.query("SELECT span, COUNT(*) FROM rollup GROUP BY span"))
    assert raw == 2  # only the last 48 hours stay as events
    assert spans == {"hour": 3, "day": 2}  # 40 days ago is past the retention
    # exact where events remain; whole hours and days further back
    assert [connections(tmp_path, NOW - d * DAY, NOW) for d in (1, 2, 7, 30, 60)] == \
        [1, 2, 3, 5, 5]


def test_raw_events_are_capped(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(store, "MAX_RAW", 10)
    write(path_in(tmp_path), [ev(NOW - 2 * HOUR - i) for i in range(15)]
          + [ev(NOW - 60 - i) for i in range(5)])
    writer = Writer(path_in(tmp_path))
    writer.maintain(NOW, keep_days=30)
    writer.close()
    reader = Reader(tmp_path)
    assert reader.query("SELECT COUNT(*) FROM events")[0][0] <= 10
    assert connections(tmp_path, NOW - DAY, NOW + 1) == 20  # nothing counted twice or lost


def test_totals_only_grow_and_directions_stay_apart(tmp_path: Path) -> None:
    write(path_in(tmp_path), [ev(NOW), ev(NOW, tls=False), ev(NOW, direction=INBOUND)])
    writer = Writer(path_in(tmp_path))
    writer.maintain(NOW + 90 * DAY, keep_days=1)  # everything rolled off
    writer.close()
    totals = sorted(Reader(tmp_path).totals())
    assert totals == [("in", 1, "", 1, 1), ("out", 0, "", 1, 1), ("out", 1, "", 1, 1)]


def test_no_store_reads_as_empty(tmp_path: Path) -> None:
    rep = report.tls_report(Reader(tmp_path), OUTBOUND, report.last("day", NOW))
    assert rep.lines == [] and rep.total.connections == 0
    assert not path_in(tmp_path).exists()


async def test_a_broken_statistics_database_never_touches_mail(
    tmp_path: Path, caplog: pytest.LogCaptureFixture,
) -> None:
    path_in(tmp_path).mkdir(parents=True)  # SQLite cannot open a directory
    caplog.set_level(logging.WARNING, logger="engine.tlsstats")
    async with running_engine(tmp_path, builders.config()) as engine:
        port = engine.bound_port("InboundMail")
        assert port is not None
        for _ in range(2):
            await asyncio.to_thread(send, port)
        await wait_until_async(log_has(tmp_path, "MID 2 ready"), timeout=10)
        await wait_until_async(
            lambda: engine.stats is not None and engine.stats.settled, timeout=10
        )
        assert engine.inbound_counts.messages_received == 2
    warnings = [r.getMessage() for r in caplog.records if r.name == "engine.tlsstats"]
    assert len(warnings) == 1  # once a minute at most
    assert warnings[0].startswith("TLS statistics (tlsstats.db): ")
    assert "IsADirectoryError" in warnings[0]


def send(port: int) -> None:
    with smtplib.SMTP("127.0.0.1", port, timeout=10) as client:
        client.sendmail("a@b.test", ["u@example.com"], b"Subject: x\r\n\r\nhi\r\n")
