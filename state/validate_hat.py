"""Whole-config validation of a listener's HAT and RAT (§4, §5).

Called from `state.validate` for each listener; yields every error with its path.
"""

from __future__ import annotations

from collections.abc import Iterator

from state import forms, messages, names, policy_params, ranges
from state.errors import ConfigError
from state.model import HAT, Listener, ListenerType, PolicyParams, RatEntry


def listener(path: str, li: Listener) -> Iterator[ConfigError]:
    yield from hat(f"{path}.hat", li.hat)
    if li.type is ListenerType.PUBLIC:
        yield from rat(f"{path}.rat", li.rat)


def params(path: str, p: PolicyParams, complete: bool) -> Iterator[ConfigError]:
    """The values a policy may hold: the parameter table's rules (state.policy_params)."""
    for field, why in policy_params.problems(p, complete):
        yield ConfigError(f"{path}.{field}", why)


def hat(path: str, h: HAT) -> Iterator[ConfigError]:
    yield from params(f"{path}.default", h.default, complete=True)
    yield from names.problems(f"{path}.policies", [p.name for p in h.policies], optional=False)
    for policy in h.policies:
        yield from params(f"{path}.policies[{policy.name}].params", policy.params, False)
    yield from names.problems(f"{path}.groups", [g.name for g in h.groups], optional=True)
    policies = {p.name for p in h.policies}
    for index, group in enumerate(h.groups):
        where = f"{path}.groups[{group.name}]"
        last = index == len(h.groups) - 1
        if group.policy and group.policy not in policies:
            yield ConfigError(f"{where}.policy", messages.UNKNOWN_POLICY(name=group.policy))
        if not group.policy and group.behavior is None:
            yield ConfigError(f"{where}.policy", messages.SELECT_BEHAVIOR())
        yield from params(f"{where}.params", group.params, False)
        for sender in group.senders:
            kind = forms.sender_kind(sender)
            if kind is None or (kind == "all" and not last):
                yield ConfigError(f"{where}.senders", messages.INVALID_SENDER(sender=sender))
    if not h.groups or h.groups[-1].senders != ("ALL",):
        yield ConfigError(f"{path}.groups", messages.LAST_GROUP_ALL())


def rat(path: str, entries: tuple[RatEntry, ...]) -> Iterator[ConfigError]:
    seen: set[str] = set()
    for entry in entries:
        where = f"{path}[{entry.address}]"
        if not forms.rat_address_ok(entry.address):
            yield ConfigError(where, messages.INVALID_RAT_ADDRESS(address=entry.address))
        key = forms.normalise_rat_address(entry.address)
        if key in seen:
            yield ConfigError(where, messages.RAT_LISTED_TWICE(address=entry.address))
        seen.add(key)
        if (entry.response_code is None) != (entry.response_text is None):
            yield ConfigError(where, messages.RAT_RESPONSE_PAIR())
        code = entry.response_code
        if code is not None and code not in ranges.RAT_CODE:
            yield ConfigError(f"{where}.response_code", messages.INVALID_SMTP_CODE(code=code))
    if entries and entries[-1].address != "ALL":
        yield ConfigError(path, messages.LAST_ENTRY_ALL())
