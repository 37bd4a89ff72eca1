"""What smtproutes takes as a destination (state/formats_routes.parse_host) and what
destconfig and the shell's commands take as a host (state/validate_outbound.is_host):
an address literal only whole and bracketed once, never a name of digits alone."""

from __future__ import annotations

import pytest

from state.errors import ValueRefused
from state.formats_routes import parse_host
from state.model import RouteHost
from state.validate_outbound import is_domain_key, is_host


@pytest.mark.parametrize(("token", "host"), [
    ("[::1]:25", RouteHost(host="::1", port=25)),
    ("[::1]", RouteHost(host="::1")),
    ("[10.0.0.1]", RouteHost(host="10.0.0.1")),
    ("10.0.0.1", RouteHost(host="10.0.0.1")),
    ("mx.example.com:2525", RouteHost(host="mx.example.com", port=2525)),
    ("localhost", RouteHost(host="localhost")),
])
def test_destinations_taken(token: str, host: RouteHost) -> None:
    assert parse_host(token) == host


@pytest.mark.parametrize("token", ["[::1", "[10.0.0.1", "[::1]x", "[foo]", "[]",
                                   "999.999.1.1", "1.2.3", "[::1]:"])
def test_destinations_refused(token: str) -> None:
    with pytest.raises(ValueRefused):
        parse_host(token)


@pytest.mark.parametrize(("value", "host"), [
    ("mail.example.com", True), ("localhost", True), ("_srv.example", True), ("::1", True),
    ("192.0.2.1", True), ("999.999.1.1", False), ("10.1", False), ("example.com.", False),
    ("a..b", False),
])
def test_is_host(value: str, host: bool) -> None:
    assert is_host(value) is host


def test_domain_keys_of_digits_alone_are_addresses_or_nothing() -> None:
    assert is_domain_key("192.0.2.1") and is_domain_key(".example.com")
    assert not is_domain_key("999.999.1.1") and not is_domain_key(".1.2")
