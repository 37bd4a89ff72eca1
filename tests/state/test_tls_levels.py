"""Which TLS setting is stricter (state/tls_levels.py), and what a change makes stricter."""

from __future__ import annotations

import pytest

from state.defaults import public_hat
from state.model import (
    Config,
    DestinationControls,
    DestinationEntry,
    Listener,
    ListenerType,
    Policy,
    PolicyParams,
    TLSMode,
    replace,
)
from state.tls_levels import Direction, StricterChange, is_stricter, stricter_changes

NO, PREF, REQ = TLSMode.NO, TLSMode.PREFERRED, TLSMode.REQUIRED
PV, RV = TLSMode.PREFERRED_VERIFY, TLSMode.REQUIRED_VERIFY
OUT, IN = Direction.OUTBOUND, Direction.INBOUND


@pytest.mark.parametrize(("old", "new", "direction", "stricter"), [
    (NO, PREF, OUT, True), (PREF, REQ, OUT, True), (PREF, RV, OUT, True), (REQ, RV, OUT, True),
    (PREF, PV, OUT, False),  # delivers encrypted anyway
    (REQ, PV, OUT, False), (RV, REQ, OUT, False), (PV, PREF, OUT, False),
    (PREF, PV, IN, True),  # a client certificate that does not verify is refused
    (REQ, PV, IN, True), (PV, REQ, IN, True), (RV, REQ, IN, False), (PREF, NO, IN, False),
])
def test_stricter(old: TLSMode, new: TLSMode, direction: Direction, stricter: bool) -> None:
    assert is_stricter(old, new, direction) is stricter


def config(default: TLSMode = PREF, *entries: DestinationEntry, policy_tls: TLSMode = PREF,
           ) -> Config:
    base = public_hat()
    policies = tuple(replace(p, params=replace(p.params, tls=policy_tls)) if p.name == "ACCEPTED"
                     else p for p in base.policies)
    hat = replace(base, policies=policies, default=replace(base.default, tls=NO))
    listener = Listener(name="InboundMail", type=ListenerType.PUBLIC, interface="Management",
                        port=25, hat=hat)
    return Config(hostname="mail.example.com", listeners=(listener,),
                  destinations=DestinationControls(
                      default=DestinationEntry(domain="DEFAULT", tls=default), entries=entries))


def test_a_new_control_is_compared_with_what_its_domain_had() -> None:
    base = config(PREF, DestinationEntry(domain=".example", tls=REQ))
    candidate = config(PREF, DestinationEntry(domain=".example", tls=REQ),
                       DestinationEntry(domain="partner.example", tls=RV),
                       DestinationEntry(domain="other.test", tls=PV),
                       DestinationEntry(domain="inherit.test"))
    assert stricter_changes(base, candidate) == [StricterChange(OUT, "partner.example", REQ, RV)]


def test_default_and_sender_groups() -> None:
    base = config(NO, policy_tls=PREF)
    candidate = config(PREF, policy_tls=REQ)
    changes = stricter_changes(base, candidate)
    assert StricterChange(OUT, "DEFAULT", NO, PREF) in changes
    # every group whose policy is ACCEPTED (UNKNOWNLIST, ALL); WHITELIST is TRUSTED, which
    # leaves TLS to the default (No): unchanged
    groups = [(c.listener, c.name, c.old, c.new) for c in changes if c.direction is IN]
    assert groups == [("InboundMail", "UNKNOWNLIST", PREF, REQ), ("InboundMail", "ALL", PREF, REQ)]


def test_own_params_and_looser_changes() -> None:
    base = config(REQ, policy_tls=REQ)
    candidate = config(PREF, policy_tls=PREF)
    assert stricter_changes(base, candidate) == []
    # a group whose own policy is a bare behavior gets the default's TLS
    hat = candidate.listeners[0].hat
    extra = Policy(name="X", behavior=hat.policies[0].behavior, params=PolicyParams(tls=RV))
    moved = replace(
        hat,
        policies=(*hat.policies, extra),
        groups=tuple(replace(g, policy="X") if g.name == "ALL" else g for g in hat.groups),
    )
    stricter = replace(candidate, listeners=(replace(candidate.listeners[0], hat=moved),))
    assert [(c.name, c.new) for c in stricter_changes(candidate, stricter)] == [("ALL", RV)]
