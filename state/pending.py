"""What `showchanges` shows of a session's pending changes (reference §2.1): each
changed setting with its new value, and nothing that did not change.

A record that was added shows the settings it was given (its key and every value that
is set); the ones it leaves unset (None, off, empty), which the appliance's defaults or
the DEFAULT row then decide, are not changes. A record that was removed shows once, as
its path with the value None, not as every one of its fields.
"""

from __future__ import annotations

from typing import Any

from state import model
from state.diff import ABSENT, ORDER, Path, flatten, render
from state.model import Config

UNSET: tuple[Any, ...] = (None, False, (), "")


def _records(path: Path) -> list[Path]:
    """The paths of the keyed records holding `path`, outermost first."""
    return [path[: n + 1] for n, part in enumerate(path) if part.startswith("[")]


def _removed(path: Path, present: set[Path]) -> Path:
    """The outermost record holding `path` that is gone, or `path` itself."""
    return next((r for r in _records(path) if r not in present), path)


def shown(old: Config, new: Config) -> dict[str, Any]:
    """{path: new value} for every setting that changed, in document order."""
    a, b = flatten(model.to_tree(old)), flatten(model.to_tree(new))
    present = {r for p in b for r in _records(p)}
    out: dict[str, Any] = {}
    for path in [*a, *(p for p in b if p not in a)]:
        before, after = a.get(path, ABSENT), b.get(path, ABSENT)
        if before == after:
            continue
        if after is ABSENT:
            out[render(_removed(path, present))] = None
        elif before is ABSENT and path[-1] != ORDER and _is_unset(after):
            continue
        else:
            out[render(path)] = after
    return out


def _is_unset(value: Any) -> bool:
    return any(value is u or (value == u and type(value) is type(u)) for u in UNSET)
