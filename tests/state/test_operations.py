"""Operational versions (state/operations.py): suspending listeners and delivery is a
version of its own, written at once on the head, never a session's candidate, and it
confirms no waiting `commit confirmed`. Also logconfig's edit rule."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from state import model, operations
from state.cluster import local
from state.defaults import factory_config
from state.edit.logs import put_log, settings
from state.errors import EditRefused
from state.secrets import Secrets
from state.session import Session
from state.store import Store
from state.validate import validate


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    store = Store(tmp_path)
    store.write(factory_config(Secrets(tmp_path)), None, "admin", "test", "factory")
    yield store
    store.close()


def suspended(store: Store) -> dict[str, bool]:
    return {li.name: li.suspended for li in store.load().listeners}


def test_listeners_suspend_and_resume_as_versions(store: Store) -> None:
    done = operations.apply_now(store, "op", "suspendlistener",
                                operations.set_listeners(["InboundMail"], True))
    assert done.changed == ("InboundMail",) and done.number == 2
    info = store.info(2)
    assert (info.user, info.source, info.comment) == ("op", "suspendlistener",
                                                      "suspendlistener InboundMail")
    assert suspended(store) == {"InboundMail": True, "OutboundMail": False}
    again = operations.apply_now(store, "op", "suspendlistener",
                                 operations.set_listeners(["InboundMail"], True))
    assert again == operations.Applied(2, ())  # nothing to change: no version
    every = operations.apply_now(store, "op", "resumelistener",
                                 operations.set_listeners(None, False))
    assert every.changed == ("InboundMail",)
    assert suspended(store) == {"InboundMail": False, "OutboundMail": False}


def test_unknown_listener_is_refused_and_nothing_written(store: Store) -> None:
    with pytest.raises(EditRefused, match=r'There is no listener named "Nope"\.'):
        operations.apply_now(store, "op", "suspendlistener",
                             operations.set_listeners(["Nope"], True))
    assert store.head_number() == 1


def test_a_session_keeps_its_changes_and_merges_the_suspension(tmp_path: Path,
                                                               store: Store) -> None:
    session = Session(store, Secrets(tmp_path), "admin", "ssh")
    session.stage(model.replace(session.candidate, hostname="changed.example.com"))
    operations.apply_now(store, "admin", "suspendlistener",
                         operations.set_listeners(["InboundMail"], True))
    assert session.candidate.hostname == "changed.example.com"  # pending, untouched
    session.commit("rename")
    head = store.load()
    assert head.hostname == "changed.example.com"
    assert suspended(store)["InboundMail"] is True


def test_it_confirms_no_waiting_confirmed_commit(tmp_path: Path, store: Store) -> None:
    session = Session(store, Secrets(tmp_path), "admin", "ssh")
    session.stage(model.replace(session.candidate, hostname="try.example.com"))
    session.commit("try", confirm_until=time.time() + 600)
    operations.apply_now(store, "admin", "suspenddel", operations.set_delivery(None, True))
    waiting = store.confirmation()
    assert waiting is not None and waiting.version == 2


def test_delivery_by_domain_and_for_all(store: Store) -> None:
    edit = operations.set_delivery
    first = operations.apply_now(store, "op", "suspenddel", edit(["a.example", "b.example"], True))
    assert first.changed == ("a.example", "b.example")
    config = store.load()
    assert operations.delivery_suspended(config, "a.example")
    assert not operations.delivery_suspended(config, "c.example")
    operations.apply_now(store, "op", "resumedel", edit(["a.example"], False))
    assert store.load().delivery.suspended_domains == ("b.example",)
    operations.apply_now(store, "op", "suspenddel", edit(None, True))
    assert operations.delivery_suspended(store.load(), "c.example")
    operations.apply_now(store, "op", "resumedel", edit(None, False))
    delivery = store.load().delivery
    assert (delivery.suspended, delivery.suspended_domains) == (False, ())


def test_log_settings_edit_and_validation(tmp_path: Path, store: Store) -> None:
    config = store.load()
    assert settings(config, "mail_logs") == model.LogSettings("mail_logs")
    small = put_log(config, model.LogSettings("system_logs", max_size=20480, max_files=2))
    assert [log.name for log in small.logs] == ["mail_logs", "system_logs"]
    assert settings(small, "system_logs").max_files == 2
    assert validate(small, Secrets(tmp_path)) == []
    bad = model.replace(small, logs=(model.LogSettings("mail_logs", max_size=5),
                                     model.LogSettings("nope")))
    errors = {e.path: str(e.message) for e in validate(bad, Secrets(tmp_path))}
    assert errors == {
        "logs[mail_logs].max_size": "The value must be an integer from 10240 to 10737418240.",
        "logs[nope]": 'There is no log named "nope".',
    }


def test_refused_on_a_cluster_member(tmp_path: Path, store: Store) -> None:
    """The member's follower would put the cluster's version back at once."""
    (tmp_path / local.FILE).write_text("{}")
    with pytest.raises(EditRefused, match="suspenddel is not available on a cluster member"):
        operations.apply_now(store, "op", "suspenddel", operations.set_delivery(None, True))
    assert store.head_number() == 1
