"""Configuration builders for the engine tests (port 0, a test certificate)."""

from __future__ import annotations

from state.defaults import PUBLIC_DEFAULT
from state.model import (
    HAT,
    Behavior,
    Certificate,
    Config,
    Interface,
    Listener,
    ListenerType,
    Policy,
    RatAction,
    RatEntry,
    SenderGroup,
    TLSMode,
    replace,
)
from tests.kit.loopback import DEAD_DNS

CERT = "Test"


def hat(
    tls: TLSMode = TLSMode.NO,
    groups: tuple[SenderGroup, ...] = (),
    policies: tuple[Policy, ...] = (),
    **params: int,
) -> HAT:
    """A HAT whose default policy has `tls` and `params`; `groups` go above ALL -> ACCEPTED."""
    default = replace(PUBLIC_DEFAULT, tls=tls, **params)
    return HAT(
        default=default,
        policies=(Policy(name="ACCEPTED", behavior=Behavior.ACCEPT), *policies),
        groups=(*groups, SenderGroup(name="ALL", senders=("ALL",), policy="ACCEPTED")),
    )


def listener(name: str = "InboundMail", the_hat: HAT | None = None, **fields: object) -> Listener:
    base = Listener(
        name=name,
        type=ListenerType.PUBLIC,
        interface="Management",
        port=0,
        hat=the_hat or hat(),
        certificate=CERT,
        rat=(
            RatEntry(address="example.com", action=RatAction.ACCEPT),
            RatEntry(address="ALL", action=RatAction.REJECT),
        ),
    )
    return replace(base, **fields)


def config(*listeners: Listener, certificates: tuple[Certificate, ...] = ()) -> Config:
    return Config(
        hostname="mail.test",
        interfaces=(Interface(name="Management", ip="127.0.0.1", hostname="mail.test"),),
        listeners=listeners or (listener(),),
        certificates=certificates,
        dns=DEAD_DNS,
    )
