"""Pure policy functions as tables: sender forms, HAT order, TLS settings, RAT."""

from __future__ import annotations

import pytest

from engine.policy import (
    ClientFacts,
    evaluate_hat,
    rat_lookup,
    sender_matches,
    tls_decision,
)
from state.model import (
    HAT,
    Behavior,
    Policy,
    PolicyParams,
    RatAction,
    RatEntry,
    SenderGroup,
    TLSMode,
)

SENDER_TABLE = [
    # form, client ip, matches
    ("10.1.2.3", "10.1.2.3", True),
    ("10.1.2.3", "10.1.2.4", False),
    ("10.2.3.", "10.2.3.99", True),
    ("10.2.3.", "10.2.4.1", False),
    ("10.2", "10.2.200.1", True),
    ("10.2", "10.20.0.1", False),
    ("10.", "10.9.9.9", True),
    ("10", "11.0.0.1", False),
    ("10.1.1.10-20", "10.1.1.10", True),
    ("10.1.1.10-20", "10.1.1.20", True),
    ("10.1.1.10-20", "10.1.1.21", False),
    ("10.1.1.10-20", "10.1.1.9", False),
    ("10.1.1-5.", "10.1.3.200", True),
    ("10.1.1-5.", "10.1.6.1", False),
    ("10.1-5", "10.4.0.0", True),
    ("10.1.1.0/24", "10.1.1.77", True),
    ("10.1.1.0/24", "10.1.2.77", False),
    ("10/8", "10.200.1.1", True),
    ("10.1/16", "10.1.9.9", True),
    ("10.1/16", "10.2.9.9", False),
    ("2001:db8::1", "2001:db8::1", True),
    ("2001:DB8:0:0:0:0:0:0001", "2001:db8::1", True),
    ("2001:db8::1", "2001:db8::2", False),
    ("2001:db8::/32", "2001:db8:ffff::5", True),
    ("2001:db8::/32", "2001:db9::5", False),
    ("2001:db8::10-1f", "2001:db8::1a", True),
    ("2001:db8::10-1f", "2001:db8::20", False),
    ("10.0.0.0/8", "2001:db8::1", False),
    ("2001:db8::/32", "10.0.0.1", False),
    ("10.1.1.1", "::ffff:10.1.1.1", True),
    ("ALL", "192.0.2.1", True),
    ("all", "2001:db8::1", True),
    ("sbrs[none]", "192.0.2.1", True),
    ("SBRS[NONE]", "192.0.2.1", True),
    ("sbrs[-10.0:-3.0]", "192.0.2.1", False),
    ("SBRS[-1.0:10]", "192.0.2.1", False),
    # Need DNS (a later issue): never match, never crash.
    ("mx.example", "192.0.2.1", False),
    (".example", "192.0.2.1", False),
    ("dnslist[bl.example]", "192.0.2.1", False),
    ("SBO:12345", "192.0.2.1", False),
    # Garbage: no match, no exception.
    ("10.1.1.300", "10.1.1.44", False),
    ("10.1-2.3.4", "10.1.3.4", False),
    ("1.2.3.4.5", "1.2.3.4", False),
    ("10.1.1.0/99", "10.1.1.1", False),
    ("", "10.1.1.1", False),
    ("sbrs[a:b]", "10.1.1.1", False),
    ("::zz", "::1", False),
]


@pytest.mark.parametrize(("form", "ip", "expected"), SENDER_TABLE)
def test_sender_forms(form: str, ip: str, expected: bool) -> None:
    assert sender_matches(form, ClientFacts(ip=ip)) is expected


def test_reputation_and_host_forms_with_facts() -> None:
    scored = ClientFacts(ip="192.0.2.1", ptr="mx1.example", sbrs=-5.0)
    assert sender_matches("sbrs[-10.0:-3.0]", scored)
    assert not sender_matches("sbrs[none]", scored)
    assert sender_matches("mx1.example", scored)
    assert sender_matches(".example", scored)
    assert not sender_matches(".other", scored)


DEFAULT = PolicyParams(
    max_message_size=1000, max_concurrency=10, max_msgs_per_session=10,
    max_rcpts_per_msg=50, tls=TLSMode.NO,
)


def table_hat() -> HAT:
    return HAT(
        default=DEFAULT,
        policies=(
            Policy(
                name="TRUSTED", behavior=Behavior.RELAY, params=PolicyParams(max_rcpts_per_msg=5)
            ),
            Policy(
                name="TLSONLY", behavior=Behavior.ACCEPT, params=PolicyParams(tls=TLSMode.REQUIRED)
            ),
            Policy(name="GOON", behavior=Behavior.CONTINUE),
            Policy(name="BLOCKED", behavior=Behavior.REJECT),
            Policy(name="ACCEPTED", behavior=Behavior.ACCEPT),
        ),
        groups=(
            SenderGroup(name="SKIP", senders=("10.9.",), policy="GOON"),
            SenderGroup(name="RELAYLIST", senders=("10.1.1.0/24", "10.9.9.9"), policy="TRUSTED"),
            SenderGroup(name="SECURE", senders=("10.1.", "10.9."), policy="TLSONLY"),
            SenderGroup(name="BAD", senders=("10.",), policy="BLOCKED"),
            SenderGroup(name="REFUSED", senders=("11.",), policy="TCPREFUSE"),
            SenderGroup(name="ALL", senders=("ALL",), policy="ACCEPTED"),
        ),
    )


