"""Whole-config validation of a listener's HAT and RAT (§4, §5).

Called from `state.validate` for each listener; yields every error with its path.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from state import forms, ranges
from state.errors import ConfigError
from state.model import HAT, Listener, ListenerType, PolicyParams, RatEntry, Response

_NAME = re.compile(r"^[A-Za-z0-9_.-]{1,64}$")  # as state.validate.is_name
# What the default policy must set; the other parameters may stay unset everywhere.
REQUIRED_DEFAULTS = (
    "max_message_size", "max_concurrency", "max_msgs_per_session", "max_rcpts_per_msg", "tls",
)


def listener(path: str, li: Listener) -> Iterator[ConfigError]:
    yield from hat(f"{path}.hat", li.hat)
    if li.type is ListenerType.PUBLIC:
        yield from rat(f"{path}.rat", li.rat)


def params(path: str, p: PolicyParams, complete: bool) -> Iterator[ConfigError]:
    for field in REQUIRED_DEFAULTS:
        if complete and getattr(p, field) is None:
            yield ConfigError(f"{path}.{field}", "The default policy must set this value.")
    for field, allowed in ranges.POLICY_FIELDS.items():
        value = getattr(p, field)
        if value is not None and value not in allowed:
            yield ConfigError(f"{path}.{field}", allowed.message)
    rate = p.max_rcpts_per_hour
    if rate is not None and rate != -1 and rate not in ranges.RCPTS_PER_HOUR:
        yield ConfigError(f"{path}.max_rcpts_per_hour", ranges.RCPTS_PER_HOUR.message)
    host = p.banner_hostname
    if host and not forms.is_host(host):
        yield ConfigError(f"{path}.banner_hostname", f'Invalid hostname format: "{host}"')
    for field, codes in ranges.RESPONSE_FIELDS.items():
        response: Response | None = getattr(p, field)
        if response is None:
            continue
        if response.code not in codes:
            yield ConfigError(f"{path}.{field}.code", f"Invalid SMTP code {response.code}.")
        if not response.text.strip():
            yield ConfigError(f"{path}.{field}.text", "The response text cannot be empty.")


def _names(path: str, names: list[str], optional: bool) -> Iterator[ConfigError]:
    seen: set[str] = set()
    for name in names:
        if optional and not name:
            continue  # anonymous sender groups
        if name in seen:
            yield ConfigError(f"{path}[{name}]", f'The name "{name}" is used more than once.')
        seen.add(name)
        if not _NAME.match(name):
            yield ConfigError(f"{path}[{name}]", f'Invalid name "{name}".')


def hat(path: str, h: HAT) -> Iterator[ConfigError]:
    yield from params(f"{path}.default", h.default, complete=True)
    yield from _names(f"{path}.policies", [p.name for p in h.policies], optional=False)
    for policy in h.policies:
        yield from params(f"{path}.policies[{policy.name}].params", policy.params, False)
    yield from _names(f"{path}.groups", [g.name for g in h.groups], optional=True)
    names = {p.name for p in h.policies}
    for index, group in enumerate(h.groups):
        where = f"{path}.groups[{group.name}]"
        last = index == len(h.groups) - 1
        if group.policy and group.policy not in names:
            yield ConfigError(f"{where}.policy", f'Unknown policy "{group.policy}".')
        if not group.policy and group.behavior is None:
            yield ConfigError(f"{where}.policy", "Select a behavior or a policy.")
        yield from params(f"{where}.params", group.params, False)
        for sender in group.senders:
            kind = forms.sender_kind(sender)
            if kind is None or (kind == "all" and not last):
                yield ConfigError(f"{where}.senders", f'Invalid IP or IP range: "{sender}"')
    if not h.groups or h.groups[-1].senders != ("ALL",):
        yield ConfigError(f"{path}.groups", "The last sender group must be ALL.")


def rat(path: str, entries: tuple[RatEntry, ...]) -> Iterator[ConfigError]:
    seen: set[str] = set()
    for entry in entries:
        where = f"{path}[{entry.address}]"
        if not forms.rat_address_ok(entry.address):
            yield ConfigError(where, f'Invalid recipient address "{entry.address}".')
        key = forms.normalise_rat_address(entry.address)
        if key in seen:
            yield ConfigError(where, f'The address "{entry.address}" is listed more than once.')
        seen.add(key)
        if (entry.response_code is None) != (entry.response_text is None):
            yield ConfigError(where, "A custom response needs both a code and a text.")
        code = entry.response_code
        if code is not None and code not in ranges.RAT_CODE:
            yield ConfigError(f"{where}.response_code", f"Invalid SMTP code {code}.")
    if entries and entries[-1].address != "ALL":
        yield ConfigError(path, "The last entry must be ALL.")
