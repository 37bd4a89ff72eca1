"""Edits of a Recipient Access Table (reference §5): the ALL entry stays last and stays.

Addresses are compared in lower case (ALL in capitals), so an address is in the table
once whatever its spelling.
"""

from __future__ import annotations

from state import defaults, forms, messages
from state.errors import EditRefused
from state.messages import Message
from state.model import RatAction, RatEntry

Rat = tuple[RatEntry, ...]
ALL = "ALL"


def find_rat(rat: Rat, address: str) -> int | None:
    key = address.strip().lower()
    return next((i for i, e in enumerate(rat) if e.address.lower() == key), None)


def address_refusal(rat: Rat, address: str) -> Message | None:
    """Why `address` cannot be a new entry, or None (it is then stored normalised)."""
    if not address:
        return messages.ENTER_A_VALUE()
    if not forms.rat_address_ok(address):
        return messages.RAT_ADDRESS_FORMS()
    if find_rat(rat, forms.normalise_rat_address(address)) is not None:
        return messages.RAT_EXISTS(address=address)
    return None


def accepted_addresses(answer: str) -> tuple[str, ...]:
    """The addresses of listenerconfig NEW's "accept mail for" answer, normalised as a new
    entry is, each once (empty items between commas are dropped)."""
    return tuple(dict.fromkeys(forms.normalise_rat_address(a) for a in forms.split_list(answer)))


def accepted_refusal(addresses: tuple[str, ...]) -> Message | None:
    """Why NEW cannot start a listener's table with `addresses`, or None: each must be an
    entry RCPTACCESS NEW would take, the final ALL entry being there already (so ALL is
    refused as RCPTACCESS NEW refuses it)."""
    if not addresses:
        return messages.ENTER_A_VALUE()
    rat = defaults.public_rat(())
    return next(filter(None, (address_refusal(rat, a) for a in addresses)), None)


def insert_rat(rat: Rat, entry: RatEntry) -> Rat:
    """A new entry, just above the final ALL entry."""
    at = len(rat) - 1 if rat and rat[-1].address == ALL else len(rat)
    return (*rat[:at], entry, *rat[at:])


def set_entry(rat: Rat, index: int, entry: RatEntry) -> Rat:
    return (*rat[:index], entry, *rat[index + 1:])


def remove_entry(rat: Rat, index: int) -> Rat:
    if rat[index].address == ALL:
        raise EditRefused(messages.RAT_ALL_FIXED())
    return rat[:index] + rat[index + 1:]


def cleared(action: RatAction) -> Rat:
    """CLEAR: only the ALL entry is left, with `action` for every recipient."""
    return (RatEntry(address=ALL, action=action),)