HAT_TABLE = [
    # ip, group, rule, behavior, tls, max_rcpts
    ("10.1.1.5", "RELAYLIST", "10.1.1.0/24", Behavior.RELAY, TLSMode.NO, 5),
    ("10.1.2.5", "SECURE", "10.1.", Behavior.ACCEPT, TLSMode.REQUIRED, 50),
    # SKIP matches first but CONTINUEs; RELAYLIST then matches 10.9.9.9.
    ("10.9.9.9", "RELAYLIST", "10.9.9.9", Behavior.RELAY, TLSMode.NO, 5),
    ("10.9.9.8", "SECURE", "10.9.", Behavior.ACCEPT, TLSMode.REQUIRED, 50),
    ("10.7.7.7", "BAD", "10.", Behavior.REJECT, TLSMode.NO, 50),
    ("11.0.0.1", "REFUSED", "11.", Behavior.TCPREFUSE, TLSMode.NO, 50),
    ("192.0.2.7", "ALL", "ALL", Behavior.ACCEPT, TLSMode.NO, 50),
]


@pytest.mark.parametrize(("ip", "group", "rule", "behavior", "tls", "rcpts"), HAT_TABLE)
def test_hat_first_match_wins(
    ip: str, group: str, rule: str, behavior: Behavior, tls: TLSMode, rcpts: int
) -> None:
    match = evaluate_hat(table_hat(), ClientFacts(ip=ip))
    assert (match.group, match.rule, match.behavior) == (group, rule, behavior)
    assert match.params.tls is tls
    assert match.params.max_rcpts_per_msg == rcpts
    assert match.params.max_message_size == 1000  # inherited from the default policy


def test_hat_all_continue_falls_back_to_default_policy() -> None:
    hat = HAT(
        default=DEFAULT,
        policies=(Policy(name="GOON", behavior=Behavior.CONTINUE),),
        groups=(SenderGroup(name="ALL", senders=("ALL",), policy="GOON"),),
    )
    match = evaluate_hat(hat, ClientFacts(ip="192.0.2.1"))
    assert (match.group, match.behavior, match.params) == (None, Behavior.ACCEPT, DEFAULT)


def test_hat_unknown_policy_name_is_skipped() -> None:
    hat = HAT(
        default=DEFAULT,
        policies=(Policy(name="ACCEPTED", behavior=Behavior.ACCEPT),),
        groups=(
            SenderGroup(name="BROKEN", senders=("ALL",), policy="NOSUCH"),
            SenderGroup(name="ALL", senders=("ALL",), policy="ACCEPTED"),
        ),
    )
    assert evaluate_hat(hat, ClientFacts(ip="192.0.2.1")).group == "ALL"


@pytest.mark.parametrize(
    ("mode", "expected"),
    [
        (TLSMode.NO, (False, False, False, False)),
        (None, (False, False, False, False)),
        (TLSMode.PREFERRED, (True, False, False, False)),
        (TLSMode.REQUIRED, (True, True, False, False)),
        (TLSMode.PREFERRED_VERIFY, (True, False, True, False)),
        (TLSMode.REQUIRED_VERIFY, (True, True, True, True)),
    ],
)
def test_tls_decision(mode: TLSMode | None, expected: tuple[bool, ...]) -> None:
    d = tls_decision(mode)
    assert (d.offer, d.require, d.request_client_cert, d.require_client_cert) == expected


RAT = (
    RatEntry(address="postmaster@", action=RatAction.ACCEPT),
    RatEntry(address="bad@example.com", action=RatAction.REJECT),
    RatEntry(address="example.com", action=RatAction.ACCEPT),
    RatEntry(address=".example.org", action=RatAction.ACCEPT),
    RatEntry(address="ALL", action=RatAction.REJECT),
)


@pytest.mark.parametrize(
    ("address", "entry"),
    [
        ("postmaster@anything.test", "postmaster@"),
        ("bad@example.com", "bad@example.com"),
        ("BAD@Example.COM", "bad@example.com"),
        ("good@example.com", "example.com"),
        ("x@sub.example.com", "ALL"),  # a plain domain does not cover subdomains
        ("x@mail.example.org", ".example.org"),
        ("x@example.org", "ALL"),  # `.partial` is for subdomains only
        ("x@elsewhere.test", "ALL"),
    ],
)
def test_rat_lookup(address: str, entry: str) -> None:
    found = rat_lookup(RAT, address)
    assert found is not None and found.address == entry


def test_rat_without_all_row() -> None:
    assert (
        rat_lookup((RatEntry(address="example.com", action=RatAction.ACCEPT),), "a@b.test") is None
    )
