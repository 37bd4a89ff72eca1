"""Reading what the engine publishes in `<data_dir>/status.json` (format in engine/status.py).

The shell never asks the engine anything: it reads this file and decides from
the file alone whether the engine is alive (its pid exists, it wrote recently,
it did not say "stopped").
"""

from __future__ import annotations

import os
from pathlib import Path

import msgspec

from engine.status import FORMAT, RUNNING
from esacli.errors import StatusUnreadable

STALE_AFTER = 30.0  # seconds without a write: the engine is hung or gone


class ListenerStatus(msgspec.Struct, frozen=True):
    address: str
    state: str
    reason: str = ""


class Counters(msgspec.Struct, frozen=True):
    messages_received: int = 0
    recipients_received: int = 0
    rejected_recipients_rat: int = 0
    rejected_recipients_hat: int = 0
    rejected_recipients_rate_limit: int = 0
    rejected_recipients_limit: int = 0
    rejected_recipients_invalid: int = 0
    rejected_messages: int = 0
    rejected_connections: int = 0
    timed_out_connections: int = 0
    refused_commands: int = 0
    delivered_recipients: int = 0
    hard_bounced_recipients: int = 0
    deleted_recipients: int = 0
    soft_bounced_events: int = 0

    @property
    def rejected_recipients(self) -> int:
        return (self.rejected_recipients_rat + self.rejected_recipients_hat
                + self.rejected_recipients_rate_limit + self.rejected_recipients_limit
                + self.rejected_recipients_invalid)

    @property
    def completed_recipients(self) -> int:
        return self.delivered_recipients + self.hard_bounced_recipients + self.deleted_recipients


class Gauges(msgspec.Struct, frozen=True):
    inbound_connections: int = 0
    active_recipients: int = 0
    messages_in_queue: int = 0
    oldest_message: float | None = None


class NotApplied(msgspec.Struct, frozen=True):
    version: int
    reason: str


class StatusDoc(msgspec.Struct, frozen=True):
    format: int
    state: str
    pid: int
    started: float
    updated: float
    version: int | None = None
    hostname: str | None = None
    not_applied: NotApplied | None = None
    listeners: dict[str, ListenerStatus] = msgspec.field(default_factory=dict)
    counters: Counters = Counters()
    gauges: Gauges = Gauges()


def read(path: Path) -> StatusDoc | None:
    """The published status, None if there is none; StatusUnreadable if it makes no sense."""
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise StatusUnreadable(str(exc)) from None
    try:
        doc = msgspec.json.decode(data, type=StatusDoc)
    except (msgspec.DecodeError, msgspec.ValidationError) as exc:
        raise StatusUnreadable(str(exc)) from None
    if doc.format != FORMAT:
        raise StatusUnreadable(f"format {doc.format}")
    return doc


def pid_alive(pid: int) -> bool:
    if pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # exists, owned by someone else
    return True


def alive(doc: StatusDoc, now: float) -> bool:
    """Running by its own word, written within STALE_AFTER s, and its process exists."""
    return doc.state == RUNNING and now - doc.updated <= STALE_AFTER and pid_alive(doc.pid)
