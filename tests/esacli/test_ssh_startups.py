"""The cap on connections not served yet (SSH not logged in, the web console), per source
and in all."""

from __future__ import annotations

import logging

import pytest

from esacli.ssh_startups import Startups, Wording, source_of


def test_each_source_has_its_cap() -> None:
    startups = Startups(per_source=2)
    assert [startups.admit("10.0.0.1") for _ in range(3)] == [True, True, False]
    assert startups.admit("10.0.0.2") is True
    startups.done("10.0.0.1")
    assert startups.admit("10.0.0.1") is True


def test_past_early_drop_new_ones_are_refused_at_random() -> None:
    draws = iter([0.9, 0.1, 0.0])
    startups = Startups(per_source=100, early_drop=2, full=4, chance=lambda: next(draws))
    assert startups.admit("10.0.0.1") and startups.admit("10.0.0.2")  # below: no draw
    assert startups.admit("10.0.0.3")  # 2 open: refused below 1/2, drew 0.9
    assert not startups.admit("10.0.0.4")  # 3 open: refused below 2/2, drew 0.1
    startups.done("10.0.0.3")
    assert not startups.admit("10.0.0.5")  # 2 open: below 1/2, drew 0.0


def test_from_full_every_new_one_is_refused() -> None:
    def never() -> float:
        raise AssertionError("no draw from full on")

    startups = Startups(per_source=100, early_drop=0, full=2, chance=lambda: 1.0)
    assert startups.admit("10.0.0.1") and startups.admit("10.0.0.2")
    startups._chance = never
    assert not startups.admit("10.0.0.3")


@pytest.mark.parametrize(("address", "source"), [
    ("192.0.2.7", "192.0.2.7"),
    ("2001:db8:1:2:3:4:5:6", "2001:db8:1:2::/64"),
    ("2001:db8:1:2::9", "2001:db8:1:2::/64"),
    ("::ffff:192.0.2.7", "192.0.2.7"),
    ("?", "?"),
])
def test_a_source_is_an_ipv4_address_or_an_ipv6_64(address: str, source: str) -> None:
    assert source_of(address) == source


def test_refusals_are_one_line_a_minute_in_the_callers_words(
        caplog: pytest.LogCaptureFixture) -> None:
    web = Wording("Web console connection", "too many connections from that source",
                  logging.getLogger("esacli.web"))
    startups = Startups(per_source=1, wording=web)
    assert startups.admit("10.0.0.1") and startups.total == 1
    assert not startups.admit("10.0.0.1") and not startups.admit("10.0.0.1")
    assert [(r.name, r.getMessage()) for r in caplog.records] == [(
        "esacli.web", "Web console connection from 10.0.0.1 refused: too many connections"
        " from that source (1 refused so far)")]
    startups.done("10.0.0.1")
    assert startups.total == 0


def test_ssh_refusals_keep_their_words(caplog: pytest.LogCaptureFixture) -> None:
    startups = Startups(per_source=0)
    assert not startups.admit("10.0.0.1")
    assert [(r.name, r.getMessage()) for r in caplog.records] == [(
        "esacli.ssh", "SSH connection from 10.0.0.1 refused: too many connections not logged"
        " in (1 refused so far)")]
