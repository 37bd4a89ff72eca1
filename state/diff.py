"""Configuration paths, diffs and the three-way merge of commit model §2.

A configuration is flattened into {path: leaf value}. Lists of named records
are addressed by their key (``listeners[InboundMail].port``) and their order is
a leaf of its own (``listeners#order``), so two sessions that edit different
listeners, or add different sender groups, touch disjoint paths.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import msgspec

from state import model
from state.errors import Conflict
from state.model import Config

# Fields holding lists of records, and the field that names each record.
_KEYED = {
    "interfaces": "name",
    "listeners": "name",
    "certificates": "name",
    "policies": "name",
    "groups": "name",
    "entries": "domain",
    "rat": "address",
    "custom": "name",
    "routes": "domain",
    "recipients": "address",
    "users": "name",
}
ORDER = "#order"
ABSENT: Any = object()

Path = tuple[str, ...]
Flat = dict[Path, Any]


@dataclass(frozen=True)
class Change:
    path: str
    old: Any
    new: Any


@dataclass(frozen=True)
class MergeResult:
    config: Config
    incoming: list[str]
    conflicts: list[Conflict]


def render(path: Path) -> str:
    out = ""
    for part in path:
        if part.startswith("["):
            out += part
        elif part == ORDER:
            out += ORDER
        else:
            out += ("." if out else "") + part
    return out


def _item_keys(field: str, items: Sequence[dict[str, Any]]) -> list[str]:
    keys: list[str] = []
    for item in items:
        key = str(item[_KEYED[field]])
        while key in keys:  # duplicates are invalid, but must still diff
            key += "#dup"
        keys.append(key)
    return keys


def flatten(tree: Any, prefix: Path = (), field: str = "") -> Flat:
    flat: Flat = {}
    if isinstance(tree, dict):
        for name, value in tree.items():
            flat.update(flatten(value, (*prefix, name), name))
    elif isinstance(tree, (list, tuple)) and field in _KEYED:
        keys = _item_keys(field, tree)
        flat[(*prefix, ORDER)] = tuple(keys)
        for key, item in zip(keys, tree, strict=True):
            flat.update(flatten(item, (*prefix, f"[{key}]")))
    else:
        flat[prefix] = tuple(tree) if isinstance(tree, (list, tuple)) else tree
    return flat


def _insert(root: dict[str, Any], path: Path, value: Any) -> None:
    node = root
    for part in path[:-1]:
        node = node.setdefault(part, {})
    node[path[-1]] = value


def _build(node: Any) -> Any:
    if not isinstance(node, dict):
        return list(node) if isinstance(node, tuple) else node
    if ORDER in node:
        return [_build(node[f"[{key}]"]) for key in node[ORDER] if f"[{key}]" in node]
    return {name: _build(value) for name, value in node.items()}


def unflatten_tree(flat: Flat) -> dict[str, Any]:
    root: dict[str, Any] = {}
    for path, value in flat.items():
        _insert(root, path, value)
    tree: dict[str, Any] = _build(root)
    return tree


def unflatten(flat: Flat) -> Config:
    return model.from_tree(unflatten_tree(flat))


def changes(old: Config, new: Config) -> list[Change]:
    return tree_changes(model.to_tree(old), model.to_tree(new))


def tree_changes(old: dict[str, Any], new: dict[str, Any]) -> list[Change]:
    """The changes between two plain trees: whole configurations, or the partial
    ones of a cluster level (state/cluster/levels.py), under the same paths."""
    a, b = flatten(old), flatten(new)
    out = []
    for path in sorted(a.keys() | b.keys(), key=_sort_key(a, b)):
        before, after = a.get(path, ABSENT), b.get(path, ABSENT)
        if before != after and not unset_either_way(before, after):
            out.append(Change(render(path), _show(before), _show(after)))
    return out


def unset_either_way(before: Any, after: Any) -> bool:
    """A path absent on one side and unset (None) on the other: the unset fields of an
    added or removed item, no change to list (each would read "(none) -> (none)")."""
    return (before is ABSENT and after is None) or (before is None and after is ABSENT)


def _sort_key(a: Flat, b: Flat) -> Any:
    # document order: paths of `a` first as they appear, then new ones
    position = {path: i for i, path in enumerate(list(a) + [p for p in b if p not in a])}
    return position.__getitem__


def _show(value: Any) -> Any:
    return None if value is ABSENT else value


def _merge_order(base: Any, theirs: Any, mine: Any) -> Any:
    """Merge two edits of one keyed list's order; ABSENT-safe. None = conflict."""
    if ABSENT in (base, theirs, mine):
        return None
    def kept(side: tuple[str, ...]) -> list[str]:
        return [k for k in side if k in base]
    gone = (set(base) - set(theirs)) | (set(base) - set(mine))
    survivors = [k for k in base if k not in gone]
    if [k for k in kept(theirs) if k not in gone] != survivors:
        return None  # theirs reordered
    if [k for k in kept(mine) if k not in gone] != survivors:
        return None  # mine reordered
    result = list(survivors)
    for side in (theirs, mine):
        for i, key in enumerate(side):
            if key in result:
                continue
            before = side[i - 1] if i else None
            at = result.index(before) + 1 if before in result else 0
            while at < len(result) and result[at] not in side and result[at] not in base:
                at += 1  # after what the other side added at the same place
            result.insert(at, key)
    return tuple(result)


def _merge_flat(b: Flat, t: Flat, m: Flat) -> tuple[Flat, list[str], list[Conflict]]:
    out: Flat = {}
    incoming: list[str] = []
    conflicts: list[Conflict] = []
    for path in list(dict.fromkeys([*t, *m, *b])):
        bv, tv, mv = b.get(path, ABSENT), t.get(path, ABSENT), m.get(path, ABSENT)
        if tv == mv or bv == tv:
            value = mv
        elif bv == mv:
            value = tv
            if not unset_either_way(bv, tv):
                incoming.append(render(path))
        elif path[-1] == ORDER and (merged := _merge_order(bv, tv, mv)) is not None:
            value = merged
        else:
            conflicts.append(Conflict(render(path), _show(bv), _show(tv), _show(mv)))
            continue
        if value is not ABSENT:
            out[path] = value
    return out, incoming, conflicts


def merge(base: Config, theirs: Config, mine: Config) -> MergeResult:
    b, t, m = (flatten(model.to_tree(c)) for c in (base, theirs, mine))
    out, incoming, conflicts = _merge_flat(b, t, m)
    if conflicts:
        return MergeResult(mine, [], conflicts)
    try:
        config = unflatten(out)
    except msgspec.ValidationError as exc:
        return MergeResult(mine, [], [Conflict("(document)", None, None, str(exc))])
    return MergeResult(config, incoming, [])


@dataclass(frozen=True)
class TreeMerge:
    tree: dict[str, Any]
    incoming: list[str]
    conflicts: list[Conflict]


def merge_trees(base: dict[str, Any], theirs: dict[str, Any],
                mine: dict[str, Any]) -> TreeMerge:
    """`merge` over plain trees (a cluster level's partial configuration): the same
    paths, the same rules; the caller checks that the result is a valid document."""
    out, incoming, conflicts = _merge_flat(flatten(base), flatten(theirs), flatten(mine))
    if conflicts:
        return TreeMerge(mine, [], conflicts)
    return TreeMerge(unflatten_tree(out), incoming, [])
