"""Accounts, roles and access (state/users.py, state/edit/users.py) and the role checks
a Session makes at every stage and at commit, without a shell."""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from state import model, users
from state.defaults import factory_config
from state.edit import users as edit
from state.errors import AccessRefused, EditRefused
from state.model_access import Role, UserAccount
from state.secrets import Secrets, hash_password
from state.session import PASSWORD_CHANGED, Session
from state.store import Store
from state.users import Act


@pytest.fixture
def data(tmp_path: Path) -> Iterator[tuple[Store, Secrets]]:
    secrets = Secrets(tmp_path)
    store = Store(tmp_path)
    config = factory_config(secrets)
    accounts = (*config.users, *(UserAccount(n, r) for n, r in (
        ("op", Role.OPERATOR), ("ro", Role.READ_ONLY), ("guest", Role.GUEST))))
    store.write(model.replace(config, users=accounts), None, "admin", "test", "factory")
    yield store, secrets
    store.close()


def remote(data: tuple[Store, Secrets], user: str) -> Session:
    return Session(data[0], data[1], user, "ssh", enforce_role=True)


def test_role_table_is_the_appliances() -> None:
    expected = {
        Role.ADMINISTRATOR: {Act.LOOK, Act.CONFIGURATION, Act.CHANGE, Act.COMMIT, Act.QUEUE,
                             Act.ACCOUNTS},
        Role.OPERATOR: {Act.LOOK, Act.CONFIGURATION, Act.CHANGE, Act.COMMIT, Act.QUEUE},
        Role.READ_ONLY: {Act.LOOK, Act.CONFIGURATION},
        Role.GUEST: {Act.LOOK},
    }
    for role, acts in expected.items():
        assert {a for a in Act if users.may(role, a)} == acts, role
    assert not any(users.may(None, a) for a in Act)  # no account, nothing at all


def test_read_only_operator_is_refused_at_the_first_change_and_at_commit(data) -> None:
    ro = remote(data, "ro")
    before = ro.candidate
    with pytest.raises(AccessRefused, match="not in the correct access group to make changes"):
        ro.stage(model.replace(before, hostname="other.example.com"))
    assert ro.candidate == before and not ro.pending
    ro.stage(before)  # staging nothing new is no change: allowed
    # even a candidate that got there some other way is not committed
    ro._candidate = model.replace(before, hostname="other.example.com")
    with pytest.raises(AccessRefused, match="to commit changes"):
        ro.commit("sneaky")
    assert data[0].head_number() == 1
    with pytest.raises(AccessRefused):
        ro.rollback(1, "no")


def test_operator_changes_configuration_but_not_accounts(data) -> None:
    op = remote(data, "op")
    op.stage(model.replace(op.candidate, hostname="op.example.com"))
    assert op.commit("renamed") is not None
    promoted = edit.put_user(op.candidate, UserAccount("op", Role.ADMINISTRATOR))
    with pytest.raises(AccessRefused, match="accounts or access settings"):
        op.stage(promoted)
    with pytest.raises(AccessRefused):
        op.stage_password("admin", hash_password("takeover-pw"))
    # a candidate that got there by other means is refused at commit all the same
    op._candidate = promoted
    with pytest.raises(AccessRefused):
        op.commit("escalate")
    assert users.role_of(data[0].load(), "op") is Role.OPERATOR


def test_an_operator_rolls_back_configuration_but_not_accounts(data) -> None:
    """A rollback is a commit of an old version: to one whose accounts or access differ
    from the head's it is an Administrator's act (an Operator once an Administrator would
    otherwise roll their demotion back, or roll other accounts out of existence)."""
    admin, store = remote(data, "admin"), data[0]
    admin.stage(edit.put_user(admin.candidate, UserAccount("op", Role.ADMINISTRATOR)))
    promoted = admin.commit("op an administrator").info.number
    demoted = edit.put_user(admin.candidate, UserAccount("op", Role.OPERATOR))
    admin.stage(edit.remove_user(demoted, "guest", "admin"))
    admin.commit("op demoted, guest gone")
    op = remote(data, "op")
    for number in (promoted, 1):  # back to Administrator; back to when guest was there
        with pytest.raises(AccessRefused, match="accounts or access settings"):
            op.rollback(number, "regain")
    assert users.role_of(store.load(), "op") is Role.OPERATOR
    op.stage(model.replace(op.candidate, hostname="op.example.com"))
    renamed = op.commit("renamed").info.number
    assert op.rollback(renamed - 1, "undo the rename") is not None
    assert store.load().hostname == admin.candidate.hostname != "op.example.com"


def test_guest_and_unknown_users_change_nothing(data) -> None:
    for who in ("guest", "nobody"):
        session = remote(data, who)
        with pytest.raises(AccessRefused):
            session.stage(model.replace(session.candidate, hostname="x.example.com"))


def test_local_sessions_are_the_owner(data) -> None:
    """The console and tools on the data dir are not role-checked (enforce_role off)."""
    local = Session(data[0], data[1], "root", "console")
    local.stage(model.replace(local.candidate, hostname="local.example.com"))
    assert local.commit("local") is not None


