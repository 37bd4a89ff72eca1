"""The TLS connections report over real traffic: every column of every line exact, both
directions, as the store's queries give them (the web page test reads the same data dir).
Then the dry run of a staged Required - Verify names the MX that would fail."""

from __future__ import annotations

import os
import stat
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import trustme

from engine.outbound.tlsrpt import RESULT_TYPES
from engine.tlsstats import dryrun, report
from engine.tlsstats.events import UNKNOWN
from engine.tlsstats.store import Reader, path_in
from state.model import Certificate, DestinationEntry, TLSMode, replace
from state.secrets import Secrets
from tests.engine.tlsstats_kit import (
    EXPECTED_IN,
    EXPECTED_IN_TOTAL,
    EXPECTED_OUT,
    EXPECTED_OUT_TOTAL,
    HOSTS,
    KEYS,
    MX,
    gateway,
    run_traffic,
)
from tests.kit.certs import issue_certificate
from tests.kit.dnsserver import DnsServer


@pytest.fixture(scope="module")
def dns() -> Iterator[DnsServer]:
    with DnsServer(hosts=HOSTS, mx=MX) as server:
        yield server


@pytest.fixture(scope="module")
def traffic(tmp_path_factory: pytest.TempPathFactory, ca: trustme.CA, dns: DnsServer,
            ) -> tuple[Path, Certificate]:
    import asyncio

    data = tmp_path_factory.mktemp("traffic")
    cert = issue_certificate(ca, Secrets(data), "Test")
    asyncio.run(run_traffic(data, ca, dns, cert))
    return data, cert


def table(rep: report.Report) -> dict[str, tuple[object, ...]]:
    return {line.domain: tuple(line.value(k) for k in KEYS) for line in rep.lines}


def test_inbound_report_is_exact(traffic: tuple[Path, Certificate]) -> None:
    rep = report.tls_report(Reader(traffic[0]), "in", report.last("hour", time.time() + 1))
    assert table(rep) == EXPECTED_IN
    assert tuple(rep.total.value(k) for k in KEYS) == EXPECTED_IN_TOTAL


def test_outbound_report_is_exact(traffic: tuple[Path, Certificate]) -> None:
    rep = report.tls_report(Reader(traffic[0]), "out", report.last("day", time.time() + 1))
    assert table(rep) == EXPECTED_OUT
    assert tuple(rep.total.value(k) for k in KEYS) == EXPECTED_OUT_TOTAL
    one = report.tls_report(Reader(traffic[0]), "out", report.last("week", time.time() + 1),
                            domain="Wrong.Test.")
    assert [line.domain for line in one.lines] == ["wrong.test"]


def test_every_column_has_one_definition() -> None:
    keys = [c.key for c in report.COLUMNS]
    assert set(KEYS) <= set(keys) and len(keys) == len(set(keys))
    assert all(c.label and len(c.definition) > 30 for c in report.COLUMNS)


def test_one_vocabulary_of_failures(traffic: tuple[Path, Certificate]) -> None:
    """Every failure the store holds is named as TLS-RPT names it (RFC 8460)."""
    found = Reader(traffic[0]).query(
        "SELECT DISTINCT result_type FROM events UNION SELECT DISTINCT verify_result FROM events")
    names = {str(r[0]) for r in found} - {"", UNKNOWN}
    assert names and names <= set(RESULT_TYPES)


def test_the_store_is_private(traffic: tuple[Path, Certificate]) -> None:
    mode = stat.S_IMODE(os.stat(path_in(traffic[0])).st_mode)
    assert mode == 0o600


def test_dry_run_names_the_mx_that_would_fail(traffic: tuple[Path, Certificate], ca: trustme.CA,
                                              dns: DnsServer) -> None:
    base = gateway(ca, dns, traffic[1])
    staged = tuple(replace(e, tls=TLSMode.REQUIRED_VERIFY) if e.domain == "wrong.test"
                   else replace(e, tls=TLSMode.REQUIRED) if e.domain == "plain.test" else e
                   for e in base.destinations.entries)
    staged += (DestinationEntry(domain="good.test.", tls=TLSMode.REQUIRED_VERIFY),)
    candidate = replace(base, destinations=replace(base.destinations, entries=staged[:3]))
    runs = dryrun.dry_runs(Reader(traffic[0]), base, candidate,
                           report.last("week", time.time() + 1))
    labels = {TLSMode.REQUIRED_VERIFY: "Required - Verify", TLSMode.REQUIRED: "Required"}
    texts = [run.text(labels[run.level]) for run in runs]
    assert texts == [
        ("plain.test: Required would have deferred 1 of 1 deliveries in the last 7 days:"
        " starttls-not-supported (mx.plain.test)"),
        ("wrong.test: Required - Verify would have deferred 1 of 1 deliveries in the last"
        " 7 days: certificate-host-mismatch (mx.wrong.test)"),
    ]
    good = replace(candidate, destinations=replace(candidate.destinations, entries=(
        DestinationEntry(domain="good.test", tls=TLSMode.REQUIRED_VERIFY),)))
    [fine] = dryrun.dry_runs(Reader(traffic[0]), base, good, report.last("week", time.time() + 1))
    assert not fine.would_fail
    assert fine.text("Required - Verify") == (
        "good.test: Required - Verify would have deferred none of 1 deliveries in the last 7 days")
