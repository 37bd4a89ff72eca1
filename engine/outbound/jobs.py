"""What the queue hands delivery (a `Job`: one message's recipients in one domain) and
what it gets back for each recipient (a `Result`), as soon as the remote reply is known
(`Report`)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from engine.messageflags import PLAIN_MESSAGE, Flags


@dataclass
class Job:
    """One message's recipients in one domain."""

    mid: int
    sender: str
    rids: list[int]
    addresses: list[str]
    content: Callable[[], bytes]
    size: int = 0  # of the content, as spooled
    flags: Flags = PLAIN_MESSAGE  # what the message asks of its delivery's TLS


@dataclass(frozen=True)
class Result:
    status: str  # "delivered", "deferred", "bounced", "dropped"
    reply: str  # the remote reply or our reason (engine/outbound/reasons.py)
    dcid: int | None = None
    code: int = 0  # the remote reply's code (0: the reason is ours)


Report = Callable[[Job, dict[int, Result]], Awaitable[None]]
