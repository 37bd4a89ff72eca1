"""Paths, diffs and the three-way merge as properties."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from state import diff, model
from state.defaults import factory_config, new_listener
from state.model import Config, ListenerType, TLSMode
from state.secrets import Secrets


@pytest.fixture(scope="module")
def base(tmp_path_factory: pytest.TempPathFactory) -> Config:
    return factory_config(Secrets(Path(tmp_path_factory.mktemp("data"))))


def _set_port(config: Config, index: int, port: int) -> Config:
    if index >= len(config.listeners):
        return config
    listeners = list(config.listeners)
    listeners[index] = model.replace(listeners[index], port=port)
    return model.replace(config, listeners=tuple(listeners))


def _set_tls(config: Config, index: int, mode: TLSMode) -> Config:
    if index >= len(config.listeners):
        return config
    listeners = list(config.listeners)
    hat = listeners[index].hat
    hat = model.replace(hat, default=model.replace(hat.default, tls=mode))
    listeners[index] = model.replace(listeners[index], hat=hat)
    return model.replace(config, listeners=tuple(listeners))


def _add(config: Config, name: str) -> Config:
    li = new_listener(name, ListenerType.PRIVATE, "Management", 4000 + len(name), ("10.0.0.1",))
    return model.replace(config, listeners=(*config.listeners, li))


EDITS = st.sampled_from(
    [
        lambda c: _set_port(c, 0, 2600),
        lambda c: _set_port(c, 1, 2601),
        lambda c: _set_tls(c, 0, TLSMode.REQUIRED),
        lambda c: _set_tls(c, 1, TLSMode.PREFERRED),
        lambda c: _add(c, "Extra"),
        lambda c: model.replace(c, hostname="mx.example.org"),
        lambda c: model.replace(c, listeners=model.drop(c.listeners, "OutboundMail")),
    ]
)


def test_flatten_round_trips(base: Config) -> None:
    assert diff.unflatten(diff.flatten(model.to_tree(base))) == base


def test_paths_name_records_by_key(base: Config) -> None:
    changed = _set_tls(base, 0, TLSMode.REQUIRED)
    assert diff.changes(base, changed) == [
        diff.Change("listeners[InboundMail].hat.default.tls", "off", "required")
    ]


def test_an_added_items_unset_fields_are_no_changes(base: Config) -> None:
    """commitdetail and the merge notice listed every unset field of an added item as
    "(none) -> (none)"; the item is still there whole, its unset fields included."""
    added = _add(base, "Extra")
    flat = diff.flatten(model.to_tree(added))
    unset = [p for p, v in flat.items() if p[:2] == ("listeners", "[Extra]") and v is None]
    assert unset  # (the new listener has unset fields: the test means something)
    assert not [c for c in diff.changes(base, added) if c.old is None and c.new is None]
    assert not [c for c in diff.changes(added, base) if c.old is None and c.new is None]
    merged = diff.merge(base, added, _set_port(base, 0, 2600))
    assert merged.config == _set_port(added, 0, 2600)
    shown = {diff.render(p) for p in unset}
    assert not shown & set(merged.incoming) and "listeners#order" in merged.incoming


# no deadline: a loaded CI machine must not turn slowness into a failure
@settings(max_examples=60, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(EDITS, EDITS)
def test_merge_is_symmetric_for_one_sided_edits(base: Config, e1, e2) -> None:  # type: ignore[no-untyped-def]
    theirs = e1(base)
    assert diff.merge(base, theirs, base).config == theirs
    assert diff.merge(base, base, theirs).config == theirs
    both = e2(theirs)
    assert diff.merge(base, both, both).config == both


# no deadline: a loaded CI machine must not turn slowness into a failure
@settings(max_examples=60, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(EDITS, EDITS)
def test_merge_applies_both_or_names_conflicts(base: Config, e1, e2) -> None:  # type: ignore[no-untyped-def]
    theirs, mine = e1(base), e2(base)
    result = diff.merge(base, theirs, mine)
    if result.conflicts:
        assert all(c.theirs != c.mine for c in result.conflicts)
        return
    # every change of each side is in the result, unless the other side made the same one
    for side in (theirs, mine):
        for change in diff.changes(base, side):
            if change.path.endswith(diff.ORDER):
                continue
            assert change in diff.changes(base, result.config)
