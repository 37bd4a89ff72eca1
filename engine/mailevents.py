"""Reading mail_logs back: which lines belong to one message (findevent, reference §8.7).

The line shapes are engine/maillog.py's. A message's lines are those naming its MID,
and the lines of the connections that carried it that name no other message: its
ICID's (from `Start MID m ICID i`) and its DCIDs' (any line naming `DCID d` and `MID m`:
`Delivery start`, and the `Delayed:` or `Bounced:` of an attempt that failed before it,
whose connection's lines say why; DCID 0 is no connection). Pure functions over lines,
in the order given.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Protocol

from engine.maillog import BOUNCE_OF

_MID = re.compile(r" MID (\d+)\b")
_ICID = re.compile(r" ICID (\d+)\b")
_DCID = re.compile(r" DCID (\d+)\b")
_START = re.compile(r" Start MID (\d+) ICID (\d+)\b")
# matched against the whole text after the level (no client text comes before it there)
_BOUNCE = re.compile(r"MID (\d+) was generated for " + BOUNCE_OF.format(mid=r"(\d+)"))
# what each search looks at: (MID, the value searched)
FIELDS = {
    "from": re.compile(r" MID (\d+) ICID \d+ From: (.*)$"),
    "to": re.compile(r" MID (\d+) ICID \d+ (?:RID \d+ )?To: (<[^>]*>|\S+)"),
    "subject": re.compile(r" MID (\d+) Subject '(.*)'$"),
}


class Matcher(Protocol):
    """What a search matches a field with: a compiled expression, or one with limits."""

    def search(self, text: str, /) -> object: ...


@dataclass
class Connections:
    """Which connections carried which message (from a first pass over the lines)."""

    icids: dict[int, set[int]] = field(default_factory=dict)  # MID -> ICIDs
    dcids: dict[int, set[int]] = field(default_factory=dict)  # MID -> DCIDs

    def note(self, line: str) -> None:
        start = _START.search(line)
        if start:
            self.icids.setdefault(int(start.group(1)), set()).add(int(start.group(2)))
        dcid, mid = _DCID.search(line), _MID.search(line)
        if dcid and mid and int(dcid.group(1)):
            self.dcids.setdefault(int(mid.group(1)), set()).add(int(dcid.group(1)))


def matching(lines: Iterable[str], what: str, pattern: Matcher) -> list[int]:
    """MIDs (in first-seen order) whose `what` field (from, to, subject) matches."""
    shape, found = FIELDS[what], dict[int, None]()
    for line in lines:
        match = shape.search(line)
        if match and pattern.search(match.group(2)):
            found.setdefault(int(match.group(1)), None)
    return list(found)


def connections(lines: Iterable[str]) -> Connections:
    seen = Connections()
    for line in lines:
        seen.note(line)
    return seen


def _carriers(mids: set[int], seen: Connections) -> tuple[dict[int, list[int]], ...]:
    """ICID -> the wanted MIDs it carried, DCID -> the same (a line is looked up once,
    however many messages match)."""
    by_icid: dict[int, list[int]] = {}
    by_dcid: dict[int, list[int]] = {}
    for mid in sorted(mids):
        for icid in seen.icids.get(mid, ()):
            by_icid.setdefault(icid, []).append(mid)
        for dcid in seen.dcids.get(mid, ()):
            by_dcid.setdefault(dcid, []).append(mid)
    return by_icid, by_dcid


def bounce_of(line: str) -> int | None:
    """The MID whose bounce a `MID m was generated for bounce of MID n` line made."""
    if " was generated for " not in line:  # most lines: no regex for them
        return None
    generated = _BOUNCE.fullmatch(line.partition(": ")[2])
    return int(generated.group(2)) if generated else None


def events(lines: Iterable[str], mids: Iterable[int], seen: Connections) -> dict[int, list[str]]:
    """Each MID's lines, in log order: those naming it, and those of its connections
    that name no MID (a connection may carry several of the MIDs); the line saying a
    bounce was generated for it is also the bounced message's."""
    wanted = set(mids)
    by_icid, by_dcid = _carriers(wanted, seen)
    found: dict[int, list[str]] = {mid: [] for mid in wanted}
    for line in lines:
        mid = _MID.search(line)
        if mid:
            number = int(mid.group(1))
            if number in wanted:
                found[number].append(line)
            bounced = bounce_of(line)
            if bounced in wanted and bounced != number:
                found[bounced].append(line)
            continue
        icid, dcid = _ICID.search(line), _DCID.search(line)
        owners = (by_icid.get(int(icid.group(1)), []) if icid else []) + (
            by_dcid.get(int(dcid.group(1)), []) if dcid else [])
        for owner in dict.fromkeys(owners):
            found[owner].append(line)
    return found
