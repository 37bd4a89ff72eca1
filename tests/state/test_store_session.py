"""The versioned store and per-session candidates (ARCHITECTURE.md, the commit model)."""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest

from state import model
from state.defaults import factory_config
from state.errors import CommitRefused
from state.model import Config, Listener, TLSMode
from state.secrets import Secrets
from state.session import Session
from state.store import Store


@pytest.fixture
def data(tmp_path: Path) -> Iterator[tuple[Store, Secrets]]:
    secrets = Secrets(tmp_path)
    store = Store(tmp_path)
    store.write(factory_config(secrets), None, "admin", "console", "factory")
    yield store, secrets
    store.close()


def session(data: tuple[Store, Secrets]) -> Session:
    return Session(data[0], data[1], "admin", "test")


def edit_listener(s: Session, which: str, **changes: object) -> None:
    listeners = tuple(
        model.replace(li, **changes) if li.name == which else li for li in s.candidate.listeners
    )
    s.stage(model.replace(s.candidate, listeners=listeners))


def set_tls(s: Session, name: str, mode: TLSMode) -> None:
    listener = model.by_name(s.candidate.listeners, name)
    assert isinstance(listener, Listener)
    hat = model.replace(listener.hat, default=model.replace(listener.hat.default, tls=mode))
    edit_listener(s, name, hat=hat)


def test_factory_version_is_valid_and_complete(data: tuple[Store, Secrets]) -> None:
    store, _secrets = data
    config = store.load()
    assert store.head_number() == 1
    assert config.hostname == "mail.example.com"
    assert [(li.name, li.port, li.type.value) for li in config.listeners] == [
        ("InboundMail", 2525, "Public"),
        ("OutboundMail", 2526, "Private"),
    ]
    assert all(li.hat.default.tls is TLSMode.NO for li in config.listeners)
    assert session(data).check() == []


def test_commit_writes_a_version_with_its_metadata(data: tuple[Store, Secrets]) -> None:
    s = session(data)
    set_tls(s, "InboundMail", TLSMode.REQUIRED)
    assert s.pending
    assert s.showchanges() == {
        "standalone": {"": {"listeners[InboundMail].hat.default.tls": "required"}}
    }
    result = s.commit("require TLS")
    assert result is not None and result.info.number == 2
    info = data[0].info(2)
    assert (info.parent, info.user, info.source, info.comment) == (
        1,
        "admin",
        "test",
        "require TLS",
    )
    assert not s.pending
    assert s.commit("again") is None  # "There is no data to commit."


def test_clear_drops_pending_changes(data: tuple[Store, Secrets]) -> None:
    s = session(data)
    edit_listener(s, "InboundMail", port=2600)
    s.clear()
    assert not s.pending and s.commit("x") is None
    assert data[0].head_number() == 1


def test_history_is_append_only(data: tuple[Store, Secrets]) -> None:
    s = session(data)
    for port in (2600, 2601, 2602):
        edit_listener(s, "InboundMail", port=port)
        s.commit(f"port {port}")
    assert [v.number for v in data[0].history()] == [4, 3, 2, 1]
    assert data[0].load(2).listeners[0].port == 2600


def test_sessions_do_not_see_each_other_until_commit(data: tuple[Store, Secrets]) -> None:
    a, b = session(data), session(data)
    edit_listener(a, "InboundMail", port=2600)
    assert b.candidate.listeners[0].port == 2525
    a.commit("a")
    assert b.candidate.listeners[0].port == 2525  # b still sees its own base
    assert session(data).candidate.listeners[0].port == 2600


def test_disjoint_commits_merge(data: tuple[Store, Secrets]) -> None:
    a, b = session(data), session(data)
    edit_listener(a, "InboundMail", port=2600)
    edit_listener(b, "OutboundMail", port=2601)
    a.commit("a")
    result = b.commit("b")
    assert result is not None
    assert result.merged == ["listeners[InboundMail].port"]
    head = data[0].load()
    assert [li.port for li in head.listeners] == [2600, 2601]


