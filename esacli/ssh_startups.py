"""Connections not served yet, capped per source and in all: SSH connections that have not
logged in (as OpenSSH's PerSourceMaxStartups and MaxStartups), and the web console's
(esacli/web/gate.py). Each one waits on a timeout holding a descriptor, so without a cap
one address could hold every socket the process may open.

- A source is an IPv4 address or an IPv6 /64 (one host usually has the whole /64, as
  OpenSSH's PerSourceNetBlockSize 32:64 counts it); past its per-source cap a new
  connection from it is closed at once.
- In all: from `early_drop` connections a new one is closed at random, more often as the
  count nears `full`, and always from `full` (OpenSSH's default is 10:30:100). Many sources
  holding connections can still keep a new login out, as they can with OpenSSH; the local
  console (`esacli shell`) is never refused. The web console stops accepting at its total
  instead (esacli/web/gate.py), so it never reaches this drop.

A connection that logs in, or closes, no longer counts. Refusals are logged at most once
a minute, in words the caller gives (`Wording`). Loopback tests tell sources apart
(127.0.0.2 against 127.0.0.1), so a flood from one never keeps the admin at another from
logging in.
"""

from __future__ import annotations

import ipaddress
import logging
import random
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass

log = logging.getLogger("esacli.ssh")

PER_SOURCE = 20  # above a NAT of several admins; the login tests use 16 guessers
EARLY_DROP = 100
FULL = 300
WARN_EVERY = 60.0  # seconds between two log lines about refused connections


@dataclass(frozen=True)
class Wording:
    """How system_logs names a refusal: "{what} from {address} refused: {why} (N refused so
    far)", on `logger`."""

    what: str
    why: str
    logger: logging.Logger


SSH = Wording("SSH connection", "too many connections not logged in", log)


class Sparse:
    """Lets one log line through per WARN_EVERY seconds: a flood must not fill system_logs."""

    def __init__(self, every: float = WARN_EVERY) -> None:
        self.every = every
        self._last = -every

    def due(self) -> bool:
        now = time.monotonic()
        if now - self._last < self.every:
            return False
        self._last = now
        return True


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
                 full: int = FULL, chance: Callable[[], float] = random.random,
                 wording: Wording = SSH) -> None:
        self.per_source, self.early_drop, self.full = per_source, early_drop, full
        self.wording = wording
        self._chance = chance
        self._open: Counter[str] = Counter()
        self.total = 0  # connections counted, from every source
        self._refused = 0
        self._warn = Sparse()

    def admit(self, address: str) -> bool:
        """Count a new connection from `address`; False (not counted) when it is refused."""
        source = source_of(address)
        if self._open[source] >= self.per_source or self._dropped():
            self._refused += 1
            if self._warn.due():
                self.wording.logger.warning("%s from %s refused: %s (%d refused so far)",
                                            self.wording.what, address, self.wording.why,
                                            self._refused)
            return False
        self._open[source] += 1
        self.total += 1
        return True

    def done(self, address: str) -> None:
        """The connection logged in or closed: it no longer counts."""
        source = source_of(address)
        self._open[source] -= 1
        self.total -= 1
        if self._open[source] <= 0:
            del self._open[source]

    def _dropped(self) -> bool:
        if self.total < self.early_drop:
            return False
        if self.total >= self.full:
            return True
        return self._chance() < (self.total - self.early_drop + 1) / (self.full - self.early_drop)
