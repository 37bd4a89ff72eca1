"""Shadowed HAT rows (state/hat_shadow.py) as a table, and its coverage rule held against
the engine's own matcher (engine/policy.py) at the edges of every covered form."""

from __future__ import annotations

import ipaddress

import pytest

from engine import policy
from state.defaults import public_hat
from state.hat_shadow import ADDRESSES, Shadowed, covers, newly_shadowed, shadowed_groups, span
from state.model import HAT, Behavior, Policy, PolicyParams, SenderGroup, replace

ACCEPT = Policy(name="ACCEPTED", behavior=Behavior.ACCEPT)
GO_ON = Policy(name="GO_ON", behavior=Behavior.CONTINUE)


def hat(*rows: tuple[str, tuple[str, ...]] | tuple[str, tuple[str, ...], str]) -> HAT:
    groups = tuple(SenderGroup(name=r[0], senders=r[1], policy=r[2] if len(r) > 2 else "ACCEPTED")
                   for r in rows)
    all_row = SenderGroup(name="ALL", senders=("ALL",), policy="ACCEPTED")
    return HAT(default=PolicyParams(), policies=(ACCEPT, GO_ON), groups=(*groups, all_row))


def seed_with(group: SenderGroup, before: str | None) -> HAT:
    """The factory HAT with `group` inserted before the row `before` (None: above ALL)."""
    base = public_hat()
    names = [g.name for g in base.groups]
    at = names.index(before) if before else names.index("ALL")
    groups = (*base.groups[:at], group, *base.groups[at:])
    return replace(base, groups=groups)


TLS_SENDERS = SenderGroup(name="TLS_Senders", senders=("127.0.0.2",), policy="ACCEPTED")

CASES: list[tuple[str, HAT, list[Shadowed]]] = [
    ("new group below UNKNOWNLIST (the seed's mistake)", seed_with(TLS_SENDERS, None),
     [Shadowed("TLS_Senders", 4, ("UNKNOWNLIST",))]),
    ("moved above SUSPECTLIST", seed_with(TLS_SENDERS, "SUSPECTLIST"), []),
    ("CIDR above a narrower CIDR", hat(("A", ("10.0.0.0/8",)), ("B", ("10.1.2.0/24",))),
     [Shadowed("B", 1, ("A",))]),
    ("narrower CIDR above a wider one", hat(("A", ("10.1.2.0/24",)), ("B", ("10.0.0.0/8",))), []),
    ("short CIDR form 10/8", hat(("A", ("10/8",)), ("B", ("10.200.0.1",))),
     [Shadowed("B", 1, ("A",))]),
    ("partial address above a full one", hat(("A", ("10.1.",)), ("B", ("10.1.2.3",))),
     [Shadowed("B", 1, ("A",))]),
    ("partial 10.1 above 10.1.0.0/16", hat(("A", ("10.1",)), ("B", ("10.1.0.0/16",))),
     [Shadowed("B", 1, ("A",))]),
    ("octet range above a CIDR inside it", hat(("A", ("10.1.1-5.",)), ("B", ("10.1.3.0/24",))),
     [Shadowed("B", 1, ("A",))]),
    ("octet range not covering", hat(("A", ("10.1.1-5.",)), ("B", ("10.1.6.1",))), []),
    ("last-octet range", hat(("A", ("10.1.1.10-20",)), ("B", ("10.1.1.15",))),
     [Shadowed("B", 1, ("A",))]),
    ("last-octet range, one past", hat(("A", ("10.1.1.10-20",)), ("B", ("10.1.1.21",))), []),
    ("domain suffix above a host", hat(("A", (".example.com",)), ("B", ("mx.example.com",))),
     [Shadowed("B", 1, ("A",))]),
    ("suffix does not cover the bare domain",
     hat(("A", (".example.com",)), ("B", ("example.com",))),
     []),
    ("suffix above a longer suffix", hat(("A", (".example.com",)), ("B", (".sub.example.com",))),
     [Shadowed("B", 1, ("A",))]),
    ("same host twice", hat(("A", ("MX.example.com",)), ("B", ("mx.example.com.",))),
     [Shadowed("B", 1, ("A",))]),
    ("a CONTINUE row shadows nothing", hat(("A", ("10/8",), "GO_ON"), ("B", ("10.1.1.1",))), []),
    ("unknown policy decides nothing", hat(("A", ("10/8",), "NOSUCH"), ("B", ("10.1.1.1",))), []),
    ("one form uncovered", hat(("A", ("10/8",)), ("B", ("10.1.1.1", "192.168.1.1"))), []),
    ("two rows cover two forms",
     hat(("A", ("10/8",)), ("C", ("192.168.0.0/16",)), ("B", ("10.1.1.1", "192.168.1.1"))),
     [Shadowed("B", 2, ("A", "C"))]),
    ("a form that never matches is left out",
     hat(("A", ("10/8",)), ("B", ("sbrs[1:5]", "10.1.1.1"))),
     [Shadowed("B", 1, ("A",))]),
    ("only never-matching forms: not blamed on a row",
     hat(("A", ("10/8",)), ("B", ("sbrs[-10:-3]",))),
     []),
    ("an SBRS range covers nothing", hat(("A", ("sbrs[-10:10]",)), ("B", ("10.1.1.1",))), []),
    ("sbrs[none] covers everyone", hat(("A", ("sbrs[none]",)), ("B", ("mx.example.com",))),
     [Shadowed("B", 1, ("A",))]),
    ("IPv6 prefix above an IPv6 range", hat(("A", ("2001:db8::/32",)), ("B", ("2001:db8::10-1f",))),
     [Shadowed("B", 1, ("A",))]),
    ("IPv4 never covers IPv6", hat(("A", ("0.0.0.0/0",)), ("B", ("2001:db8::1",))), []),
    ("same DNS list", hat(("A", ("dnslist[bl.test]",)), ("B", ("dnslist[BL.test.]",))),
     [Shadowed("B", 1, ("A",))]),
    ("another DNS list", hat(("A", ("dnslist[bl.test]",)), ("B", ("dnslist[other.test]",))), []),
    ("addresses never cover host names",
     hat(("A", ("0.0.0.0/0",)), ("B", ("mx.example.com",))), []),
    ("an empty group is not shadowed", public_hat(), []),
    ("a REJECT row above shadows too",
     hat(("A", ("10/8",), "TCPREFUSE"), ("B", ("10.9.9.9",))), [Shadowed("B", 1, ("A",))]),
]


