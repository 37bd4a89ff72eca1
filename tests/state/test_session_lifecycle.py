"""What a session leaves behind: keys, test binds at commit, its confirmed commit's fate,
and the data directory's file modes."""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest

from state import bindings, certs, confirm, files, model
from state.bootstrap import open_data_dir
from state.defaults import factory_config
from state.errors import CommitRefused
from state.model import Certificate, Interface
from state.secrets import Secrets
from state.session import ConfirmationEnded, Session
from state.store import Store

T0 = 1_700_000_000.0


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    store = Store(tmp_path)
    store.write(factory_config(Secrets(tmp_path)), None, "system", "factory", "factory")
    yield store
    store.close()


def session(store: Store) -> Session:
    return Session(store, Secrets(store.data_dir), "admin", "ssh")


def stage_profile(s: Session, name: str) -> str:
    key = certs.generate_key("ecdsa-p256")
    cert = certs.self_signed(key, "mail.example.com", organization="x", san=("mail.example.com",))
    kid = s.put_key(key)
    profile = Certificate(name=name, chain=(certs.normalise_pem(cert),), key_id=kid)
    s.stage(model.replace(s.candidate, certificates=model.put(s.candidate.certificates, profile)))
    return kid


def move(config: model.Config, name: str, port: int) -> model.Config:
    listeners = tuple(model.replace(li, port=port) if li.name == name else li
                      for li in config.listeners)
    return model.replace(config, listeners=listeners)


# -- keys -------------------------------------------------------------------------


def test_a_session_that_ends_uncommitted_removes_the_keys_it_stored(store: Store) -> None:
    s = session(store)
    kid = stage_profile(s, "dropped")
    assert s.secrets.has_key(kid)
    s.close()
    assert not s.secrets.has_key(kid)
    assert not s.pending


def test_a_committed_key_stays(store: Store) -> None:
    s = session(store)
    kid = stage_profile(s, "kept")
    assert s.commit("new profile") is not None
    dropped = stage_profile(s, "other")
    s.close()
    assert s.secrets.has_key(kid) and not s.secrets.has_key(dropped)


def test_a_key_committed_by_another_session_stays(store: Store) -> None:
    mine, theirs = session(store), session(store)
    kid = stage_profile(mine, "twice")
    theirs.stage(mine.candidate)  # the same profile, committed by someone else
    theirs.commit("theirs")
    mine.close()
    assert mine.secrets.has_key(kid)


# -- test binds at commit ---------------------------------------------------------------


def test_only_new_addresses_are_probed_and_a_refusal_keeps_the_candidate(store: Store) -> None:
    s = session(store)
    s.stage(move(s.candidate, "InboundMail", 2600))
    asked: list[tuple[str, int]] = []

    def busy(ip: str, port: int) -> str | None:
        asked.append((ip, port))
        return "Already in use"

    with pytest.raises(CommitRefused) as refused:
        s.commit("move", probe=busy)
    assert asked == [("127.0.0.1", 2600)]  # OutboundMail's unchanged address is not probed
    assert [(e.path, e.message) for e in refused.value.errors] == [(
        "listeners[InboundMail].port",
        ("Listener InboundMail cannot listen on port 2600 of interface Management (127.0.0.1):"
        " Already in use."),
    )]
    assert s.pending and store.head_number() == 1
    with pytest.raises(CommitRefused):
        s.verify(probe=busy)
    assert s.commit("move", probe=lambda ip, port: None) is not None


def test_an_address_that_may_overlap_a_current_one_is_not_probed(store: Store) -> None:
    before = store.load()
    wildcard = model.replace(
        before, interfaces=(*before.interfaces, Interface("All", "0.0.0.0", "mail.example.com"))
    )
    listeners = tuple(model.replace(li, interface="All") if li.name == "InboundMail" else li
                      for li in wildcard.listeners)
    after = model.replace(wildcard, listeners=listeners)  # 127.0.0.1:2525 -> 0.0.0.0:2525
    assert bindings.new_addresses(before, after) == []
    assert [a.port for a in bindings.new_addresses(before, move(after, "InboundMail", 2700))] \
        == [2700]


# -- commit confirmed ---------------------------------------------------------------------


def test_the_session_that_committed_confirmed_hears_how_it_ended(store: Store) -> None:
    mine, other = session(store), session(store)
    mine.stage(move(mine.candidate, "InboundMail", 2600))
    version = mine.commit("try", confirm_until=T0 + 60).info.number  # type: ignore[union-attr]
    assert mine.confirmation_ended() is None  # still waiting
    assert other.confirm() is not None  # another session of admin confirms it
    assert mine.confirmation_ended() == ConfirmationEnded(version, rolled_back=False)
    assert mine.confirmation_ended() is None  # said once


def test_a_rolled_back_confirmed_commit_is_reported_as_such(store: Store) -> None:
    mine = session(store)
    mine.stage(move(mine.candidate, "InboundMail", 2600))
    version = mine.commit("try", confirm_until=T0 + 60).info.number  # type: ignore[union-attr]
    confirm.expire(store, mine.secrets, T0 + 61, "rollback of {version} to {previous}")
    assert mine.confirmation_ended() == ConfirmationEnded(version, rolled_back=True)


def test_confirming_it_yourself_is_no_news(store: Store) -> None:
    mine = session(store)
    mine.stage(move(mine.candidate, "InboundMail", 2600))
    mine.commit("try", confirm_until=T0 + 60)
    assert mine.confirm() is not None
    assert mine.confirmation_ended() is None


# -- file modes ---------------------------------------------------------------------------


def test_open_data_dir_makes_an_old_data_dir_private(tmp_path: Path) -> None:
    data = tmp_path / "data"
    (data / "logs").mkdir(parents=True)
    (data / "logs" / "mail_logs").write_text("old\n")
    (data / "status.json").write_text("{}")
    os.chmod(data, 0o755)
    os.chmod(data / "logs" / "mail_logs", 0o644)
    store, _ = open_data_dir(data)
    store.close()
    modes = {str(p.relative_to(data)): stat.S_IMODE(p.stat().st_mode) for p in data.rglob("*")}
    assert stat.S_IMODE(data.stat().st_mode) == 0o700
    assert all(not mode & 0o077 for mode in modes.values()), modes
    assert modes["config.db"] == 0o600 and modes["logs/mail_logs"] == 0o600


def test_private_files_ignore_the_umask(tmp_path: Path) -> None:
    old = os.umask(0)
    try:
        path = files.private_file(tmp_path / "f")
        with open(tmp_path / "g", "w", opener=files.open_private) as handle:
            handle.write("x")
    finally:
        os.umask(old)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE((tmp_path / "g").stat().st_mode) == 0o600
