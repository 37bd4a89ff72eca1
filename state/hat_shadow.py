"""Shadowed HAT rows: sender groups that can never match, because rows above them match
every client they would (pure; §4.5, §4.7).

The HAT is read top down and the first row that matches and decides (any behavior but
CONTINUE) takes the client. A row is shadowed when every sender form it lists that can
match anyone is covered by a form of a deciding row above it. Coverage is decided form by
form and only where it is certain, so a row is never called shadowed when some client
could still reach it (several rows above that together cover a form do not count):

- `ALL` covers everything; so does `sbrs[none]`: no reputation service is reachable here,
  every client's SBRS is None (the factory UNKNOWNLIST matches every client).
- `sbrs[a:b]` and `SBO:n` match no client here: they cover nothing, and a row's own such
  forms are left out (a row made only of them never matches, but nothing above is to blame).
- The last row, ALL, which every HAT must end with, is never reported (behind the factory
  UNKNOWNLIST it is unreachable here, by design).
- An address form (an address, CIDR, partial address, last-octet range, IPv6 range) covers
  another one of the same IP version whose addresses all lie inside its own.
- `.example.com` covers host names and `.sub.example.com`-style forms ending in it; a host
  name covers itself; `dnslist[zone]` covers the same zone. Address forms never cover host
  names (a host's address is not known in advance), nor the other way round.
"""

from __future__ import annotations

from dataclasses import dataclass

from state import senders
from state.hat_rules import decides
from state.model import HAT

EVERYONE, NOBODY, UNKNOWN = "everyone", "nobody", "unknown"
ADDRESSES, HOST, SUFFIX, DNSLIST = "addresses", "host", "suffix", "dnslist"


@dataclass(frozen=True)
class Span:
    """The clients one sender form matches on this appliance."""

    kind: str
    version: int = 0  # ADDRESSES: 4 or 6
    low: int = 0
    high: int = 0
    name: str = ""  # HOST, SUFFIX: the name; DNSLIST: the zone


@dataclass(frozen=True)
class Shadowed:
    """`group` (row `index`, 0-based) can never match: `by` are the rows above that take
    every client it lists (first covering row of each of its forms, in HAT order)."""

    group: str
    index: int
    by: tuple[str, ...]


def span(form: str) -> Span:
    """What `form` matches (UNKNOWN for a form that is not valid)."""
    sender = senders.parse(form)
    if isinstance(sender, senders.Everyone):
        return Span(EVERYONE)
    if isinstance(sender, senders.Reputation):
        return Span(EVERYONE if sender.low is None else NOBODY)
    if isinstance(sender, senders.NetworkOwner):
        return Span(NOBODY)
    if isinstance(sender, senders.DnsList):
        return Span(DNSLIST, name=sender.zone)
    if isinstance(sender, senders.Addresses):
        return Span(ADDRESSES, sender.version, sender.low, sender.high)
    if isinstance(sender, senders.DomainSuffix):
        return Span(SUFFIX, name=sender.suffix)
    if isinstance(sender, senders.HostName):
        return Span(HOST, name=sender.name)
    return Span(UNKNOWN)


def covers(above: Span, below: Span) -> bool:
    """Every client `below` matches is matched by `above` (certain cases only)."""
    if above.kind == EVERYONE:
        return True
    if above.kind == ADDRESSES:
        return (below.kind == ADDRESSES and below.version == above.version
                and above.low <= below.low and below.high <= above.high)
    if above.kind == SUFFIX:
        return below.kind in (HOST, SUFFIX) and below.name.endswith(above.name)
    if above.kind in (HOST, DNSLIST):
        return below.kind == above.kind and below.name == above.name
    return False


def shadowed_groups(hat: HAT) -> list[Shadowed]:
    """Every sender group of `hat` that no client can reach, with the rows to blame."""
    found = []
    for index, group in enumerate(hat.groups):
        if index == len(hat.groups) - 1 and group.senders == ("ALL",):
            continue  # the required last row: here often unreachable, never a mistake
        spans = [span(s) for s in group.senders]
        live = [s for s in spans if s.kind != NOBODY]
        if not live or any(s.kind == UNKNOWN for s in live):
            continue
        blamed = [_first_cover(hat, index, s) for s in live]
        if all(b is not None for b in blamed):
            by = tuple(dict.fromkeys(b for b in blamed if b is not None))
            found.append(Shadowed(group.name, index, by))
    return found


def _first_cover(hat: HAT, index: int, below: Span) -> str | None:
    for row in hat.groups[:index]:
        if decides(row, hat) and any(covers(span(s), below) for s in row.senders):
            return row.name
    return None


def newly_shadowed(base: HAT | None, candidate: HAT) -> list[Shadowed]:
    """The groups shadowed in `candidate` that were not in `base` (HOSTACCESS NEW and
    MOVE warn about what they just caused)."""
    before = {s.group for s in shadowed_groups(base)} if base is not None else set()
    return [s for s in shadowed_groups(candidate) if s.group not in before]