def test_overlapping_commits_are_refused_naming_the_path(data: tuple[Store, Secrets]) -> None:
    a, b = session(data), session(data)
    edit_listener(a, "InboundMail", port=2600)
    edit_listener(b, "InboundMail", port=2700)
    a.commit("a")
    with pytest.raises(CommitRefused) as refused:
        b.commit("b")
    [conflict] = refused.value.conflicts
    assert (conflict.path, conflict.base, conflict.theirs, conflict.mine) == (
        "listeners[InboundMail].port", 2525, 2600, 2700,
    )
    assert data[0].head_number() == 2
    assert b.pending and b.candidate.listeners[0].port == 2700  # kept for the user


def test_delete_on_one_side_and_change_on_the_other_conflicts(
    data: tuple[Store, Secrets],
) -> None:
    a, b = session(data), session(data)
    a.stage(model.replace(a.candidate, listeners=model.drop(a.candidate.listeners, "OutboundMail")))
    edit_listener(b, "OutboundMail", port=2700)
    a.commit("delete")
    with pytest.raises(CommitRefused) as refused:
        b.commit("edit")
    assert "listeners[OutboundMail].port" in [c.path for c in refused.value.conflicts]


def test_listeners_added_on_both_sides_merge(data: tuple[Store, Secrets]) -> None:
    from state.defaults import new_listener
    from state.model import ListenerType

    a, b = session(data), session(data)
    for s, name, port in ((a, "A", 3000), (b, "B", 3001)):
        li = new_listener(name, ListenerType.PUBLIC, "Management", port, ("a.example",))
        s.stage(model.replace(s.candidate, listeners=(*s.candidate.listeners, li)))
    a.commit("a")
    b.commit("b")
    assert [li.name for li in data[0].load().listeners] == [
        "InboundMail", "OutboundMail", "A", "B",
    ]


def test_every_validation_error_is_listed_and_nothing_written(
    data: tuple[Store, Secrets],
) -> None:
    s = session(data)
    edit_listener(s, "InboundMail", port=70000, interface="Nowhere", certificate="Missing")
    edit_listener(s, "OutboundMail", name="InboundMail")
    with pytest.raises(CommitRefused) as refused:
        s.commit("bad")
    paths = sorted(e.path for e in refused.value.errors)
    assert paths == [
        "listeners[InboundMail]",
        "listeners[InboundMail].certificate",
        "listeners[InboundMail].interface",
        "listeners[InboundMail].port",
    ]
    assert data[0].head_number() == 1


def test_two_listeners_on_one_interface_and_port(data: tuple[Store, Secrets]) -> None:
    s = session(data)
    edit_listener(s, "OutboundMail", port=2525)
    errors = s.check()
    assert [(e.path, e.message) for e in errors] == [
        ("listeners[OutboundMail].port",
         "Listener InboundMail already uses interface Management port 2525."),
    ]


def test_certificate_key_must_match(data: tuple[Store, Secrets], tmp_path: Path) -> None:
    from state import certs

    s = session(data)
    other = certs.generate_key()
    kid = data[1].put_key(other)
    demo = s.candidate.certificates[0]
    s.stage(model.replace(s.candidate, certificates=(model.replace(demo, key_id=kid),)))
    assert [(e.path, e.message) for e in s.check()] == [
        ("certificates[Demo].key_id", "key does not sign certificate")
    ]


def test_keys_live_only_in_the_secrets_area(data: tuple[Store, Secrets], tmp_path: Path) -> None:
    store, secrets = data
    key_file = secrets.key_path(store.load().certificates[0].key_id)
    assert stat.S_IMODE(os.stat(key_file).st_mode) == 0o600
    assert stat.S_IMODE(os.stat(tmp_path / "secrets").st_mode) == 0o700
    body = key_file.read_text().splitlines()[1]
    assert body not in (tmp_path / "config.db").read_bytes().decode("latin-1")


def test_documents_round_trip(data: tuple[Store, Secrets]) -> None:
    config = data[0].load()
    assert model.decode(model.encode(config)) == config
    assert isinstance(config, Config)


def test_password_is_a_salted_slow_hash(tmp_path: Path) -> None:
    secrets = Secrets(tmp_path)
    secrets.set_password("s3cret pass")
    text = (tmp_path / "secrets" / "admin.password").read_text()
    assert "s3cret" not in text and text.startswith("scrypt$")
    assert secrets.check_password("s3cret pass")
    assert not secrets.check_password("wrong")
