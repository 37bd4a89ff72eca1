"""Meaning-free edits of a HAT and a RAT, shared by the dialogs and the batch forms.

Sender groups are addressed by index because anonymous groups have no name. The
ALL row stays last: new rows go just above it and nothing moves below it.
"""

from __future__ import annotations

from state import model
from state.model import HAT, Behavior, Listener, Policy, RatEntry, SenderGroup


def label(group: SenderGroup) -> str:
    """How a sender group is listed: its name, or its senders for an anonymous one."""
    return group.name or ", ".join(group.senders)


def target(group: SenderGroup) -> str:
    if group.policy:
        return f"${group.policy}"
    return group.behavior.value if group.behavior is not None else "?"


def all_index(hat: HAT) -> int:
    """Index of the final ALL row (len(groups) when the table has none)."""
    last = len(hat.groups) - 1
    return last if last >= 0 and hat.groups[last].senders == ("ALL",) else len(hat.groups)


def find_group(hat: HAT, name: str) -> int | None:
    for index, group in enumerate(hat.groups):
        if group.name == name or (not group.name and label(group) == name):
            return index
    return None


def insert_group(hat: HAT, group: SenderGroup) -> HAT:
    at = all_index(hat)
    return model.replace(hat, groups=hat.groups[:at] + (group,) + hat.groups[at:])


def set_group(hat: HAT, index: int, group: SenderGroup) -> HAT:
    groups = list(hat.groups)
    groups[index] = group
    return model.replace(hat, groups=tuple(groups))


def remove_group(hat: HAT, index: int) -> HAT:
    return model.replace(hat, groups=hat.groups[:index] + hat.groups[index + 1:])


def move_group(hat: HAT, index: int, before: int) -> HAT:
    """Move row `index` so it sits just above row `before` (as numbered before the move)."""
    groups = list(hat.groups)
    moving = groups[index]
    groups.insert(before, moving)
    groups.pop(index + 1 if before <= index else index)
    return model.replace(hat, groups=tuple(groups))


def put_policy(hat: HAT, old_name: str, policy: Policy) -> HAT:
    """Replace policy `old_name` in place (following a rename in every row), or append."""
    if model.by_name(hat.policies, old_name) is None:
        return model.replace(hat, policies=hat.policies + (policy,))
    policies = tuple(policy if p.name == old_name else p for p in hat.policies)
    groups = tuple(model.replace(g, policy=policy.name) if g.policy == old_name else g
                   for g in hat.groups)
    return model.replace(hat, policies=policies, groups=groups)


def users_of(hat: HAT, name: str) -> list[SenderGroup]:
    return [g for g in hat.groups if g.policy == name]


def remove_policy(hat: HAT, name: str) -> HAT:
    """Drop the policy and the sender groups that use it."""
    return model.replace(
        hat, policies=model.drop(hat.policies, name),
        groups=tuple(g for g in hat.groups if g.policy != name),
    )


def with_hat(listener: Listener, hat: HAT) -> Listener:
    return model.replace(listener, hat=hat)


def group_with(group: SenderGroup, choice: str | Behavior) -> SenderGroup:
    """A row pointing at named policy `choice`, or carrying behavior `choice` itself."""
    if isinstance(choice, Behavior):
        return model.replace(group, policy="", behavior=choice)
    return model.replace(group, policy=choice, behavior=None, params=model.PolicyParams())


def insert_rat(rat: tuple[RatEntry, ...], entry: RatEntry) -> tuple[RatEntry, ...]:
    at = len(rat) - 1 if rat and rat[-1].address == "ALL" else len(rat)
    return rat[:at] + (entry,) + rat[at:]


def find_rat(rat: tuple[RatEntry, ...], address: str) -> int | None:
    key = address.strip().lower()
    return next((i for i, e in enumerate(rat) if e.address.lower() == key), None)
