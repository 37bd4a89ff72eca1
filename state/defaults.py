"""The factory configuration written as version 1 on first boot."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

from state import certs
from state.model import (
    HAT,
    Behavior,
    Certificate,
    Config,
    Interface,
    Listener,
    ListenerType,
    Policy,
    PolicyParams,
    RatAction,
    RatEntry,
    SenderGroup,
    TLSMode,
)
from state.numbers import MB
from state.secrets import Secrets

Address = tuple[str, int]
HOSTNAME = "mail.example.com"
DEMO_CERT = "Demo"
DEMO_COMMON_NAME = "Cisco Appliance Demo Certificate"

PUBLIC_DEFAULT = PolicyParams(
    max_message_size=10 * MB,
    max_concurrency=10,
    max_msgs_per_session=10,
    max_rcpts_per_msg=50,
    tls=TLSMode.NO,
)
PRIVATE_DEFAULT = PolicyParams(
    max_message_size=100 * MB,
    max_concurrency=600,
    max_msgs_per_session=10000,
    max_rcpts_per_msg=100000,
    tls=TLSMode.NO,
)


# Reference §3.2 and §4.6: the mail flow policies and sender groups of a new public listener.
PUBLIC_POLICIES = (
    Policy(name="ACCEPTED", behavior=Behavior.ACCEPT),
    Policy(
        name="THROTTLED",
        behavior=Behavior.ACCEPT,
        params=PolicyParams(
            max_message_size=1 * MB,
            max_concurrency=10,
            max_msgs_per_session=10,
            max_rcpts_per_msg=25,
        ),
    ),
    Policy(
        name="TRUSTED",
        behavior=Behavior.ACCEPT,
        params=PolicyParams(
            max_message_size=100 * MB,
            max_concurrency=600,
            max_msgs_per_session=5000,
            max_rcpts_per_msg=5000,
        ),
    ),
    Policy(name="BLOCKED", behavior=Behavior.REJECT),
)
PUBLIC_GROUPS = (
    SenderGroup(
        name="WHITELIST",
        senders=(),
        policy="TRUSTED",
        comment="My trusted senders have no anti-spam scanning or rate limiting",
    ),
    SenderGroup(
        name="BLACKLIST",
        senders=("sbrs[-10.0:-3.0]",),
        policy="BLOCKED",
        comment="Spammers are rejected",
    ),
    SenderGroup(
        name="SUSPECTLIST",
        senders=("sbrs[-3.0:-1.0]",),
        policy="THROTTLED",
        comment="Suspicious senders are throttled",
    ),
    SenderGroup(
        name="UNKNOWNLIST",
        senders=("sbrs[-1.0:0.0]", "sbrs[none]"),
        policy="ACCEPTED",
        comment="Reviewed but undecided, continue normal acceptance",
    ),
    SenderGroup(name="ALL", senders=("ALL",), policy="ACCEPTED"),
)


def public_hat() -> HAT:
    """The default HAT of a new public listener (reference §3.2, §4.6)."""
    return HAT(default=PUBLIC_DEFAULT, policies=PUBLIC_POLICIES, groups=PUBLIC_GROUPS)


def private_hat(relay_hosts: tuple[str, ...]) -> HAT:
    return HAT(
        default=PRIVATE_DEFAULT,
        policies=(
            Policy(name="RELAYED", behavior=Behavior.RELAY),
            Policy(name="BLOCKED", behavior=Behavior.REJECT),
        ),
        groups=(
            SenderGroup(
                name="RELAYLIST",
                senders=relay_hosts,
                policy="RELAYED",
                comment="Relayed senders",
            ),
            SenderGroup(name="ALL", senders=("ALL",), policy="BLOCKED"),
        ),
    )


def public_rat(domains: tuple[str, ...]) -> tuple[RatEntry, ...]:
    accepted = tuple(RatEntry(address=d, action=RatAction.ACCEPT) for d in domains)
    return (*accepted, RatEntry(address="ALL", action=RatAction.REJECT))


def new_listener(
    name: str,
    kind: ListenerType,
    interface: str,
    port: int,
    hosts: tuple[str, ...],
) -> Listener:
    """A listener as listenerconfig NEW creates it: `hosts` are RAT domains or relay hosts.

    New listeners use the Demo certificate until certconfig provides another, as on the
    appliance.
    """
    if kind is ListenerType.PUBLIC:
        return Listener(
            name=name, type=kind, interface=interface, port=port, certificate=DEMO_CERT,
            hat=public_hat(), rat=public_rat(hosts),
        )
    return Listener(
        name=name, type=kind, interface=interface, port=port, certificate=DEMO_CERT,
        hat=private_hat(hosts),
    )


def demo_certificate(secrets: Secrets, now: dt.datetime | None = None) -> Certificate:
    key = certs.generate_key("ecdsa-p256")
    cert = certs.self_signed(key, DEMO_COMMON_NAME, organization="esacli", san=(HOSTNAME,),
                             now=now)
    kid = secrets.put_key(key)
    return Certificate(name=DEMO_CERT, chain=(certs.normalise_pem(cert),), key_id=kid)


# The factory listeners: name -> (type, address, accepted domains / relayed hosts, and
# the interface made for them when a first boot puts them on another IP, as in §3.1).
FACTORY_LISTENERS: dict[str, tuple[ListenerType, Address, tuple[str, ...], str]] = {
    "InboundMail": (ListenerType.PUBLIC, ("127.0.0.1", 2525), ("example.com",), "PublicNet"),
    "OutboundMail": (ListenerType.PRIVATE, ("127.0.0.1", 2526), ("127.0.0.1",), "PrivateNet"),
}


def factory_config(secrets: Secrets, addresses: Mapping[str, Address] | None = None,
                   now: dt.datetime | None = None) -> Config:
    """Version 1. `addresses` (listener name -> (ip, port)) moves factory listeners, e.g.
    `esacli run --inbound 0.0.0.0:25` on a first boot next to other services. `now`: the
    demo certificate's start (the clock's, when it is not the system's)."""
    interfaces = [Interface(name="Management", ip="127.0.0.1", hostname=HOSTNAME)]
    listeners = []
    for name, (kind, default, hosts, net) in FACTORY_LISTENERS.items():
        ip, port = (addresses or {}).get(name, default)
        iface = next((i for i in interfaces if i.ip == ip), None)
        if iface is None:
            iface = Interface(name=net, ip=ip, hostname=HOSTNAME)
            interfaces.append(iface)
        listeners.append(new_listener(name, kind, iface.name, port, hosts))
    return Config(
        hostname=HOSTNAME,
        interfaces=tuple(interfaces),
        listeners=tuple(listeners),
        certificates=(demo_certificate(secrets, now),),
    )
