"""The rules the dry run reads from state/tls_levels.py: the TLS a HAT placement gets, new
sender groups among the stricter changes, and which certificate authorities a change
stops trusting."""

from __future__ import annotations

import pytest

from state.defaults import public_hat
from state.model import (
    Authorities,
    Behavior,
    Config,
    CustomCA,
    Listener,
    ListenerType,
    Policy,
    PolicyParams,
    SenderGroup,
    TLSMode,
    replace,
)
from state.tls_levels import (
    Direction,
    StricterChange,
    Untrusted,
    placement_tls,
    stricter_changes,
    untrusted,
)

REQ = TLSMode.REQUIRED


def test_placement_tls() -> None:
    hat = replace(public_hat(), default=replace(public_hat().default, tls=TLSMode.PREFERRED))
    names = [g.name for g in hat.groups]
    assert placement_tls(hat, names.index("BLACKLIST")) is None  # refused outright
    assert placement_tls(hat, names.index("UNKNOWNLIST")) is TLSMode.PREFERRED  # the default's
    assert placement_tls(hat, -1) is TLSMode.PREFERRED  # no row decided


def gateway(*groups: SenderGroup) -> Config:
    hat = public_hat()
    required = Policy(name="TLS_Required", behavior=Behavior.ACCEPT, params=PolicyParams(tls=REQ))
    hat = replace(hat, policies=(*hat.policies, required), groups=(*groups, *hat.groups))
    return Config(hostname="mail.example.com", listeners=(Listener(
        name="InboundMail", type=ListenerType.PUBLIC, interface="Management", port=25, hat=hat),))


def test_a_new_sender_group_that_can_refuse_is_a_stricter_change() -> None:
    """Its clients come from other rows, which only a client can tell: compared with No."""
    new = SenderGroup(name="TLS_Senders", senders=("127.0.0.2",), policy="TLS_Required")
    unnamed = SenderGroup(name="", senders=("127.0.0.3",), policy="TLS_Required")
    plain = SenderGroup(name="PLAIN", senders=("127.0.0.4",), policy="ACCEPTED")
    assert stricter_changes(gateway(), gateway(new, unnamed, plain)) == [
        StricterChange(Direction.INBOUND, "TLS_Senders", TLSMode.NO, REQ, "InboundMail")]


A, B = CustomCA(name="A", pem="pem-a"), CustomCA(name="B", pem="pem-b")


@pytest.mark.parametrize(("base", "candidate", "expected"), [
    (Authorities(custom=(A, B)), Authorities(custom=(B,)), Untrusted(custom=("A",))),
    (Authorities(custom=(A,)), Authorities(custom=(replace(A, name="A2"),)), Untrusted()),
    (Authorities(custom=(A,)), Authorities(custom=(replace(A, pem="new"),)),
     Untrusted(custom=("A",))),
    (Authorities(custom=(A, B)), Authorities(custom_enabled=False, custom=(A, B)),
     Untrusted(custom=("A", "B"))),
    (Authorities(custom=(A,)), Authorities(system_enabled=False, custom=(A,)),
     Untrusted(system=True)),
    (Authorities(system_enabled=False, custom=(A,)), Authorities(system_enabled=False),
     Untrusted(custom=("A",), nothing_left=True)),
    (Authorities(custom_enabled=False, custom=(A,)), Authorities(), Untrusted()),
])
def test_what_a_change_stops_trusting(base: Authorities, candidate: Authorities,
                                      expected: Untrusted) -> None:
    found = untrusted(base, candidate)
    assert found == expected and bool(found) is bool(expected.system or expected.custom)
