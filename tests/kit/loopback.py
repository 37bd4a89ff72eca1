"""Keep every test's DNS on loopback.

An engine with no resolver configured uses the system's, which is not on this
machine: its outbound queue would look up (and then connect to) real mail hosts
for the test domains. Tests give every engine a resolver on 127.0.0.1 at a UDP
port where nothing can listen (below the ephemeral range: see ports.DEAD_UDP_PORT),
so each lookup fails at once and mail is deferred.
"""

from __future__ import annotations

import ipaddress

from state import model
from state.model import Config, DnsSettings
from tests.kit.ports import DEAD_UDP_PORT

DEAD_DNS = DnsSettings(servers=("127.0.0.1",), port=DEAD_UDP_PORT, timeout=0.5)


def loopback_dns(config: Config) -> Config:
    """`config` with the dead loopback resolver, unless it already names servers."""
    return config if config.dns.servers else model.replace(config, dns=DEAD_DNS)


def is_loopback(address: str) -> bool:
    try:
        return ipaddress.ip_address(address).is_loopback
    except ValueError:
        return False
