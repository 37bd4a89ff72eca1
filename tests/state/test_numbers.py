"""The one number parser (ASCII digits only) and the ranges every setting uses."""

from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from state import formats, formats_dest, formats_routes, forms, ranges, validate
from state.defaults import factory_config
from state.errors import FormatError
from state.model import DestinationControls, DnsSettings, PolicyParams, replace
from state.numbers import DecimalRange, Range, is_digits, parse_decimal, parse_int
from state.secrets import Secrets

# Characters Python counts as digits that are not ASCII digits: isdigit() is true for
# the first three and int() raises; the last three are decimal digits int() accepts.
LOOKALIKES = ["²", "①", "⁵", "٣", "۵", "५", "１", "𝟓"]


@pytest.mark.parametrize("char", LOOKALIKES)
def test_digit_lookalikes_are_not_numbers(char: str) -> None:
    for text in (char, f"1{char}", f"{char}0", f"10{char}5"):
        assert parse_int(text) is None
        assert parse_decimal(text) is None
        assert not is_digits(text)
        assert ranges.PORT.parse(text) is None


@pytest.mark.parametrize("text", ["", " ", "+5", "-5", "1_000", "1e3", "0x10", "5.", "five",
                                  "1 000", "\x005", "5\n5"])
def test_only_plain_digits_are_integers(text: str) -> None:
    assert parse_int(text) is None


def test_integers_and_blanks_around_them() -> None:
    assert parse_int("0") == 0
    assert parse_int(" 42 ") == 42
    assert parse_int("007") == 7
    assert parse_int("9" * 40) == int("9" * 40)
    assert parse_int("9" * 41) is None  # never reaches int()'s 4300-digit limit
    assert parse_int("9" * 5000) is None


@pytest.mark.parametrize(("text", "value"), [("5", 5.0), ("2.5", 2.5), (".5", 0.5), ("5.", 5.0)])
def test_decimals(text: str, value: float) -> None:
    assert parse_decimal(text) == value


@pytest.mark.parametrize("text", ["nan", "inf", "-1", "1e3", "2,5", ".", "1.2.3", "٣.5"])
def test_not_decimals(text: str) -> None:
    assert parse_decimal(text) is None


@given(st.text(max_size=12))
def test_any_text_parses_or_is_refused_without_raising(text: str) -> None:
    value = parse_int(text)
    assert value is None or (value >= 0 and text.strip().isascii())
    assert (ranges.TCP_QUEUE.parse(text) is None) or text.strip().isascii()


def test_range_bounds_and_message() -> None:
    allowed = Range(1, 60)
    assert [allowed.parse(t) for t in ("0", "1", "60", "61")] == [None, 1, 60, None]
    assert 30 in allowed and 0 not in allowed and True not in allowed and 2.0 not in allowed
    assert allowed.message == "The value must be an integer from 1 to 60."


def test_decimal_range_excludes_zero_and_the_infinite() -> None:
    timeout = DecimalRange(0.0, 3600.0)
    assert [timeout.parse(t) for t in ("0", "0.1", "3600", "3600.5")] == [None, 0.1, 3600.0, None]
    assert math.inf not in timeout
    assert not timeout.__contains__(math.nan)  # (`in` would read as a NaN comparison)
    assert timeout.message == "The value must be a number greater than 0 and at most 3600."


def test_every_range_holds_what_the_factory_and_the_engine_use() -> None:
    # the factory configuration, and the values other parts of the code default to
    assert 2525 in ranges.PORT and 1000 in ranges.LISTENER_CONNECTIONS
    assert 50 in ranges.TCP_QUEUE and 100 * ranges.MB in ranges.MESSAGE_SIZE
    assert 600 in ranges.HOST_CONNECTIONS and 10_000 in ranges.MSGS_PER_SESSION
    assert 100_000 in ranges.RCPTS_PER_MSG and 500 in ranges.DEST_CONCURRENCY
    assert 0 in ranges.ROUTE_PRIORITY and 3650 in ranges.CERT_DAYS
    assert 10**20 not in ranges.TCP_QUEUE and 10**20 not in ranges.DNS_TIMEOUT


