"""SSH connections that have not logged in yet, capped per source and in all (as OpenSSH's
PerSourceMaxStartups and MaxStartups): each one costs a key exchange and waits up to the
login timeout, so without a cap one address could hold every socket the process may open.

- A source is an IPv4 address or an IPv6 /64 (one host usually has the whole /64, as
  OpenSSH's PerSourceNetBlockSize 32:64 counts it); past PER_SOURCE a new connection from
  it is closed at once.
- In all: from EARLY_DROP connections a new one is closed at random, more often as the
  count nears FULL, and always from FULL (OpenSSH's default is 10:30:100). Many sources
  holding connections can still keep a new login out, as they can with OpenSSH; the local
  console (`esacli shell`) is never refused.

A connection that logs in, or closes, no longer counts. Refusals are logged at most once
a minute. Loopback tests tell sources apart (127.0.0.2 against 127.0.0.1), so a flood from
one never keeps the admin at another from logging in.
"""

from __future__ import annotations

import ipaddress
import logging
import random
import time
from collections import Counter
from collections.abc import Callable

log = logging.getLogger("esacli.ssh")

PER_SOURCE = 20  # above a NAT of several admins; the login tests use 16 guessers
EARLY_DROP = 100
FULL = 300
WARN_EVERY = 60.0  # seconds between two log lines about refused connections


def source_of(address: str) -> str:
    """What the per-source cap counts: the IPv4 address, or the IPv6 address's /64."""
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return address
    if ip.version == 6 and ip.ipv4_mapped is None:
        return str(ipaddress.ip_network(f"{ip}/64", strict=False))
    return str(ip.ipv4_mapped or ip) if ip.version == 6 else str(ip)


class Startups:
    def __init__(self, per_source: int = PER_SOURCE, early_drop: int = EARLY_DROP,
                 full: int = FULL, chance: Callable[[], float] = random.random) -> None:
        self.per_source, self.early_drop, self.full = per_source, early_drop, full
        self._chance = chance
        self._open: Counter[str] = Counter()
        self._refused = 0
        self._warned = -WARN_EVERY

    def admit(self, address: str) -> bool:
        """Count a new connection from `address`; False (not counted) when it is refused."""
        source = source_of(address)
        if self._open[source] >= self.per_source or self._dropped():
            self._refused += 1
            self._warn(address)
            return False
        self._open[source] += 1
        return True

    def done(self, address: str) -> None:
        """The connection logged in or closed: it no longer counts."""
        source = source_of(address)
        self._open[source] -= 1
        if self._open[source] <= 0:
            del self._open[source]

    def _dropped(self) -> bool:
        total = sum(self._open.values())
        if total < self.early_drop:
            return False
        if total >= self.full:
            return True
        return self._chance() < (total - self.early_drop + 1) / (self.full - self.early_drop)

    def _warn(self, address: str) -> None:
        now = time.monotonic()
        if now - self._warned >= WARN_EVERY:
            self._warned = now
            log.warning("SSH connection from %s refused: too many connections not logged in"
                        " (%d refused so far)", address, self._refused)
