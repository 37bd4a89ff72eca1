"""Validation of the resolver settings (`Config.dns`, set by the `dnsconfig` dialog).

The helpers are shared with the dialog, so an answer it accepts is exactly a value the
commit accepts. `dns()` is called from `state.validate` and yields every error with its
configuration path.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterator

from state import messages, ranges
from state.errors import ConfigError
from state.model import Config, DnsSettings


def server_address(text: str) -> str | None:
    """The canonical form of a DNS server's IP address (IPv4 or IPv6, loopback allowed),
    or None when `text` is not one. Canonical so "::0001" and "::1" are seen as the same."""
    try:
        return str(ipaddress.ip_address(text.strip()))
    except ValueError:
        return None


def dns(config: Config) -> Iterator[ConfigError]:
    yield from settings(config.dns)


def settings(dns: DnsSettings) -> Iterator[ConfigError]:
    seen: set[str] = set()
    for server in dns.servers:
        address = server_address(server)
        if address is None:
            yield ConfigError("dns.servers", messages.INVALID_IP(ip=server))
        elif address in seen:
            yield ConfigError("dns.servers", messages.DNS_SERVER_TWICE(server=server))
        else:
            seen.add(address)
    if dns.port not in ranges.DNS_PORT:
        yield ConfigError("dns.port", ranges.DNS_PORT.refusal())
    if dns.timeout not in ranges.DNS_TIMEOUT:
        yield ConfigError("dns.timeout", ranges.DNS_TIMEOUT.refusal())