def test_validation_refuses_numbers_out_of_range(tmp_path: object) -> None:
    secrets = Secrets(tmp_path)  # type: ignore[arg-type]
    config = factory_config(secrets)
    assert validate.validate(config, secrets) == []
    inbound = replace(config.listeners[0], tcp_queue=10**20, max_connections=10**6)
    hat = replace(inbound.hat, default=replace(inbound.hat.default, max_message_size=2**40,
                                               max_rcpts_per_hour=10**20))
    bad = replace(config, listeners=(replace(inbound, hat=hat), *config.listeners[1:]),
                  dns=DnsSettings(timeout=1e20),
                  destinations=DestinationControls(default=replace(
                      DestinationControls().default, max_concurrency=10**9)))
    paths = {e.path: e.message for e in validate.validate(bad, secrets)}
    assert paths == {
        "listeners[InboundMail].tcp_queue": "The value must be an integer from 1 to 65535.",
        "listeners[InboundMail].max_connections": "The value must be an integer from 1 to 10000.",
        "listeners[InboundMail].hat.default.max_message_size":
            "The value must be an integer from 1 to 1073741824.",
        "listeners[InboundMail].hat.default.max_rcpts_per_hour":
            "The value must be an integer from 1 to 1000000000.",
        "destinations.default.max_concurrency": "The value must be an integer from 1 to 10000.",
        "dns.timeout": "The value must be a number greater than 0 and at most 3600.",
    }


# -- every parser of user text goes through state.numbers ------------------------------


def test_hat_sender_forms_refuse_lookalike_digits_and_zone_indexes() -> None:
    for form in ("10.0.0.0/²", "10.0.0.0/①", "٣.1.1.1", "10.1.1.1-²", "sbrs[٣:5]", "SBO:²",
                 "2001:db8::10-f_f", "fe80::1%eth0", "fe80::%eth0/64", "10.0.0.0/99999999999"):
        assert forms.sender_kind(form) is None, form
    assert forms.sender_kind("10.0.0.0/8") == "ipv4"
    assert forms.sender_kind("fe80::1") == "ipv6"
    # §4.5: `n.n.n` is the partial address (every host of 1.2.3.0/24), as on the appliance
    assert forms.sender_kind("1.2.3") == "ipv4"


def test_imports_refuse_lookalike_digits_and_big_numbers() -> None:
    table = DestinationControls()
    head = "[DEFAULT]\nip_sort_pref = PREFER_V4\nmax_host_concurrency = 500\n" \
           "max_messages_per_connection = 50\nlimit_type = host\nlimit_apply = system\n" \
           "use_tls = off\nbounce_validation = off\n"
    assert formats_dest.parse(head + "[a.test]\nmax_messages_per_connection = 5\n", table)
    for value in ("²", "①", "٣", "99999999999999999999"):
        with pytest.raises(FormatError, match="must be an integer"):
            formats_dest.parse(head + f"[a.test]\nmax_messages_per_connection = {value}\n", table)
    def hat(policy: str) -> str:
        return f"$P\n    ACCEPT {{\n            {policy}\n    }}\nALL\n    $P\n"

    assert formats.parse_hat(hat("max_rcpts_per_msg = 5"), PolicyParams()).policies
    for policy in ('max_rcpts_per_msg = "²"', "max_concurrency = 99999999999999999999",
                   'smtp_banner_code = "²"\n            smtp_banner_text = "hi"',
                   'smtp_banner_code = 554\n            smtp_banner_text = "hi"'):
        with pytest.raises(FormatError, match="Invalid"):
            formats.parse_hat(hat(policy), PolicyParams())
    assert formats_routes.parse_host("mx.test:25/pri=2").priority == 2
    for route in ("mx.test:²", "mx.test/pri=②", "mx.test:99999999999999999999",
                  "mx.test/pri=99999999999999999999"):
        with pytest.raises(FormatError, match=r"must be an integer|Invalid hostname"):
            formats_routes.parse_host(route)


def test_a_huge_bad_import_line_is_not_echoed_back_whole() -> None:
    huge = "x" * 1_000_000
    with pytest.raises(FormatError) as caught:
        formats.parse_rat(f"{huge}\nALL REJECT\n")
    assert caught.value.line == 1
    assert len(str(caught.value)) < 300 and caught.value.message.endswith("...")