def test_password_is_stored_when_the_account_is_committed(data) -> None:
    store, secrets = data
    admin = remote(data, "admin")
    admin.stage(edit.put_user(admin.candidate, UserAccount("bob", Role.OPERATOR, "Bob")))
    admin.stage_password("bob", hash_password("bob-password-1"))
    shown = admin.showchanges()["standalone"][""]
    assert shown["users[bob].password"] == PASSWORD_CHANGED
    assert "scrypt" not in repr(shown)
    accounts = users.Accounts(secrets, store.load)
    assert not accounts.check_password("bob", "bob-password-1")  # staged only
    admin.commit("bob")
    assert accounts.check_password("bob", "bob-password-1")
    assert not accounts.check_password("bob", "wrong")
    # a password alone is a change of its own, committed as a version
    admin.stage_password("bob", hash_password("bob-password-2"))
    assert admin.pending
    admin.commit("new password for bob")
    assert accounts.check_password("bob", "bob-password-2")
    # deleted: no login, whatever the password file says
    admin.stage(edit.remove_user(admin.candidate, "bob", "admin"))
    admin.commit("bye bob")
    assert not accounts.check_password("bob", "bob-password-2")


def test_clear_drops_staged_passwords(data) -> None:
    admin = remote(data, "admin")
    admin.stage_password("op", hash_password("op-password-1"))
    admin.clear()
    assert not admin.pending and admin.commit("nothing") is None


def test_password_policy() -> None:
    config = model.Config(hostname="x.example.com")
    assert users.password_refusal(config, "short") == (
        "The password must be at least 8 characters long.")
    assert users.password_refusal(config, "long enough") is None
    assert users.password_refusal(config, "tab\there!") is not None
    strict = model.replace(config, access=model.replace(config.access, min_password_length=12))
    assert users.password_refusal(strict, "elevenchars") is not None


def test_edit_rules(data) -> None:
    config = data[0].load()
    with pytest.raises(EditRefused, match="always an Administrator"):
        edit.put_user(config, UserAccount("admin", Role.GUEST))
    assert edit.delete_refusal(config, "admin", "op") is not None
    assert edit.delete_refusal(config, "op", "op") == (
        "You cannot delete the account you are logged in as.")
    assert edit.delete_refusal(config, "zed", "admin") == 'Unknown user "zed".'
    assert users.user_name_refusal(config, "op") == 'The user "op" already exists.'
    assert users.user_name_refusal(config, "Bad.Name") is not None
    assert users.user_name_refusal(config, "carol") is None


def _public_key(tmp_path: Path, name: str = "id") -> str:
    path = tmp_path / name
    subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", "me@example.com",
                    "-f", str(path)], check=True)
    return (tmp_path / f"{name}.pub").read_text()


def test_ssh_keys(data, tmp_path: Path) -> None:
    key = users.parse_ssh_key(_public_key(tmp_path))
    assert key.startswith("ssh-ed25519 AAAA") and key.endswith(" me@example.com")
    assert users.parse_ssh_key("ssh-ed25519 AAAAnotakey") == users.messages.SSH_KEY_INVALID()
    private = (tmp_path / "id").read_text()
    assert users.parse_ssh_key(private) == users.messages.SSH_KEY_PRIVATE()
    config = edit.add_key(data[0].load(), "op", key)
    with pytest.raises(EditRefused, match="already has this key"):
        edit.add_key(config, "op", key.rsplit(" ", 1)[0])  # the same key, another comment
    accounts = users.Accounts(data[1], lambda: config)
    assert accounts.key_allowed("op", users.key_blob(key))
    assert not accounts.key_allowed("ro", users.key_blob(key))
    assert edit.remove_key(config, "op", 0) == data[0].load()


def test_validation_of_accounts_and_access(data) -> None:
    config = data[0].load()
    assert [str(e) for e in users.problems(config)] == []
    broken = model.replace(
        config,
        users=(UserAccount("admin", Role.GUEST), UserAccount("Bad", Role.GUEST),
               UserAccount("op", Role.OPERATOR, ssh_keys=("ssh-rsa nope",))),
        access=model.replace(config.access, min_password_length=2, idle_timeout_minutes=0,
                             logins=model.replace(config.access.logins, max_tries=0)))
    problems = [e.path for e in users.problems(broken)]
    assert problems == ["users[Bad]", "users[op].ssh_keys[1]", "users",
                        "access.min_password_length", "access.idle_timeout_minutes",
                        "access.logins.max_tries"]


def test_password_logins_off_needs_an_administrators_key(data) -> None:
    config = data[0].load()
    off = model.replace(config, access=model.replace(
        config.access, logins=model.replace(config.access.logins, password_login=False)))
    assert [e.path for e in users.problems(off)] == ["access.logins.password_login"]
    key = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIHVh4Tnz4Kuc3tY1wqSvt8m2/6XHb8pWj8HA8pB1XBCt"
    operator_key = edit.add_key(off, "op", key)
    assert [e.path for e in users.problems(operator_key)] == ["access.logins.password_login"]
    assert list(users.problems(edit.add_key(off, "admin", key))) == []
