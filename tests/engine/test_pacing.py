"""The inbound deadlines as a table: pure functions, no sockets, no clock."""

from __future__ import annotations

import math

import pytest

from engine.inbound.pacing import (
    MIN_DATA_RATE,
    Expiry,
    Pace,
    Phase,
    deadline,
    idle_for,
    pressure,
)
from state.model import SmtpTimeouts

T = SmtpTimeouts(greeting=30, command=300, data_block=180, injection=300, stress=10,
                 stress_injection=60, evict_idle=1)


def test_greeting_is_short_and_commands_do_not_extend_it() -> None:
    pace = Pace.opened(0.0)
    assert deadline(pace, T, False) == (30.0, Expiry.GREETING)
    pace.command(20.0)  # a NOOP before HELO
    pace.command_done(20.1, greeted=False)
    assert deadline(pace, T, False) == (30.0, Expiry.GREETING)
    pace.greeted(25.0)
    assert pace.phase is Phase.COMMAND
    assert deadline(pace, T, False) == (300.0, Expiry.INJECTION)  # 0 + 300 < 25 + 300


def test_noop_is_no_progress_but_an_accepted_message_is() -> None:
    pace = Pace.opened(0.0)
    pace.greeted(1.0)
    for t in range(60, 300, 60):  # a NOOP every minute
        pace.command(float(t))
        pace.command_done(float(t), greeted=True)
    assert deadline(pace, T, False) == (300.0, Expiry.INJECTION)
    pace.accepted(250.0)
    assert deadline(pace, T, False) == (540.0, Expiry.COMMAND)  # 240 + 300 < 250 + 300


def test_data_blocks_reset_the_wait_and_count_as_progress() -> None:
    pace = Pace.opened(0.0)
    pace.greeted(0.0)
    pace.data_started(1.0)
    assert deadline(pace, T, False) == (181.0, Expiry.DATA)
    for t in range(3, 400, 2):  # a line every 2 s for more than 6 minutes
        pace.data_received(float(t), 80, pressure=False)
    assert deadline(pace, T, False) == (399.0 + 180, Expiry.DATA)
    pace.spooling()
    assert deadline(pace, T, False) == (math.inf, None)  # after the final dot: our time
    assert idle_for(pace, 10_000.0) == -math.inf


def test_under_pressure_waits_shrink_and_a_trickle_is_no_progress() -> None:
    pace = Pace.opened(0.0)
    assert deadline(pace, T, True) == (10.0, Expiry.GREETING)
    pace.greeted(1.0)
    pace.data_started(2.0)
    for t in range(3, 60, 5):  # one byte every 5 s
        pace.data_received(float(t), 1, pressure=True)
    assert pace.progress == pytest.approx(12 / MIN_DATA_RATE)
    assert deadline(pace, T, True)[1] is Expiry.INJECTION
    fast = Pace.opened(0.0)
    fast.greeted(0.0)
    fast.data_started(50.0)
    fast.data_received(50.5, 64 * 1024, pressure=True)
    assert fast.progress == 50.5


def test_starttls_starts_a_new_greeting() -> None:
    pace = Pace.opened(0.0)
    pace.greeted(0.1)
    pace.tls_started(5.0)
    assert deadline(pace, T, False) == (35.0, Expiry.GREETING)


@pytest.mark.parametrize(("open_", "before", "expected"), [
    (799, False, False), (800, False, True), (700, True, True), (699, True, False),
])
def test_pressure_has_hysteresis(open_: int, before: bool, expected: bool) -> None:
    assert pressure(open_, 1000, before) is expected
