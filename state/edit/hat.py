"""Edits of a HAT (reference §4.3-§4.5): sender groups, mail flow policies, their rules.

Sender groups are addressed by index because anonymous groups have no name. The rules:
the final ALL row stays last (new rows go just above it, nothing moves below it, it is
neither moved nor deleted); renaming a policy renames it in every row that uses it;
deleting a policy deletes the sender groups that use it, unless ALL uses it; a row that
names a policy carries no behavior or parameters of its own; named policies cannot
CONTINUE; only ACCEPT, RELAY and REJECT carry parameters.
"""

from __future__ import annotations

from state import defaults, forms, messages, model
from state.errors import EditRefused, ValueRefused
from state.messages import Message
from state.model import HAT, Behavior, Listener, Policy, PolicyParams, SenderGroup
from state.names import hat_name_refusal, is_name

ALL = "ALL"
GROUP_BEHAVIORS = (Behavior.ACCEPT, Behavior.RELAY, Behavior.REJECT, Behavior.TCPREFUSE,
                   Behavior.CONTINUE)
POLICY_BEHAVIORS = GROUP_BEHAVIORS[:4]
_WITH_PARAMS = (Behavior.ACCEPT, Behavior.RELAY, Behavior.REJECT)
Choice = str | Behavior  # a named policy, or a behavior of the row's own


def takes_params(choice: Choice) -> bool:
    """Whether a row or policy with this behavior has parameters to set."""
    return choice in _WITH_PARAMS


def label(group: SenderGroup) -> str:
    """How a sender group is listed and named: its name, or its senders if anonymous."""
    return group.name or ", ".join(group.senders)


def is_all_row(hat: HAT, index: int) -> bool:
    return index == len(hat.groups) - 1 and hat.groups[index].senders == (ALL,)


def all_index(hat: HAT) -> int:
    """Index of the final ALL row (len(groups) when the table has none)."""
    last = len(hat.groups) - 1
    return last if last >= 0 and is_all_row(hat, last) else len(hat.groups)


def movable(hat: HAT, index: int | None) -> bool:
    """Every row but the final ALL may be moved, deleted or given other senders."""
    return index is not None and 0 <= index < all_index(hat)


def find_group(hat: HAT, name: str) -> int | None:
    for index, group in enumerate(hat.groups):
        if group.name == name or (not group.name and label(group) == name):
            return index
    return None


# -- rows ---------------------------------------------------------------------------


def insert_group(hat: HAT, group: SenderGroup) -> HAT:
    """A new row, just above the final ALL row."""
    at = all_index(hat)
    return model.replace(hat, groups=(*hat.groups[:at], group, *hat.groups[at:]))


def set_group(hat: HAT, index: int, group: SenderGroup) -> HAT:
    groups = list(hat.groups)
    groups[index] = group
    return model.replace(hat, groups=tuple(groups))


def remove_group(hat: HAT, index: int) -> HAT:
    if not movable(hat, index):
        raise EditRefused(messages.ALL_IS_FIXED())
    return model.replace(hat, groups=hat.groups[:index] + hat.groups[index + 1:])


def move_group(hat: HAT, index: int, before: int) -> HAT:
    """Move row `index` so it sits just above row `before` (as numbered before the move)."""
    if not movable(hat, index) or index == before:
        raise EditRefused(messages.ALL_IS_FIXED())
    groups = list(hat.groups)
    groups.insert(before, groups[index])
    groups.pop(index + 1 if before <= index else index)
    return model.replace(hat, groups=tuple(groups))


def point_group(group: SenderGroup, choice: Choice, params: PolicyParams) -> SenderGroup:
    """The row pointing at named policy `choice` (no behavior or parameters of its own),
    or carrying behavior `choice` itself with `params`."""
    if isinstance(choice, Behavior):
        return model.replace(group, policy="", behavior=choice, params=params)
    return model.replace(group, policy=choice, behavior=None, params=PolicyParams())


# -- senders of a row -----------------------------------------------------------------


def sender_refusal(hosts: tuple[str, ...], required: bool = True) -> Message | None:
    """Why these senders cannot be a row's (the first bad one is named), or None.
    ALL is not typed in: only the final row holds it."""
    bad = next((h for h in hosts if forms.sender_kind(h) in (None, "all")), None)
    if bad is not None:
        return messages.INVALID_SENDER(sender=bad)
    if not hosts and required:
        return messages.ENTER_A_VALUE()
    return None


