"""state.certs.subject_problem and Subject: the bounds of certconfig NEW's subject
(state.ranges.CERT_SUBJECT_LENGTHS, RFC 5280 appendix A), control characters, the country,
and a Subject that cannot become a name refused with a CertError, never a ValueError."""

from __future__ import annotations

import datetime as dt

import pytest

from state import certs, messages, ranges
from state.errors import CertError

NOW = dt.datetime.now(dt.UTC)
BOUNDS = [("common_name", 64), ("organization", 64), ("unit", 64), ("locality", 128),
          ("state", 128)]


@pytest.mark.parametrize(("field", "limit"), BOUNDS)
def test_each_bound_is_accepted_and_one_more_refused(field: str, limit: int) -> None:
    assert ranges.CERT_SUBJECT_LENGTHS[field] == limit
    assert certs.subject_problem(field, "a" * limit) is None
    refused = certs.subject_problem(field, "a" * (limit + 1))
    assert refused == messages.SUBJECT_TOO_LONG(
        attribute=messages.SUBJECT_ATTRIBUTES[field], limit=limit)
    assert refused is not None and refused.code == "SUBJECT_TOO_LONG"


def test_the_messages_name_the_attribute_and_the_limit() -> None:
    assert certs.subject_problem("common_name", "a" * 65) == (
        "The Common Name (CN) must be at most 64 characters long (a character outside ASCII"
        " counts as 2 to 4).")
    assert certs.subject_problem("locality", "a" * 129) == (
        "The Locality (L) must be at most 128 characters long (a character outside ASCII"
        " counts as 2 to 4).")
    assert certs.subject_problem("unit", "IT\x07") == (
        "The Organizational Unit (OU) must not contain control characters.")


@pytest.mark.parametrize(("field", "limit"), BOUNDS)
def test_the_bound_counts_utf8_bytes_as_cryptography_does(field: str, limit: int) -> None:
    assert certs.subject_problem(field, "é" * (limit // 2)) is None  # 2 bytes each
    assert certs.subject_problem(field, "é" * (limit // 2) + "a") is not None


@pytest.mark.parametrize("field", [f for f, _ in BOUNDS])
@pytest.mark.parametrize("char", ["\x1b", "\x07", "\x00", "\r", "\n", "\t", "\x7f", "\x9b"])
def test_control_characters_are_refused(field: str, char: str) -> None:
    refused = certs.subject_problem(field, f"mail{char}.example.com")
    assert refused == messages.SUBJECT_CONTROL(attribute=messages.SUBJECT_ATTRIBUTES[field])


def test_empty_is_left_out_unless_required() -> None:
    assert certs.subject_problem("organization", "") is None
    assert certs.subject_problem("country", "") is None
    assert certs.subject_problem("common_name", "", required=True) == "Please enter a value."
    assert certs.subject_problem("country", "", required=True) == messages.COUNTRY_CODE()


@pytest.mark.parametrize("country", ["X1", "USA", "u", "u\x1b", "\ufb01"])  # U+FB01 is "FI" upper
def test_a_country_is_exactly_an_iso_code(country: str) -> None:
    assert certs.subject_problem("country", country) == (
        "Country should be a ISO two character country code")
    assert certs.subject_problem("country", "us") is None


def test_a_subject_it_cannot_hold_is_a_cert_error_before_cryptography_sees_it() -> None:
    key = certs.generate_key()
    long_cn = certs.Subject("a" * 100, "Example Inc", country="US")
    with pytest.raises(CertError) as refused:
        certs.request(key, long_cn, (), 1, NOW)
    assert refused.value.reason.code == "SUBJECT_TOO_LONG"
    subject = certs.Subject("mail\x1b.example.com", "O" * 5000)
    assert [m.code for m in subject.problems()] == ["SUBJECT_CONTROL", "SUBJECT_TOO_LONG"]
    with pytest.raises(CertError):
        certs.self_signed(key, "ok.example", organization="O" * 5000)


def test_a_subject_at_every_bound_makes_a_certificate_and_a_csr() -> None:
    subject = certs.Subject("c" * 64, "o" * 64, "u" * 64, "l" * 128, "s" * 128, "us")
    assert subject.problems() == []
    cert, csr = certs.request(certs.generate_key(), subject, (), 1, NOW)
    assert cert.subject == csr.subject == subject.name()
