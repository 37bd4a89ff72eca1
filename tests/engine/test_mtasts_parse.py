"""MTA-STS (RFC 8461) as pure tables: the TXT record, the policy file, the MX patterns."""

from __future__ import annotations

import pytest

from engine.outbound.mtasts import PolicyError, facts, mx_matches, parse_policy, parse_txt
from engine.outbound.precedence import StsMode


@pytest.mark.parametrize(
    ("records", "ident"),
    [
        (["v=STSv1; id=20160831085700Z;"], "20160831085700Z"),
        (["v=STSv1;id=abc"], "abc"),
        (["v = STSv1 ; id = abc ; ext=1"], "abc"),
        (["v=STSv1; id=abc", "v=spf1 -all"], "abc"),  # other records are discarded
        (["v=STSv1; id=abc", "v=STSv1; id=def"], None),  # two policies: none (§3.1)
        (["v=STSv1; id=" + "a" * 33], None),
        (["v=STSv1; id=a-b"], None),
        (["v=STSv1;"], None),
        (["v=STSv1; id"], None),
        (["v=STSv2; id=abc"], None),
        (["id=abc; v=STSv1"], None),  # the version must come first
        ([], None),
    ],
)
def test_txt_record(records: list[str], ident: str | None) -> None:
    assert parse_txt(records) == ident


ENFORCE = ("version: STSv1\r\nmode: enforce\r\nmx: mail.example.com\r\nmx: *.example.net\r\n"
           "max_age: 604800\r\n")


def test_policy_fields() -> None:
    policy = parse_policy(ENFORCE)
    assert policy.mode is StsMode.ENFORCE
    assert policy.mx == ("mail.example.com", "*.example.net")
    assert policy.max_age == 604800
    assert policy.lines == ["version: STSv1", "mode: enforce", "mx: mail.example.com",
                            "mx: *.example.net", "max_age: 604800"]
    assert parse_policy(ENFORCE.replace("\r\n", "\n")).mx == policy.mx
    assert parse_policy("version: STSv1\nmode: none\nmax_age: 86400\n").mode is StsMode.NONE
    unknown = parse_policy("version:STSv1\nmode:testing\nmx:MX.Example.COM.\nmax_age:0\nfoo: bar\n")
    assert (unknown.mode, unknown.mx, unknown.max_age) == (StsMode.TESTING, ("mx.example.com",), 0)


@pytest.mark.parametrize(
    ("text", "why"),
    [
        ("mode: enforce\nmx: a.example\nmax_age: 1\n", "version"),
        ("version: STSv2\nmode: enforce\nmx: a.example\nmax_age: 1\n", "version"),
        ("version: STSv1\nmode: strict\nmx: a.example\nmax_age: 1\n", "mode"),
        ("version: STSv1\nmode: enforce\nmx: a.example\n", "max_age"),
        ("version: STSv1\nmode: enforce\nmx: a.example\nmax_age: 31557601\n", "max_age"),
        ("version: STSv1\nmode: enforce\nmx: a.example\nmax_age: -1\n", "max_age"),
        ("version: STSv1\nmode: enforce\nmax_age: 86400\n", "mx"),
        ("version: STSv1\nmode: enforce\nmx: *.*.example\nmax_age: 86400\n", "mx"),
        ("version: STSv1\nmode: enforce\nmx: 192.0.2.1\nmax_age: 86400\n", "mx"),
        ("<html>not a policy</html>\n", "key: value"),
    ],
)
def test_invalid_policies(text: str, why: str) -> None:
    with pytest.raises(PolicyError, match=why):
        parse_policy(text)


@pytest.mark.parametrize(
    ("host", "matches"),
    [
        ("mail.example.com", True), ("MAIL.example.com.", True), ("mx1.example.net", True),
        ("example.net", False),  # the wildcard needs a label
        ("a.b.example.net", False),  # and only one
        ("mail.example.org", False), ("xmail.example.com", False),
    ],
)
def test_mx_patterns(host: str, matches: bool) -> None:
    policy = parse_policy(ENFORCE)
    assert mx_matches(policy.mx, host) is matches
    assert facts(policy, host) == (StsMode.ENFORCE, matches)


def test_no_policy_is_no_mode() -> None:
    assert facts(None, "mail.example.com") == (StsMode.NONE, False)
