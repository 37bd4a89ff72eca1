"""The cap on SSH connections not logged in yet, per address and in all."""

from __future__ import annotations

from esacli.ssh_startups import Startups


def test_each_address_has_its_cap_and_all_share_the_total() -> None:
    startups = Startups(per_address=2, total=3)
    assert [startups.admit("10.0.0.1") for _ in range(3)] == [True, True, False]
    assert startups.admit("10.0.0.2") is True
    assert startups.admit("10.0.0.3") is False  # the total is reached
    startups.done("10.0.0.1")
    assert startups.admit("10.0.0.3") is True
    assert startups.admit("10.0.0.1") is False  # the total again, not the address's cap


def test_a_connection_that_goes_frees_its_place() -> None:
    startups = Startups(per_address=1, total=10)
    assert startups.admit("10.0.0.1")
    startups.done("10.0.0.1")
    assert startups.admit("10.0.0.1")
