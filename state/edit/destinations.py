"""Edits of the destination control table (reference §6): one entry per domain key.

A key is stored normalised (lower case, no final dot). An entry's limit scope (per MX
IP, per virtual gateway) only means something while the entry limits concurrency or
recipients: with neither, it is reset.
"""

from __future__ import annotations

from state import messages, model
from state.messages import Message
from state.model import DestinationControls, DestinationEntry
from state.validate_outbound import is_domain_key, normalise_domain


def find(dest: DestinationControls, domain: str) -> DestinationEntry | None:
    key = normalise_domain(domain)
    return next((e for e in dest.entries if e.domain == key), None)


def new_domain_refusal(dest: DestinationControls, answer: str) -> Message | None:
    """Why `answer` cannot be the domain of a new entry, or None."""
    key = normalise_domain(answer)
    if not is_domain_key(key):
        return messages.DESTINATION_INVALID(domain=answer)
    if find(dest, key) is not None:
        return messages.DESTINATION_EXISTS(domain=key)
    return None


def with_limits(entry: DestinationEntry, **limits: int | None) -> DestinationEntry:
    """The entry with its limits set; without a concurrency or recipient limit there is
    nothing for the limit scope to apply to, and it is reset."""
    entry = model.replace(entry, **limits)
    if entry.max_concurrency is None and entry.recipient_limit is None:
        return model.replace(entry, limit_per_mx_ip=False, limit_per_virtual_gateway=False)
    return entry


def needs_scope(entry: DestinationEntry) -> bool:
    """Whether the entry's limits have a scope to choose (see `with_limits`)."""
    return entry.max_concurrency is not None or entry.recipient_limit is not None


def put_entry(dest: DestinationControls, entry: DestinationEntry) -> DestinationControls:
    """Replace the entry of the same domain in place, or append it."""
    if find(dest, entry.domain) is None:
        return model.replace(dest, entries=(*dest.entries, entry))
    entries = tuple(entry if e.domain == entry.domain else e for e in dest.entries)
    return model.replace(dest, entries=entries)


def remove_entry(dest: DestinationControls, domain: str) -> DestinationControls:
    key = normalise_domain(domain)
    return model.replace(dest, entries=tuple(e for e in dest.entries if e.domain != key))
