"""Where a recorded inbound client goes in the base and in the candidate HAT (pure), for
the dry run (engine/tlsstats/dryrun.py).

A client is placed with the facts the TLS statistics keep of it: its address when it was
counted by address (its domain is `[ip]`), and the sender group it was recorded in: it
matched that row and none above it, so where that row is unchanged it still says where
the client goes. The engine's own HAT order decides (engine/policy.py `evaluate_hat`),
with no PTR name, no DNS list and no certificate (a certificate row is decided after
STARTTLS, and the TLS requirement at connect). A stricter row above the client's place
that needs facts the statistics lack (PTR names, DNS lists, the address of a client
counted by name) is its `doubt`: the client may be taken by it, which cannot be told.
"""

from __future__ import annotations

from dataclasses import dataclass

from engine import policy
from engine.tlsstats.store import Row
from state import senders
from state.hat_rules import certificate_rows, row_tls
from state.model import HAT, SenderGroup, TLSMode
from state.tls_levels import Direction, is_stricter, placement_tls


@dataclass(frozen=True)
class Placed:
    old: int  # the row in the base HAT (-1: its default policy)
    new: int  # ... in the candidate HAT
    stricter: bool
    doubt: tuple[int, tuple[str, ...]] | None  # a stricter row above that may take it


def _facts(row: Row) -> policy.ClientFacts:
    """What the statistics know of a client: its address when it was counted by it."""
    ip = row.domain[1:-1] if row.domain.startswith("[") else ""
    return policy.ClientFacts(ip=ip)


def _recorded_row(hat: HAT, group: str) -> int:
    """Where the group a client was recorded in sits in `hat` (-1: not there). A
    certificate row is decided after STARTTLS, so it says nothing of the connect."""
    for index, row in enumerate(hat.groups):
        if row.name == group and group:
            known = row_tls(row, hat) is not None and index not in certificate_rows(hat)
            return index if known else -1
    return -1


def _first(hat: HAT, facts: policy.ClientFacts, recorded: str) -> int:
    """The first row the facts match, or the recorded group if it comes first."""
    rows = (policy.evaluate_hat(hat, facts).row, _recorded_row(hat, recorded))
    return min((r for r in rows if r >= 0), default=-1)


def _same_senders(old_hat: HAT, new_hat: HAT, group: str) -> bool:
    old = [g.senders for g in old_hat.groups if g.name == group]
    return old == [g.senders for g in new_hat.groups if g.name == group]


def place(row: Row, old_hat: HAT, new_hat: HAT) -> Placed | None:
    """None: the candidate refuses the client outright (not a matter of TLS)."""
    facts = _facts(row)
    # the recorded group still says where the client is if its senders are unchanged
    kept = row.sender_group if _same_senders(old_hat, new_hat, row.sender_group) else ""
    old, new = _first(old_hat, facts, row.sender_group), _first(new_hat, facts, kept)
    old_level, new_level = placement_tls(old_hat, old), placement_tls(new_hat, new)
    if new_level is None:
        return None
    stricter = old_level is not None and is_stricter(old_level, new_level, Direction.INBOUND)
    doubt = None if stricter else _doubt(new_hat, old_hat, new, new_level, facts,
                                         row.sender_group)
    return Placed(old, new, stricter, doubt)


def _lacking(group: SenderGroup, facts: policy.ClientFacts) -> tuple[str, ...]:
    """The facts a row's sender forms need that the statistics do not keep."""
    needs = []
    for form in group.senders:
        sender = senders.parse(form)
        if isinstance(sender, senders.HostName | senders.DomainSuffix):
            needs.append("ptr")
        elif isinstance(sender, senders.DnsList):
            needs.append("dnslist")
        elif isinstance(sender, senders.Addresses) and not facts.ip:
            needs.append("address")
    return tuple(dict.fromkeys(needs))


def _takes_no_more(old_hat: HAT, new_hat: HAT, index: int) -> bool:
    """Whether row `index` of the candidate can take no client it did not take before: it
    is in the base as it is (senders, TLS) and every row above it there is still above it
    (rows added above only take clients first)."""
    group = new_hat.groups[index]
    was = next((i for i, g in enumerate(old_hat.groups)
                if g.name == group.name and g.senders == group.senders), None)
    if was is None or row_tls(old_hat.groups[was], old_hat) != row_tls(group, new_hat):
        return False
    above = {(g.name, g.senders) for g in new_hat.groups[:index]}
    return all((g.name, g.senders) in above for g in old_hat.groups[:was])


def _doubt(new_hat: HAT, old_hat: HAT, new: int, new_level: TLSMode,
           facts: policy.ClientFacts, recorded: str) -> tuple[int, tuple[str, ...]] | None:
    """The first stricter row above the client's place that may take it by facts the
    statistics lack, unless the client was already tried against it in the base (the
    same row, above the group it was recorded in) and went past."""
    tried = old_hat.groups[:max(_recorded_row(old_hat, recorded), 0)]
    for index, group in enumerate(new_hat.groups[:new] if new >= 0 else new_hat.groups):
        lacking = _lacking(group, facts)
        level = row_tls(group, new_hat)
        if not lacking or level is None or not is_stricter(new_level, level, Direction.INBOUND):
            continue
        if _takes_no_more(old_hat, new_hat, index):
            continue
        if not any(g.name == group.name and g.senders == group.senders for g in tried):
            return index, lacking
    return None