def new_senders(group: SenderGroup, hosts: tuple[str, ...]) -> tuple[str, ...]:
    """`hosts` not yet in the group, each once (duplicates within a group are dropped)."""
    return tuple(h for h in dict.fromkeys(hosts) if h not in group.senders)


def holder(hat: HAT, index: int, host: str) -> SenderGroup | None:
    """Another row that already lists `host`."""
    return next((g for i, g in enumerate(hat.groups) if i != index and host in g.senders), None)


def remove_sender(group: SenderGroup, position: int) -> SenderGroup:
    return model.replace(group, senders=group.senders[:position] + group.senders[position + 1:])


def move_sender(group: SenderGroup, position: int, before: int) -> SenderGroup:
    """Sender `position` just above sender `before` (as numbered before the move)."""
    senders = list(group.senders)
    moving = senders.pop(position)
    senders.insert(before if before < position else before - 1, moving)
    return model.replace(group, senders=tuple(senders))


# -- names ------------------------------------------------------------------------------


def _name_refusal(name: str, taken: list[str], exists: Message, current: str) -> Message | None:
    """Names of a HAT differ in more than case (the dialogs find them either way), are
    not all digits (a dialog reads a number as a row), and are not ALL (the last row)."""
    if not name:
        return messages.ENTER_A_VALUE()
    if not is_name(name):
        return messages.NAME_CHARACTERS()
    if (refusal := hat_name_refusal(name)) is not None:
        return refusal
    if name.lower() != current.lower() and name.lower() in {t.lower() for t in taken}:
        return exists
    return None


def group_name_refusal(hat: HAT, name: str, current: str = "") -> Message | None:
    """Why `name` cannot name a sender group (`current`: its own name), or None."""
    taken = [g.name for g in hat.groups if g.name]
    return _name_refusal(name, taken, messages.GROUP_EXISTS(name=name), current)


def policy_name_refusal(hat: HAT, name: str) -> Message | None:
    taken = [p.name for p in hat.policies]
    return _name_refusal(name, taken, messages.POLICY_EXISTS(name=name), "")


# -- named policies ---------------------------------------------------------------------


def parse_choice(hat: HAT, word: str, group: bool) -> Choice:
    """A behavior word (CONTINUE for sender groups only) or, for a sender group, the name
    of one of the HAT's policies (`$NAME` or `NAME`); ValueRefused otherwise."""
    upper = word.upper()
    if upper in Behavior.__members__ and (group or Behavior(upper) in POLICY_BEHAVIORS):
        return Behavior(upper)
    name = word.removeprefix("$")
    if group and model.by_name(hat.policies, name) is not None:
        return name
    raise ValueRefused(messages.BAD_BEHAVIOR_WORD(word=word))


def put_policy(hat: HAT, old_name: str, policy: Policy) -> HAT:
    """Replace policy `old_name` in place (a rename follows in every row), or append."""
    if model.by_name(hat.policies, old_name) is None:
        return model.replace(hat, policies=(*hat.policies, policy))
    policies = tuple(policy if p.name == old_name else p for p in hat.policies)
    groups = tuple(model.replace(g, policy=policy.name) if g.policy == old_name else g
                   for g in hat.groups)
    return model.replace(hat, policies=policies, groups=groups)


def users_of(hat: HAT, name: str) -> list[SenderGroup]:
    return [g for g in hat.groups if g.policy == name]


def used_by_all(hat: HAT, name: str) -> bool:
    last = len(hat.groups) - 1
    return last >= 0 and is_all_row(hat, last) and hat.groups[last].policy == name


def remove_policy(hat: HAT, name: str) -> HAT:
    """Drop the policy and the sender groups that use it; refused when ALL uses it."""
    if used_by_all(hat, name):
        raise EditRefused(messages.POLICY_USED_BY_ALL(name=name))
    return model.replace(
        hat, policies=model.drop(hat.policies, name),
        groups=tuple(g for g in hat.groups if g.policy != name),
    )


def factory_hat(listener: Listener) -> HAT:
    """RESET: the factory table of this listener's type (RELAYLIST, WHITELIST empty)."""
    fresh = defaults.new_listener(listener.name, listener.type, listener.interface,
                                  listener.port, ())
    return fresh.hat
