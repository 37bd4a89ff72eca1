"""Syntax of HAT sender forms (§4.5) and RAT addresses (§5). Pure.

`sender_kind` names the form of one sender ("ipv4", "ipv6", "host", "domain",
"sbrs", "sbo", "dnslist", "all") or returns None when it is not a valid form; the
dialogs, the import parser and whole-config validation all use it, so a form is
accepted or refused the same way everywhere. The one parser of sender forms is
`state.senders`; matching is the engine's job.
"""

from __future__ import annotations

import ipaddress
import re

from state import senders
from state.names import is_host

_LOCAL = re.compile(r"^[A-Za-z0-9!#$%&'*+/=?^_`{|}~.-]+$")


def sender_kind(form: str) -> str | None:
    """The kind of one §4.5 sender form, or None when it is not valid."""
    sender = senders.parse(form)
    return None if sender is None else sender.kind


def split_list(answer: str) -> tuple[str, ...]:
    """A comma-separated answer as distinct, stripped items (duplicates dropped, §4.5)."""
    return tuple(dict.fromkeys(x.strip() for x in answer.split(",") if x.strip()))


def rat_address_ok(address: str) -> bool:
    """§5: `example.com`, `.example.com`, `user@`, `user@example.com`, `user@[1.2.3.4]`, ALL."""
    text = address.strip()
    if text.upper() == "ALL":
        return True
    if text.startswith("."):
        return is_host(text[1:])
    if "@" not in text:
        return is_host(text)
    local, _, domain = text.rpartition("@")
    if not local or not _LOCAL.match(local) or "@" in local:
        return False
    if not domain:
        return True
    if domain.startswith("[") and domain.endswith("]"):
        try:
            ipaddress.ip_address(domain[1:-1])
            return True
        except ValueError:
            return False
    return is_host(domain)


def normalise_rat_address(address: str) -> str:
    """Keys are compared in lower case; ALL is spelled in capitals."""
    text = address.strip()
    return "ALL" if text.upper() == "ALL" else text.lower()
