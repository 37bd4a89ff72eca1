"""The plain form of an envelope address: `local@domain`, its local part a dot-atom
(RFC 5321 §4.1.2) and its domain letters, digits, hyphens and dots. Pure.

Nearly every address is in it, and one that is needs no RFC 5322 parser to be read or
sent as it is: the inbound grammar (engine/inbound/commands.py) and the outbound check
(engine/outbound/addresses.py) ask this first and parse only the rest.
"""

from __future__ import annotations

_ATEXT = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
                   "!#$%&'*+/=?^_`{|}~-.")
_DOMAIN = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-.")


def is_plain(address: str) -> bool:
    local, at, domain = address.partition("@")
    return bool(
        at and local and domain and _ATEXT.issuperset(local) and _DOMAIN.issuperset(domain)
        and local[0] != "." and local[-1] != "." and ".." not in local
        and domain[0] not in ".-" and domain[-1] != "." and ".." not in domain)
