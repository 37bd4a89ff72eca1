"""The configuration model: typed, immutable, serialised with msgspec.

A `Config` is one whole configuration version. Every record is a frozen
msgspec Struct and every collection a tuple, so a committed version can be
shared between the engine and any number of shell sessions without copying.
Private keys are never part of it: a certificate names its key by `key_id`
(the SHA-256 of the public key) and the key itself lives in `state.secrets`.

Lists of named records (listeners, policies, sender groups, certificates,
destination entries) are addressed by name in configuration paths, e.g.
``listeners[InboundMail].hat.default.tls`` (see `state.diff`).
"""

from __future__ import annotations

import enum
from typing import Any, TypeVar

import msgspec


class TLSMode(enum.Enum):
    """Inbound (HAT) and outbound (destconfig) TLS setting."""

    NO = "off"
    PREFERRED = "on"
    REQUIRED = "required"
    PREFERRED_VERIFY = "on_verify"
    REQUIRED_VERIFY = "require_verify"


class Behavior(enum.Enum):
    ACCEPT = "ACCEPT"
    RELAY = "RELAY"
    REJECT = "REJECT"
    TCPREFUSE = "TCPREFUSE"
    CONTINUE = "CONTINUE"


class ListenerType(enum.Enum):
    PUBLIC = "Public"
    PRIVATE = "Private"


class RatAction(enum.Enum):
    ACCEPT = "ACCEPT"
    REJECT = "REJECT"


class Frozen(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """Base of every model record."""


class PolicyParams(Frozen):
    """Mail flow policy parameters. `None` means "use the listener's default"."""

    max_message_size: int | None = None
    max_concurrency: int | None = None
    max_msgs_per_session: int | None = None
    max_rcpts_per_msg: int | None = None
    tls: TLSMode | None = None


class Policy(Frozen):
    name: str
    behavior: Behavior
    params: PolicyParams = PolicyParams()


class SenderGroup(Frozen):
    """One HAT row. `senders` holds the §4.5 forms; the ALL row holds ("ALL",)."""

    name: str
    senders: tuple[str, ...]
    policy: str
    comment: str = ""


class HAT(Frozen):
    default: PolicyParams
    policies: tuple[Policy, ...] = ()
    groups: tuple[SenderGroup, ...] = ()


class RatEntry(Frozen):
    address: str
    action: RatAction
    response_code: int | None = None
    response_text: str | None = None


class Listener(Frozen):
    name: str
    type: ListenerType
    interface: str
    port: int
    hat: HAT
    protocol: str = "SMTP"
    certificate: str | None = None
    max_connections: int = 50
    tcp_queue: int = 50
    rat: tuple[RatEntry, ...] = ()


class Interface(Frozen):
    name: str
    ip: str
    hostname: str = ""


class Certificate(Frozen):
    """A certificate profile: the chain in PEM, leaf first, then intermediates."""

    name: str
    chain: tuple[str, ...]
    key_id: str


class DestinationEntry(Frozen):
    """A destconfig row. `tls=None` means "Default" (inherit the DEFAULT row)."""

    domain: str
    tls: TLSMode | None = None
    max_concurrency: int | None = None
    max_msgs_per_connection: int | None = None


class DestinationControls(Frozen):
    default: DestinationEntry = DestinationEntry(
        domain="DEFAULT", tls=TLSMode.NO, max_concurrency=500, max_msgs_per_connection=50
    )
    entries: tuple[DestinationEntry, ...] = ()
    client_certificate: str | None = None


class Config(Frozen):
    hostname: str
    interfaces: tuple[Interface, ...] = ()
    listeners: tuple[Listener, ...] = ()
    certificates: tuple[Certificate, ...] = ()
    destinations: DestinationControls = DestinationControls()


T = TypeVar("T", bound=msgspec.Struct)


def replace(obj: T, **changes: Any) -> T:
    """A copy of a frozen record with some fields changed."""
    return msgspec.structs.replace(obj, **changes)


def by_name(items: tuple[T, ...], name: str) -> T | None:
    """The record called `name` in a tuple of named records, or None."""
    for item in items:
        if getattr(item, "name", None) == name:
            return item
    return None


def put(items: tuple[T, ...], item: T) -> tuple[T, ...]:
    """Replace the record with the same name in place, or append it."""
    name = getattr(item, "name")
    if by_name(items, name) is None:
        return items + (item,)
    return tuple(item if getattr(i, "name") == name else i for i in items)


def drop(items: tuple[T, ...], name: str) -> tuple[T, ...]:
    return tuple(i for i in items if getattr(i, "name", None) != name)


def encode(config: Config) -> bytes:
    return msgspec.json.encode(config)


def decode(data: bytes) -> Config:
    return msgspec.json.decode(data, type=Config)


def to_tree(config: Config) -> dict[str, Any]:
    """Plain Python data (dicts, lists, str, int, None) for diffing and display."""
    tree: dict[str, Any] = msgspec.to_builtins(config)
    return tree


def from_tree(tree: dict[str, Any]) -> Config:
    return msgspec.convert(tree, type=Config)
