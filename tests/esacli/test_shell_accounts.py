"""Transcripts of userconfig, passwd, who, last, sshconfig and adminaccessconfig, with
bad input re-asked, Ctrl-C and Ctrl-D at their prompts, and what each role may run."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from esacli.console import ScriptedConsole
from esacli.logins import Logins
from esacli.shell import Shell
from state import users
from tests.esacli.accounts import (
    CTRL_C,
    CTRL_D,
    KEY,
    password,
    remote,
    screen_of,
    with_accounts,
)
from tests.kit.shell import LocalAppliance, load, transcript

NEW_BOB = ["userconfig", "new", "Bob", "op", "bob", "Bob Smith", "9", "read-only operator",
           "short", "bob-password-1", "bob-password-2", "bob-password-1", "bob-password-1"]
SCRIPTS: dict[str, tuple[str, list[str]]] = {
    # NEW: a bad name, a taken one, a bad role, a short password, two that differ
    "userconfig_new": ("admin", [*NEW_BOB, "list", "", "showchanges"]),
    "userconfig_edit_delete": ("admin", [
        "userconfig", "edit", "9", "admin", "", "y", "admin-password-2", "admin-password-2",
        "edit", "op", "Olga O.", "x", "4", "n",
        "delete", "admin", "delete", "ro", "n", "delete", "3", "y",
        "policy", "3", "eight", "12", "", "showchanges"]),
    "passwd": ("op", ["passwd", "wrong-password", "passwd", password("op"), "short",
                      "op-password-9", "op-password-8", "op-password-9", "op-password-9"]),
    "sshconfig": ("admin", [
        "sshconfig", "new", "not a key", "", "-----BEGIN OPENSSH PRIVATE KEY-----", "abc", "",
        KEY, "", "new", KEY.rsplit(" ", 1)[0], "", "print", "1", "user", "nobody", "op",
        "delete", "new", "", "user", "admin", "delete", "1", "", "showchanges"]),
    # password logins off: refused while no Administrator has a key, taken once one has
    "sshconfig_setup": ("admin", [
        "sshconfig", "setup", "maybe", "n", "", "0", "4", "x", "7", "61", "30", "15",
        "new", KEY, "", "setup", "n", "", "", "", "", "", "showchanges"]),
    "adminaccessconfig": ("admin", ["adminaccessconfig", "timeout", "2", "abc", "15", "",
                                    "showchanges"]),
    # Ctrl-C at a password prompt and Ctrl-D at the role question drop the dialog
    "userconfig_interrupted": ("admin", [
        "userconfig", "new", "carol", "Carol", "", CTRL_C, "userconfig", "new", "dave", "", CTRL_D,
        "userconfig", "new", "erin", "", "", "erin-password-1", CTRL_C, "showchanges"]),
    # a Read-Only Operator opens a dialog, looks, and is refused at the first change
    "read_only": ("ro", [
        "userconfig", "sshconfig", "listenerconfig", "edit", "InboundMail", "name",
        "RenamedMail", "showchanges", "commit", "destconfig", "", "status", "passwd", CTRL_C]),
    "guest": ("guest", ["listenerconfig", "showconfig", "commit", "delivernow", "who"]),
    "operator": ("op", ["userconfig", "sshconfig", "adminaccessconfig", "showchanges"]),
}


@pytest.fixture
def accounts(tmp_path: Path) -> LocalAppliance:
    return with_accounts(tmp_path)


@pytest.mark.parametrize("name", sorted(SCRIPTS))
async def test_transcript(accounts: LocalAppliance, name: str) -> None:
    user, lines = SCRIPTS[name]
    assert await screen_of(remote(accounts, user), lines) == load(name)


async def test_new_account_logs_in_only_once_committed(accounts: LocalAppliance) -> None:
    admin = remote(accounts, "admin")
    await screen_of(admin, [*NEW_BOB, ""])
    check = admin.accounts.check_password
    assert not check("bob", "bob-password-1")
    admin.commit("bob")
    assert check("bob", "bob-password-1")
    assert users.role_of(accounts.store.load(), "bob") is users.Role.READ_ONLY


async def test_passwd_acts_at_once(accounts: LocalAppliance) -> None:
    op = remote(accounts, "op")
    await screen_of(op, SCRIPTS["passwd"][1])
    assert op.accounts.check_password("op", "op-password-9")
    assert not op.pending  # nothing to commit: it is done


async def test_read_only_leaves_nothing_pending(accounts: LocalAppliance) -> None:
    ro = remote(accounts, "ro")
    await screen_of(ro, SCRIPTS["read_only"][1])
    assert not ro.pending and accounts.store.head_number() == 1


async def test_who_and_last(accounts: LocalAppliance, tmp_path: Path,
                            monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TZ", "UTC")
    time.tzset()
    at = 1_767_225_600.0  # Thu Jan 01 00:00 2026 UTC
    times = iter([at, at + 600, at + 3000, at + 3600 + 45, at + 7200, at + 7200])
    logins = Logins(tmp_path / "logs" / "logins", clock=lambda: next(times))
    old = logins.start("op", "127.0.0.2", "batch")
    logins.end(old)
    now = logins.start("ro", "127.0.0.3", "cli")
    now.touch(at + 3600)
    with (tmp_path / "logs" / "logins").open("a") as log:
        log.write('{"user": "cut short by a cr')
    session = remote(accounts, "guest")
    console = ScriptedConsole(["who", "last"])
    await Shell(console, session, clock=lambda: at + 3600 + 45, logins=logins).run()
    time.tzset()
    assert console.screen == transcript("""
        mail.example.com> who

        Username  Login Time  Idle Time  Remote Host  What
        --------  ----------  ---------  -----------  ----
        ro        12:50AM     45s        127.0.0.3    cli

        mail.example.com> last

        Username  Remote Host  Login Time        Logout Time       Total Time
        --------  -----------  ----------------  ----------------  ----------
        ro        127.0.0.3    Thu Jan 01 00:50  still logged in   10m
        op        127.0.0.2    Thu Jan 01 00:00  Thu Jan 01 00:10  10m

        mail.example.com> $""")
