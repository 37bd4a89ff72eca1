"""The destconfig INI (§6.7), the smtproutes text (§8.2) and the outbound validation."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from state import formats_dest, formats_routes, validate
from state.errors import FormatError
from state.model import (
    AlertRecipient,
    Alerts,
    Config,
    DestinationControls,
    DestinationEntry,
    Route,
    RouteHost,
    TLSMode,
    replace,
)
from state.secrets import Secrets

TABLE = DestinationControls(
    default=DestinationEntry(
        domain="DEFAULT", tls=TLSMode.PREFERRED, max_concurrency=100, max_msgs_per_connection=10,
        recipient_limit=1000, recipient_minutes=60, limit_per_mx_ip=True,
        bounce_verification=True, ip_sort="REQUIRE_V6",
    ),
    entries=(
        DestinationEntry(domain="partner.test", tls=TLSMode.REQUIRED_VERIFY),
        DestinationEntry(domain=".partner.test", max_concurrency=5, limit_per_virtual_gateway=True),
        DestinationEntry(domain="192.0.2.1", recipient_limit=7, recipient_minutes=15,
                         max_msgs_per_connection=3, bounce_verification=False, ip_sort="PREFER_V6"),
    ),
    client_certificate="partner",
    tls_failure_alert=True,
)

EXPORTED = """\
[DEFAULT]
ip_sort_pref = REQUIRE_V6
max_host_concurrency = 100
max_messages_per_connection = 10
recipient_minutes = 60
recipient_limit = 1000
limit_type = MXIP
limit_apply = system
use_tls = on
bounce_validation = on

[partner.test]
use_tls = require_verify

[.partner.test]
max_host_concurrency = 5
limit_type = host
limit_apply = VG

[192.0.2.1]
ip_sort_pref = PREFER_V6
max_messages_per_connection = 3
recipient_minutes = 15
recipient_limit = 7
limit_type = host
limit_apply = system
bounce_validation = off
"""


def test_export_layout_and_round_trip() -> None:
    assert formats_dest.dump(TABLE) == EXPORTED
    assert formats_dest.parse(EXPORTED, TABLE) == TABLE
    factory = DestinationControls()
    assert formats_dest.parse(formats_dest.dump(factory), factory) == factory


def test_appliance_example_with_numeric_values_and_case() -> None:
    text = """\
# exported from another appliance
[DEFAULT]
ip_sort_pref = prefer_v4
max_host_concurrency = 500
max_messages_per_connection = 50
limit_type = 0
limit_apply = 0
use_tls = 0
bounce_validation = 0

