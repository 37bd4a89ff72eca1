"""Helpers over the model's frozen records: a copy with changes, and tuples of named
records (find, replace in place or append, drop). Read as `state.model.replace` etc."""

from __future__ import annotations

from typing import Any, Protocol, TypeVar

import msgspec

T = TypeVar("T", bound=msgspec.Struct)


class _Named(Protocol):
    @property
    def name(self) -> str: ...


N = TypeVar("N", bound=_Named)


def replace(obj: T, **changes: Any) -> T:
    """A copy of a frozen record with some fields changed."""
    return msgspec.structs.replace(obj, **changes)


def by_name(items: tuple[N, ...], name: str) -> N | None:
    """The record called `name` in a tuple of named records, or None."""
    for item in items:
        if getattr(item, "name", None) == name:
            return item
    return None


def put(items: tuple[N, ...], item: N) -> tuple[N, ...]:
    """Replace the record with the same name in place, or append it."""
    name = item.name
    if by_name(items, name) is None:
        return (*items, item)
    return tuple(item if i.name == name else i for i in items)


def drop(items: tuple[N, ...], name: str) -> tuple[N, ...]:
    return tuple(i for i in items if getattr(i, "name", None) != name)
