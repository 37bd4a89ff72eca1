"""What a time range of a report may be, as people type it: one of the named periods
(the last hour, day, 7 days, 30 days) or a custom range of two dates.

A date is `YYYY-MM-DD` (the whole day) or `YYYY-MM-DD HH:MM` / `YYYY-MM-DDTHH:MM`, in
the appliance's local time. The end of a custom range given as a day includes that day.
Read by the shell's `tlsreport` and by the web console's report page.
"""

from __future__ import annotations

import datetime as dt
import re

from state import messages, ranges
from state.errors import ValueRefused

PERIODS = ("hour", "day", "week", "month")
DAY = 86400
_ASCII_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}([ T][0-9]{2}:[0-9]{2})?")
_FORMATS = ("%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M", "%Y-%m-%d")


def parse_date(text: str, *, end: bool = False) -> float:
    """Epoch seconds of `text` (a day's end, when `end` and only a day is given)."""
    cleaned = text.strip()
    if not _ASCII_DATE.fullmatch(cleaned):  # strptime's %Y takes any script's digits
        raise ValueRefused(messages.BAD_DATE(value=cleaned))
    for fmt in _FORMATS:
        try:
            when = dt.datetime.strptime(cleaned, fmt)
        except ValueError:
            continue
        day_only = fmt == "%Y-%m-%d"
        try:
            return when.timestamp() + (DAY if end and day_only else 0)
        except (ValueError, OverflowError):  # before or after what the clock can say
            break
    raise ValueRefused(messages.BAD_DATE(value=cleaned))


def parse_custom(start: str, end: str) -> tuple[float, float]:
    """A custom range (start, end); refused unless it ends after it starts, and unless it
    is at most as long as the statistics are ever kept (a report's cost grows with its
    range: a chart point a day; "1970 - 9999" took the host's memory)."""
    first, last = parse_date(start), parse_date(end, end=True)
    if last <= first:
        raise ValueRefused(messages.BAD_DATE_RANGE(start=start.strip(), end=end.strip()))
    longest = ranges.TLS_STATS_DAYS.high + 1  # the kept days and the day in progress
    if last - first > longest * DAY:
        raise ValueRefused(messages.DATE_RANGE_TOO_LONG(
            days=longest, start=start.strip(), end=end.strip()))
    return first, last
