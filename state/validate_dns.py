"""Validation of the resolver settings (`Config.dns`, set by the `dnsconfig` dialog).

The helpers are shared with the dialog, so an answer it accepts is exactly a value the
commit accepts. `dns()` is called from `state.validate` and yields every error with its
configuration path.
"""

from __future__ import annotations

import ipaddress
import math
from collections.abc import Iterator

from state.errors import ConfigError
from state.model import Config, DnsSettings


def server_address(text: str) -> str | None:
    """The canonical form of a DNS server's IP address (IPv4 or IPv6, loopback allowed),
    or None when `text` is not one. Canonical so "::0001" and "::1" are seen as the same."""
    try:
        return str(ipaddress.ip_address(text.strip()))
    except ValueError:
        return None


def port_ok(port: int) -> bool:
    return 1 <= port <= 65535


def timeout_ok(timeout: float) -> bool:
    """A positive, finite number of seconds (NaN and infinity would stall lookups)."""
    return math.isfinite(timeout) and timeout > 0


def dns(config: Config) -> Iterator[ConfigError]:
    yield from settings(config.dns)


def settings(dns: DnsSettings) -> Iterator[ConfigError]:
    seen: set[str] = set()
    for server in dns.servers:
        address = server_address(server)
        if address is None:
            yield ConfigError("dns.servers", f'Invalid IP address "{server}".')
        elif address in seen:
            yield ConfigError("dns.servers", f'The DNS server "{server}" is listed more than once.')
        else:
            seen.add(address)
    if not port_ok(dns.port):
        yield ConfigError("dns.port", "The value must be an integer from 1 to 65535.")
    if not timeout_ok(dns.timeout):
        yield ConfigError("dns.timeout", "The value must be a number greater than 0.")
