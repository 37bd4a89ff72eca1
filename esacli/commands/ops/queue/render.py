"""The queue as text: `showrecipients` and `tophosts`. Pure functions of what
engine.queue.admin read, and of the time of the listing."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from engine.queue.admin import DomainLoad, QueuedRecipient
from engine.queue.store import QUEUED
from esacli import texts
from esacli.commands.ops.status.render import LABEL
from esacli.render import columns, date

COUNT = 9  # width of a tophosts count column (a space, then up to 8 characters)


Held = Callable[[str], bool]  # whether delivery to a domain is suspended (suspenddel)


def _never(domain: str) -> bool:
    return False


def status_label(rcpt: QueuedRecipient, now: float, held: Held = _never) -> str:
    if rcpt.status != QUEUED:
        return texts.queue.STATUS_LABELS.get(rcpt.status, rcpt.status)
    if held(rcpt.domain):
        return texts.queue.STATUS_LABELS["suspended"]
    return texts.queue.STATUS_LABELS["deferred" if rcpt.deferred(now) else "due"]


def _row(rcpt: QueuedRecipient, now: float, held: Held) -> list[str]:
    sender = rcpt.sender if rcpt.sender.strip("<>") else texts.queue.NULL_SENDER
    retry = date(rcpt.next_attempt) if rcpt.deferred(now) else texts.queue.NO_VALUE
    return [
        str(rcpt.mid), str(rcpt.rid), str(rcpt.size), sender, rcpt.address,
        status_label(rcpt, now, held), str(rcpt.attempts), retry,
        rcpt.reason or texts.queue.NO_VALUE,
    ]


def recipients(rows: Sequence[QueuedRecipient], now: float, limit: int,
               held: Held = _never) -> str:
    """One line per recipient, oldest message first (the order they come in)."""
    if not rows:
        return texts.queue.SHOW_NONE
    table = columns([list(texts.queue.SHOW_COLUMNS), *(_row(r, now, held) for r in rows)])
    if len(rows) >= limit:
        table += "\n\n" + texts.queue.SHOW_TRUNCATED.format(count=limit)
    return table


def tophosts(loads: Sequence[DomainLoad], now: float) -> str:
    """`Status as of:`, then the ranked hosts with their counts, right-aligned."""
    head = [f"{texts.queue.TOPHOSTS_AS_OF:<{LABEL}}{date(now)}"]
    if not loads:
        return "\n".join([*head, "", texts.queue.TOPHOSTS_NONE])
    rank = max(len(texts.queue.TOPHOSTS_RANK), len(str(len(loads))))
    host = max(len(texts.queue.TOPHOSTS_HOST), *(len(d.domain) for d in loads))
    counts = texts.queue.TOPHOSTS_COUNTS
    lines = [
        " " * (rank + 1 + host) + "".join(f"{top:>{COUNT}}" for top, _, _ in counts),
        f"{texts.queue.TOPHOSTS_RANK:>{rank}} {texts.queue.TOPHOSTS_HOST:<{host}}"
        + "".join(f"{second:>{COUNT}}" for _, second, _ in counts),
    ]
    for n, load in enumerate(loads, 1):
        cells = "".join(f"{getattr(load, key):>{COUNT},}" for _, _, key in counts)
        lines.append(f"{n:>{rank}} {load.domain:<{host}}{cells}")
    return "\n".join([*head, "", *lines])
