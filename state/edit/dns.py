"""Edits of the resolver list (dnsconfig): a server's priority is its place in the list.

The model keeps the servers in the order the engine's resolver asks them and stores no
priority; an answer of priority p puts the server at place p. Ties are not offered
(dnspython always asks in order), so what the status shows is what the engine does.
"""

from __future__ import annotations

from collections.abc import Sequence

from state import messages, validate_dns
from state.messages import Message


def place(servers: Sequence[str], ip: str, priority: int) -> tuple[str, ...]:
    """`servers` with `ip` added at `priority`: every other server's priority is its
    place; among equal priorities the added one comes first, so it lands at `priority`."""
    ranked = [(p, 1, s) for p, s in enumerate(servers)] + [(priority, 0, ip)]
    return tuple(s for _, _, s in sorted(ranked, key=lambda r: (r[0], r[1])))


def without(servers: Sequence[str], index: int) -> tuple[str, ...]:
    return tuple(servers[:index]) + tuple(servers[index + 1:])


def server_refusal(others: Sequence[str], answer: str) -> Message | None:
    """Why `answer` cannot be a server beside `others`, or None."""
    ip = validate_dns.server_address(answer)
    if ip is None:
        return messages.DNS_INVALID_SERVER(ip=answer)
    if ip in others:
        return messages.DNS_SERVER_EXISTS(ip=ip)
    return None