[Example.COM.]
use_tls = 2
bounce_profile = Default
"""
    table = formats_dest.parse(text, TABLE)
    assert table.default == DestinationControls().default
    assert table.entries == (DestinationEntry(domain="example.com", tls=TLSMode.REQUIRED),)
    # SETUP's globals are not part of the file and stay as they were
    assert (table.client_certificate, table.tls_failure_alert) == ("partner", True)


def test_file_without_default_keeps_the_current_default() -> None:
    table = formats_dest.parse("[a.test]\nuse_tls = on\n", TABLE)
    assert table.default == TABLE.default
    assert [e.domain for e in table.entries] == ["a.test"]


GOOD_DEFAULT = EXPORTED.split("\n\n")[0] + "\n"


@pytest.mark.parametrize(
    ("text", "line", "why"),
    [
        ("use_tls = on\n", 1, "before the first [section]"),
        (GOOD_DEFAULT + "\n[bad..domain]\n", 12, 'Invalid domain "bad..domain"'),
        (GOOD_DEFAULT + "[a.test]\nuse_tls = sometimes\n", 12, 'Invalid use_tls "sometimes"'),
        (GOOD_DEFAULT + "[a.test]\nmax_host_concurrency = ten\nlimit_type = host\n"
         "limit_apply = 0\n",
         12, "must be an integer from 1 to 10000"),
        (GOOD_DEFAULT + "[a.test]\nrecipient_minutes = 61\nrecipient_limit = 5\nlimit_type = 0\n"
         "limit_apply = 0\n", 12, "from 1 to 60"),
        (GOOD_DEFAULT + "[a.test]\nmax_host_concurrency = 5\n", 12, '"limit_type"'),
        (GOOD_DEFAULT + "[a.test]\ncolour = blue\n", 12, 'Unknown parameter "colour"'),
        (GOOD_DEFAULT + "[a.test]\njust words\n", 12, "Expected parameter = value"),
        (GOOD_DEFAULT + "[a.test]\n[A.test.]\n", 12, "appears twice"),
        (GOOD_DEFAULT + "[a.test]\nuse_tls = on\nuse_tls = off\n", 13, "set twice"),
        ("[DEFAULT]\nuse_tls = on\n", 1, '[DEFAULT] must set "ip_sort_pref"'),
        (GOOD_DEFAULT.replace("[DEFAULT]\n", "[DEFAULT]\nbounce_profile = x\n"), 2,
         "not allowed in [DEFAULT]"),
        (GOOD_DEFAULT + "[a.test]\nbounce_profile = Strict\n", 12, 'Unknown bounce profile'),
        ("[unclosed\n", 1, "Invalid section header"),
    ],
)
def test_malformed_files_name_their_line(text: str, line: int, why: str) -> None:
    with pytest.raises(FormatError) as caught:
        formats_dest.parse(text, TABLE)
    assert caught.value.line == line
    assert why in caught.value.message


_domains = st.builds(
    lambda dot, label, tld: f"{dot}{label}.{tld}",
    st.sampled_from(["", "."]), st.text("abcxyz019", min_size=1, max_size=8),
    st.sampled_from(["test", "org"]),
)
_maybe_int = st.none() | st.integers(1, 10_000)  # within every range of state.ranges


@st.composite
def _entries(draw: st.DrawFn) -> DestinationEntry:
    limit = draw(_maybe_int)
    concurrency = draw(_maybe_int)
    limited = limit is not None or concurrency is not None
    return DestinationEntry(
        domain=draw(_domains),
        tls=draw(st.none() | st.sampled_from(TLSMode)),
        max_concurrency=concurrency,
        max_msgs_per_connection=draw(_maybe_int),
        recipient_limit=limit,
        recipient_minutes=None if limit is None else draw(st.integers(1, 60)),
        limit_per_mx_ip=limited and draw(st.booleans()),
        limit_per_virtual_gateway=limited and draw(st.booleans()),
        bounce_verification=draw(st.none() | st.booleans()),
        ip_sort=draw(st.none() | st.sampled_from(["PREFER_V4", "REQUIRE_V6"])),
    )


@settings(max_examples=60, deadline=None)
@given(st.lists(_entries(), max_size=5, unique_by=lambda e: e.domain))
def test_any_table_survives_export_and_import(entries: list[DestinationEntry]) -> None:
    table = DestinationControls(entries=tuple(entries))
    assert formats_dest.parse(formats_dest.dump(table), table) == table


# -- smtproutes text -----------------------------------------------------------------
ROUTES = (
    Route(domain="partner.test", hosts=(
        RouteHost(host="mx1.partner.test", priority=10), RouteHost(host="10.0.0.5", port=2525),
    )),
    Route(domain="ALL", hosts=(RouteHost(host="USEDNS"),)),
    Route(domain=".spam.test", hosts=(RouteHost(host="/dev/null"),)),
    Route(domain="v6.test", hosts=(RouteHost(host="2001:db8::1", port=26, priority=5),)),
)


def test_routes_round_trip_and_default_last() -> None:
    text = formats_routes.dump(ROUTES)
    assert text == (
        "partner.test mx1.partner.test/pri=10, 10.0.0.5:2525\n"
        ".spam.test /dev/null\n"
        "v6.test [2001:db8::1]:26/pri=5\n"
        "ALL USEDNS\n"
    )
    assert set(formats_routes.parse(text)) == set(ROUTES)


@pytest.mark.parametrize(
    ("text", "line", "why"),
    [
        ("a.test mx.a.test\nbad..test mx\n", 2, 'Invalid domain "bad..test"'),
        ("a.test mx.a.test\nA.test. mx2.a.test\n", 2,
         "The value a.test is already in the routing table."),
        ("# comment\n\na.test mx.a.test:99999\n", 3, "from 1 to 65535"),
        ("a.test mx:25, mx\n", 1, "The host mx already has an alternate port (25)."),
        ("a.test mx, mx:25\n", 1, "The host mx is already using the standard port."),
        ("a.test USEDNS, mx.a.test\n", 1, "USEDNS must be the only destination"),
        ("a.test\n", 1, "Please enter a value."),
        ("a.test bad_host!\n", 1, "Invalid hostname format"),
    ],
)
def test_malformed_route_files(text: str, line: int, why: str) -> None:
    with pytest.raises(FormatError) as caught:
        formats_routes.parse(text)
    assert caught.value.line == line
    assert why in caught.value.message


# -- whole-config validation ------------------------------------------------------------
def _errors(config: Config, tmp_path: Path) -> dict[str, str]:
    return {e.path: e.message for e in validate.validate(config, Secrets(tmp_path))}


def test_outbound_validation_reports_every_error(tmp_path: Path) -> None:
    base = Config(hostname="mail.example.com")
    assert _errors(base, tmp_path) == {}
    bad = replace(
        base,
        destinations=DestinationControls(
            entries=(
                DestinationEntry(domain="Upper.test"),
                DestinationEntry(domain="bad..test"),
                DestinationEntry(domain="ok.test", max_concurrency=0, recipient_limit=5,
                                 recipient_minutes=61),
                DestinationEntry(domain="ok.test"),
            ),
            client_certificate="nope",
        ),
        routes=(Route(domain="r.test", hosts=(RouteHost(host="mx", port=0),)),
                Route(domain="s.test", hosts=())),
        alerts=Alerts(recipients=(AlertRecipient(address="not-an-address", classes=("Weather",)),)),
    )
    errors = _errors(bad, tmp_path)
    assert errors == {
        "destinations.client_certificate": 'Unknown certificate "nope".',
        "destinations.entries[Upper.test]":
            'The domain "Upper.test" must be lower case, without a final dot.',
        "destinations.entries[bad..test]": 'Invalid domain "bad..test".',
        "destinations.entries[ok.test]": 'The domain "ok.test" is used more than once.',
        "destinations.entries[ok.test].max_concurrency":
            "The value must be an integer from 1 to 10000.",
        "destinations.entries[ok.test].recipient_minutes":
            "The value must be an integer from 1 to 60.",
        "routes[r.test].hosts": "The value must be an integer from 1 to 65535.",
        "routes[s.test].hosts": "A route needs at least one destination.",
        "alerts.recipients[not-an-address]": 'Invalid email address "not-an-address".',
        "alerts.recipients[not-an-address].classes": 'Unknown value "Weather".',
    }
