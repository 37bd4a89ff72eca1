"""The rules behind tlsreport's time ranges and reportingconfig (no shell)."""

from __future__ import annotations

import datetime as dt

import pytest

from state import ranges, report_range
from state.defaults import factory_config
from state.edit import reporting
from state.errors import ValueRefused
from state.secrets import Secrets
from state.validate import validate


def test_dates_and_ranges() -> None:
    day = dt.datetime(2026, 12, 1).timestamp()
    assert report_range.parse_date("2026-12-01") == day
    assert report_range.parse_date(" 2026-12-01 ", end=True) == day + 86400
    assert report_range.parse_date("2026-12-01T10:30") == day + 10.5 * 3600
    assert report_range.parse_date("2026-12-01 10:30", end=True) == day + 10.5 * 3600
    assert report_range.parse_custom("2026-12-01", "2026-12-01") == (day, day + 86400)
    fullwidth = "\uff12\uff10\uff12\uff16-12-01"
    for bad in ("2026-13-01", "01/12/2026", "", "2026-12-01 25:00", fullwidth, "٢٠٢٦-12-01"):
        with pytest.raises(ValueRefused):
            report_range.parse_date(bad)
    with pytest.raises(ValueRefused, match="must end after it starts"):
        report_range.parse_custom("2026-12-02T10:00", "2026-12-02T09:00")


def test_reporting_edits_stay_in_range(tmp_path: object) -> None:
    secrets = Secrets(tmp_path)  # type: ignore[arg-type]
    config = factory_config(secrets)
    kept = reporting.with_reporting(config, ranges.TLS_STATS_DAYS.high, False)
    assert (kept.reporting.tls_stats_days, kept.reporting.downgrade_alerts) == (366, False)
    for days in (0, 367):
        with pytest.raises(ValueError):
            reporting.with_reporting(config, days, True)
    web = reporting.with_web(config, True, " 127.0.0.2 ", 8444)
    assert (web.web.enabled, web.web.ip, web.web.port) == (True, "127.0.0.2", 8444)
    assert reporting.with_web(web, False).web == web.web.__class__(
        enabled=False, ip="127.0.0.2", port=8444)
    assert validate(web, secrets) == [] and validate(kept, secrets) == []
    assert reporting.web_ip_refusal("1.2.3") == "Invalid IP address '1.2.3'"
    assert reporting.web_ip_refusal("::1") is None
    for bad_ip, bad_port in (("1.2.3", None), (None, 0), (None, 65536)):
        with pytest.raises(ValueError):
            reporting.with_web(config, True, bad_ip, bad_port)
