"""How long an inbound connection may keep us waiting: pure functions over a `Pace`.

A `Pace` records, for one connection, what it is waiting for and when it last did
something (times are `time.monotonic()` seconds, passed in). `deadline` says when
the connection must be closed and why; its protocol arms one timer for it and asks
again when the timer fires, so activity only moves numbers here and never touches
a timer. The rules (SmtpTimeouts in state/model.py says them in prose):

- before HELO/EHLO: `greeting` from the banner (or from the end of STARTTLS);
- between commands: `command` from the last command or reply;
- in DATA: `data_block` from the last data received (RFC 5321 §4.5.3.2.6);
- after the final dot, while the message is spooled: no limit from us;
- always (but after the dot): `injection` since the last progress.

Under pressure every wait is cut to `stress` and the progress bound to
`stress_injection`; DATA then counts as progress only at MIN_DATA_RATE, so a client
trickling bytes cannot hold a connection (Postfix's smtpd_min_data_rate).
"""

from __future__ import annotations

import enum
import math
from dataclasses import dataclass

from state.model import SmtpTimeouts

# Postfix's smtpd_min_data_rate (bytes per second), applied under pressure only.
MIN_DATA_RATE = 500.0
# Pressure begins at this share of the listener's connection limit and ends below
# the second (the gap keeps it from flapping at the threshold).
PRESSURE_ON, PRESSURE_OFF = 0.8, 0.7


class Phase(enum.Enum):
    GREETING = "greeting"  # no HELO/EHLO yet
    COMMAND = "command"  # waiting for, or running, a command
    DATA = "data"  # reading message data
    SPOOLING = "spooling"  # after the final dot, until our reply


class Expiry(enum.Enum):
    """Why a connection is closed: each has its reply and its log line."""

    GREETING = "Timeout waiting for HELO/EHLO"
    COMMAND = "Timeout waiting for a command"
    DATA = "Timeout waiting for message data"
    INJECTION = "Timed out waiting for successful message injection"
    EVICTED = "Closed at the connection limit as the idlest connection"


@dataclass
class Pace:
    """The timing facts of one connection (mutable; one per connection)."""

    phase: Phase
    greeting_since: float  # banner sent, or STARTTLS finished
    since: float  # start of the current wait
    progress: float  # connection opened, last message accepted, data in DATA

    @classmethod
    def opened(cls, now: float) -> Pace:
        return cls(Phase.GREETING, now, now, now)

    def banner(self, now: float) -> None:
        """The banner is sent: the wait for HELO/EHLO starts now (not during the HAT's
        DNS lookups before it, which their own timeout bounds)."""
        self.greeting_since = self.since = now

    def command(self, now: float) -> None:
        self.since = now

    def greeted(self, now: float) -> None:
        self.phase, self.since = Phase.COMMAND, now

    def tls_started(self, now: float) -> None:
        """After STARTTLS the client must say EHLO again (RFC 3207 §4.2)."""
        self.phase, self.greeting_since, self.since = Phase.GREETING, now, now

    def data_started(self, now: float) -> None:
        self.phase, self.since = Phase.DATA, now

    def data_received(self, now: float, size: int, pressure: bool) -> None:
        if self.phase is not Phase.DATA:
            return
        self.since = now
        if not pressure:
            self.progress = now
        else:
            self.progress = min(now, self.progress + size / MIN_DATA_RATE)

    def spooling(self) -> None:
        self.phase = Phase.SPOOLING

    def command_done(self, now: float, greeted: bool) -> None:
        if self.phase is not Phase.GREETING or greeted:
            self.phase = Phase.COMMAND
        self.since = now

    def accepted(self, now: float) -> None:
        """A message was accepted: the one thing that is progress outside DATA."""
        self.progress = now


def _wait(pace: Pace, timeouts: SmtpTimeouts) -> tuple[float, float, Expiry]:
    if pace.phase is Phase.GREETING:
        return pace.greeting_since, timeouts.greeting, Expiry.GREETING
    if pace.phase is Phase.DATA:
        return pace.since, timeouts.data_block, Expiry.DATA
    return pace.since, timeouts.command, Expiry.COMMAND


def deadline(pace: Pace, timeouts: SmtpTimeouts, pressure: bool) -> tuple[float, Expiry | None]:
    """When the connection must be closed (monotonic seconds; inf for never) and why."""
    if pace.phase is Phase.SPOOLING:
        return math.inf, None
    start, wait, why = _wait(pace, timeouts)
    injection = timeouts.injection
    if pressure:
        wait, injection = min(wait, timeouts.stress), min(injection, timeouts.stress_injection)
    if pace.progress + injection < start + wait:
        return pace.progress + injection, Expiry.INJECTION
    return start + wait, why


def idle_for(pace: Pace, now: float) -> float:
    """Seconds without progress; a connection spooling a message is never idle."""
    return -math.inf if pace.phase is Phase.SPOOLING else now - pace.progress


def pressure(open_connections: int, limit: int, before: bool) -> bool:
    """Whether a listener with `open_connections` of `limit` is under pressure,
    given whether it was (hysteresis)."""
    share = open_connections / max(1, limit)
    return share >= (PRESSURE_OFF if before else PRESSURE_ON)