@pytest.mark.parametrize(("hat_", "expected"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_shadowed_rows(hat_: HAT, expected: list[Shadowed]) -> None:
    assert shadowed_groups(hat_) == expected


def test_newly_shadowed_names_only_what_the_change_did() -> None:
    before = hat(("A", ("10/8",)), ("B", ("10.1.1.1",)))
    after = replace(before, groups=(SenderGroup(name="C", senders=("10.2.2.2",), policy="ACCEPTED"),
                                    *before.groups[:1], *before.groups[1:]))
    after = replace(after, groups=(after.groups[1], after.groups[0], *after.groups[2:]))
    assert [s.group for s in shadowed_groups(after)] == ["C", "B"]
    assert [s.group for s in newly_shadowed(before, after)] == ["C"]


ADDRESS_PAIRS = [
    ("10.0.0.0/8", "10.1.2.0/24"), ("10/8", "10.200.0.1"), ("10.1.", "10.1.2.3"),
    ("10.1", "10.1.0.0/16"), ("10.1.1-5.", "10.1.3.0/24"), ("10.1.1.10-20", "10.1.1.15"),
    ("2001:db8::/32", "2001:db8::10-1f"), ("127.0.0.2", "127.0.0.2"),
]


@pytest.mark.parametrize(("above", "below"), ADDRESS_PAIRS)
def test_coverage_agrees_with_the_engine_matcher(above: str, below: str) -> None:
    """Every address at the edges of `below` (and just outside `above`) is matched by the
    engine exactly as the coverage rule says."""
    a, b = span(above), span(below)
    assert a.kind == b.kind == ADDRESSES and covers(a, b)
    make = ipaddress.IPv4Address if b.version == 4 else ipaddress.IPv6Address
    for value in (b.low, b.high):
        facts = policy.ClientFacts(ip=str(make(value)))
        assert policy.sender_matches(below, facts) and policy.sender_matches(above, facts)
    for value in (a.low - 1, a.high + 1):
        if 0 <= value < 2 ** (32 if a.version == 4 else 128):
            assert not policy.sender_matches(above, policy.ClientFacts(ip=str(make(value))))
