"""SSH connections that have not logged in yet, capped per address and in all (as
OpenSSH's MaxStartups): each one costs a key exchange and waits up to the login timeout,
so without a cap one address could hold every socket the process may open. A connection
past a cap is closed at once; one that logs in no longer counts.

Loopback tests tell addresses apart (127.0.0.2 against 127.0.0.1), so a flood from one
address never keeps the admin at another from logging in.
"""

from __future__ import annotations

import logging
import time
from collections import Counter

log = logging.getLogger("esacli.ssh")

PER_ADDRESS = 20  # above a NAT of several admins; the login tests use 16 guessers
TOTAL = 100
WARN_EVERY = 60.0  # seconds between two log lines about refused connections


class Startups:
    def __init__(self, per_address: int = PER_ADDRESS, total: int = TOTAL) -> None:
        self.per_address, self.total = per_address, total
        self._open: Counter[str] = Counter()
        self._refused = 0
        self._warned = -WARN_EVERY

    def admit(self, address: str) -> bool:
        """Count a new connection from `address`; False (not counted) past a cap."""
        if self._open[address] >= self.per_address or sum(self._open.values()) >= self.total:
            self._refused += 1
            self._warn(address)
            return False
        self._open[address] += 1
        return True

    def done(self, address: str) -> None:
        """The connection logged in or closed: it no longer counts."""
        self._open[address] -= 1
        if self._open[address] <= 0:
            del self._open[address]

    def _warn(self, address: str) -> None:
        now = time.monotonic()
        if now - self._warned >= WARN_EVERY:
            self._warned = now
            log.warning("SSH connection from %s refused: too many connections not logged in"
                        " (%d refused so far)", address, self._refused)
