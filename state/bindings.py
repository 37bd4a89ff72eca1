"""Which addresses a configuration's listeners listen on, and which a commit would add.

`commit` and `commit check` test-bind the addresses a commit would newly listen
on (esacli/commands/commit.py), so a port another program holds is refused
before it is committed rather than found at apply time. Pure: the probing is the
caller's.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Callable
from dataclasses import dataclass

from state import messages
from state.errors import ConfigError
from state.model import Config

# (ip, port) -> why nothing can listen there now, or None: the caller's test bind.
Probe = Callable[[str, int], "str | None"]


@dataclass(frozen=True)
class Address:
    listener: str
    interface: str
    ip: str
    port: int


def addresses(config: Config) -> list[Address]:
    """Every listener's address (listeners on an unknown interface are left out)."""
    ips = {i.name: i.ip for i in config.interfaces}
    return [Address(li.name, li.interface, ips[li.interface], li.port)
            for li in config.listeners if li.interface in ips]


def _wildcard(ip: str) -> bool:
    try:
        return ipaddress.ip_address(ip).is_unspecified
    except ValueError:
        return False


def _may_overlap(a: Address, b: Address) -> bool:
    """Same port, and one address contains the other (0.0.0.0 holds 127.0.0.1:port)."""
    return a.port == b.port and (a.ip == b.ip or _wildcard(a.ip) or _wildcard(b.ip))


def new_addresses(before: Config, after: Config) -> list[Address]:
    """The addresses of `after` that no listener of `before` already holds.

    An address that may overlap one of `before`'s is left out: the appliance's own
    socket would make a test bind fail, and the engine hands the port over itself.
    """
    held = addresses(before)
    return [a for a in addresses(after) if not any(_may_overlap(a, h) for h in held)]


def bind_errors(before: Config, after: Config, probe: Probe) -> list[ConfigError]:
    """A validation error for each address `after` would newly listen on that `probe`
    finds unusable (a port another program holds)."""
    errors = []
    for a in new_addresses(before, after):
        why = probe(a.ip, a.port)
        if why is not None:
            errors.append(ConfigError(f"listeners[{a.listener}].port", messages.CANNOT_LISTEN(
                listener=a.listener, port=a.port, interface=a.interface, ip=a.ip, why=why)))
    return errors
