"""Edits of the destination control table (reference §6): one entry per domain key.

A key is stored normalised (lower case, no final dot). An entry's limit scope (per MX
IP, per virtual gateway) only means something while the entry limits concurrency or
recipients: with neither, it is reset.

The DNS-published TLS policies (docs/tls-policy.md): an entry's DANE support, MTA-STS and
TLS failure action are None for "Default" (the DEFAULT row's); the DEFAULT row's own None
means No, off and defer. The DEFAULT row may use DANE opportunistically but never make it
mandatory: that would stop delivery to every domain whose zone is not signed.
"""

from __future__ import annotations

from typing import TypeVar

from state import messages, model
from state.messages import Message
from state.model import DaneMode, DestinationControls, DestinationEntry, TlsFailure
from state.validate_outbound import dane_choices, dane_refusal, is_domain_key, normalise_domain

V = TypeVar("V", DaneMode, TlsFailure, bool)

# The DANE rule is validation's (it refuses a stored version too); the dialogs read it here.
__all__ = [
    "TLS_FAILURES", "dane_choices", "dane_refusal", "default_dane", "default_mta_sts",
    "default_tls_failure", "find", "needs_scope", "new_domain_refusal", "put_entry",
    "remove_entry", "with_default_dane", "with_default_policy", "with_limits",
]


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


TLS_FAILURES = (TlsFailure.DEFER, TlsFailure.BOUNCE)


def default_dane(default: DestinationEntry) -> DaneMode:
    return default.dane or DaneMode.NO


def default_mta_sts(default: DestinationEntry) -> bool:
    return bool(default.mta_sts)


def default_tls_failure(default: DestinationEntry) -> TlsFailure:
    return default.tls_failure or TlsFailure.DEFER


def with_default_dane(default: DestinationEntry, dane: DaneMode) -> DestinationEntry:
    """The DEFAULT row with its DANE support answered (see `_kept_unset`)."""
    return model.replace(default, dane=_kept_unset(default.dane, dane, default_dane(default)))


def with_default_policy(default: DestinationEntry, mta_sts: bool,
                        tls_failure: TlsFailure) -> DestinationEntry:
    """The DEFAULT row with its MTA-STS and TLS failure action answered."""
    return model.replace(
        default, mta_sts=_kept_unset(default.mta_sts, mta_sts, default_mta_sts(default)),
        tls_failure=_kept_unset(default.tls_failure, tls_failure, default_tls_failure(default)))


def _kept_unset(stored: V | None, answer: V, meaning: V) -> V | None:
    # An unset value answered with what it already means stays unset: Enter through the
    # dialog is no change (showchanges, the commit's diff).
    return None if stored is None and answer == meaning else answer
