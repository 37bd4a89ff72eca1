"""What one listener knows about its open connections: how many (in total and per
client IP), whether it is under pressure, which is the idlest, and the hourly
recipient counts. Kept while the listener keeps its socket across commits.

With SMTP workers the limits are the appliance's: `shared` (engine/inbound/shared.py)
holds every worker's counts, and the limits are decided on those; `total` and
`per_ip` stay this process's own (what it can evict, what its status adds)."""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable
from typing import Protocol

from engine.inbound import pacing
from engine.inbound.shared import SharedCounts, SharedRate


class HourlyRate:
    """Recipients accepted per client IP in its current one-hour window (rate limiting)."""

    WINDOW = 3600.0
    PRUNE_AT = 10000

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._windows: dict[str, tuple[float, int]] = {}
        self._prune_at = self.PRUNE_AT

    def used(self, ip: str) -> int:
        start, count = self._windows.get(ip, (0.0, 0))
        return count if self._clock() - start < self.WINDOW else 0

    def add(self, ip: str) -> None:
        now = self._clock()
        start, count = self._windows.get(ip, (now, 0))
        if now - start >= self.WINDOW:
            start, count = now, 0
        self._windows[ip] = (start, count + 1)
        if len(self._windows) > self._prune_at:
            self._windows = {k: v for k, v in self._windows.items() if now - v[0] < self.WINDOW}
            # all still live: the next prune waits until as many again came (amortised O(1))
            self._prune_at = max(self.PRUNE_AT, 2 * len(self._windows))


class Member(Protocol):
    """A tracked connection, as the tracker needs it."""

    @property
    def pace(self) -> pacing.Pace: ...

    def evict(self) -> None:
        """Close this connection now to make room for a new one."""

    def rearm(self) -> None:
        """Its deadline may have moved earlier (pressure began): look again."""


class ConnectionTracker:
    def __init__(self, shared: SharedCounts | None = None) -> None:
        self.per_ip: Counter[str] = Counter()
        self.shared = shared
        self.rates: HourlyRate | SharedRate = shared.rates if shared else HourlyRate()
        self.pressure = False
        self._members: dict[Member, str] = {}

    @property
    def total(self) -> int:
        """This process's open connections."""
        return len(self._members)

    @property
    def everywhere(self) -> int:
        """The listener's open connections in every worker (the limit's count)."""
        return self.shared.total() if self.shared is not None else self.total

    def from_ip(self, ip: str) -> int:
        """Open connections from `ip`, in every worker."""
        return self.shared.from_ip(ip) if self.shared is not None else self.per_ip[ip]

    def add(self, member: Member, ip: str, limit: int) -> None:
        self._members[member] = ip
        self.per_ip[ip] += 1
        if self.shared is not None:
            self.shared.opened(ip)
        before = self.pressure
        self.pressure = pacing.pressure(self.everywhere, limit, self.pressure)
        if self.pressure and not before:
            for other in list(self._members):
                other.rearm()

    def remove(self, member: Member, limit: int) -> None:
        ip = self._members.pop(member, None)
        if ip is None:
            return
        self.per_ip[ip] -= 1
        if self.per_ip[ip] <= 0:
            del self.per_ip[ip]
        if self.shared is not None:
            self.shared.opened(ip, -1)
        self.pressure = pacing.pressure(self.everywhere, limit, self.pressure)

    def evict_idlest(self, now: float, min_idle: float, limit: int) -> bool:
        """Close the connection without progress for longest, if it has been idle at
        least `min_idle` seconds; True when one was closed (its slot is free now)."""
        if not self._members:
            return False
        idlest = max(self._members, key=lambda m: pacing.idle_for(m.pace, now))
        if pacing.idle_for(idlest.pace, now) < min_idle:
            return False
        self.remove(idlest, limit)
        idlest.evict()
        return True

    def close(self) -> None:
        if self.shared is not None:
            self.shared.close()
