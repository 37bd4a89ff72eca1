"""`status` as text (§8.6): the appliance's label column, counters and gauges, then a
Listeners block the appliance does not have. Pure functions of the published status."""

from __future__ import annotations

from collections.abc import Sequence

from esacli import texts
from esacli.render import date
from esacli.status_doc import StatusDoc

LABEL = 31  # the top block's label column (§8.6: "Status as of:" + padding)
ROW_LABEL = 30  # counters and gauges: label column ...
ROW_VALUE = 10  # ... then the value, right-aligned
Row = tuple[int, str, str]


def duration(seconds: float) -> str:
    """`1d 2h 3m 4s`, leading zero units left out (`3m 0s`, `0s`)."""
    left = max(0, int(seconds))
    parts: list[str] = []
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60)):
        count, left = divmod(left, size)
        if count or parts:
            parts.append(f"{count}{unit}")
    parts.append(f"{left}s")
    return " ".join(parts)


def _line(label: str, value: str) -> str:
    return f"{label:<{LABEL}}{value}"


def _version(doc: StatusDoc, head: int) -> str:
    applied = str(doc.version) if doc.version is not None else texts.ops.STATUS_NO_VERSION
    skipped = doc.not_applied
    if skipped is not None and skipped.version > (doc.version or 0):
        return texts.ops.STATUS_NOT_APPLIED.format(applied=applied, version=skipped.version,
                                               reason=skipped.reason)
    if head > (doc.version or 0):
        return texts.ops.STATUS_PENDING.format(applied=applied, head=head)
    return applied


def _header(doc: StatusDoc, now: float, head: int) -> list[str]:
    oldest = doc.gauges.oldest_message
    age = texts.ops.STATUS_NO_MESSAGES if oldest is None else duration(now - oldest)
    return [
        _line(texts.ops.STATUS_AS_OF, date(now)),
        _line(texts.ops.STATUS_UP_SINCE, f"{date(doc.started)} ({duration(now - doc.started)})"),
        _line(texts.ops.STATUS_SYSTEM, texts.ops.STATUS_ONLINE),
        _line(texts.ops.STATUS_VERSION, _version(doc, head)),
        _line(texts.ops.STATUS_OLDEST, age),
    ]


def _table(title: str, column: str, rows: Sequence[Row], values: object) -> list[str]:
    lines = [f"{title:<{ROW_LABEL}}{column:>{ROW_VALUE}}"]
    for level, label, key in rows:
        indent = "  " * level
        if not key:
            lines.append(indent + label)
            continue
        value = f"{int(getattr(values, key)):,}"  # thousands separators, as the appliance
        lines.append(f"{indent + label:<{ROW_LABEL}}{value:>{ROW_VALUE}}")
    return lines


def _counter_rows(detail: bool) -> list[Row]:
    rows = list(texts.ops.STATUS_COUNTER_ROWS)
    if detail:
        at = next(i for i, row in enumerate(rows) if row[2] == "rejected_recipients") + 1
        rows[at:at] = texts.ops.STATUS_REJECTION_DETAIL
    return rows


def _listeners(doc: StatusDoc) -> list[str]:
    if not doc.listeners:
        return [texts.ops.STATUS_LISTENERS, "  " + texts.listener.NO_LISTENERS]
    name_width = max(len(name) for name in doc.listeners) + 2
    address_width = max(len(li.address) for li in doc.listeners.values()) + 2
    lines = [texts.ops.STATUS_LISTENERS]
    for name, listener in doc.listeners.items():
        if listener.state == "failed":
            state = texts.ops.STATUS_FAILED.format(reason=listener.reason)
        elif listener.state == "running" and listener.reason:
            state = texts.ops.STATUS_RUNNING_OLD.format(reason=listener.reason)
        elif listener.state == "running":
            state = texts.ops.STATUS_RUNNING
        elif listener.state == "disabled":
            state = texts.ops.STATUS_DISABLED.format(reason=listener.reason)
        else:
            state = texts.ops.STATUS_STOPPED
        lines.append(f"  {name:<{name_width}}{listener.address:<{address_width}}{state}")
    return lines


def status(doc: StatusDoc, now: float, head: int, detail: bool = False) -> str:
    """The whole `status` screen; `head` is the store's newest version."""
    blocks = [
        _header(doc, now, head),
        _table(texts.ops.STATUS_COUNTERS, texts.ops.STATUS_UPTIME, _counter_rows(detail),
               doc.counters),
        _table(texts.ops.STATUS_GAUGES, texts.ops.STATUS_CURRENT, texts.ops.STATUS_GAUGE_ROWS,
               doc.gauges),
        _listeners(doc),
    ]
    return "\n\n".join("\n".join(block) for block in blocks)


def not_running(doc: StatusDoc | None) -> str:
    if doc is None:
        return texts.ops.STATUS_NOT_RUNNING
    seen = texts.ops.STATUS_LAST_SEEN.format(date=date(doc.updated))
    return texts.ops.STATUS_NOT_RUNNING + "\n" + seen
