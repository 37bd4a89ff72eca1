"""Users and access over real OpenSSH against `esacli run`: each role against each class
of command, a Read-Only Operator's dialog, key logins, password logins turned off, Ctrl-C
and Ctrl-D at the new prompts, mailconfig through the engine's own delivery."""

from __future__ import annotations

import email
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pexpect
import pytest

from state import config_file, model, users
from state.bootstrap import open_data_dir
from state.model_access import Role, UserAccount
from tests.kit.appliance import (
    PASSWORD,
    Appliance,
    commit_change,
    committed,
    prepared,
    running,
)
from tests.kit.fakemx import Behaviour, FakeMX
from tests.kit.queue import DOMAIN, relay_appliance
from tests.kit.smtp import send_mail
from tests.kit.ssh import (
    MENU,
    PROMPT,
    SSH_OPTIONS,
    dialog,
    no_traceback,
    screen,
    ssh_batch,
    ssh_login,
    ssh_spawn,
)
from tests.kit.waiting import wait_until_async

# The kit's options without its "passwords only": this client offers its key.
KEY_OPTIONS = [x for pair in zip(SSH_OPTIONS[::2], SSH_OPTIONS[1::2], strict=True)
               if not pair[1].startswith(("PubkeyAuthentication", "PreferredAuthentications"))
               for x in pair]
ROLES = {"op": Role.OPERATOR, "ro": Role.READ_ONLY, "guest": Role.GUEST}


def pw(user: str) -> str:
    return PASSWORD if user == "admin" else f"{user}-Secret-pw"


def with_roles(config: model.Config) -> model.Config:
    extra = tuple(UserAccount(name, role, name.title()) for name, role in ROLES.items())
    return model.replace(config, users=(*config.users, *extra))


def set_passwords(app: Appliance) -> None:
    store, secrets = open_data_dir(app.data)
    for user in ROLES:
        secrets.set_password(pw(user), user)
    store.close()


@pytest.fixture(scope="module")
def roles_appliance(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Appliance]:
    app = prepared(tmp_path_factory.mktemp("roles"), with_roles)
    set_passwords(app)
    with running(app):
        yield app


# One command per class (state.users.Act), run in one batch session per role; each
# line names the refusal that says the class was not allowed.
CLASSES = {
    "look": ("status", "You are not in the correct access group to use status."),
    "configuration": ("listenerconfig\n",
                      "You are not in the correct access group to use listenerconfig."),
    "change": ("listenerconfig edit InboundMail hostaccess default --max_conn={n}",
               "You are not in the correct access group to"),
    # a change first, so that there is something to commit
    "commit": ("listenerconfig edit InboundMail hostaccess default --max_conn={n}\n"
               "commit\nmatrix test", "You are not in the correct access group to use commit."),
    "queue action": ("delivernow all",
                     "You are not in the correct access group to use delivernow."),
    "accounts": ("userconfig\n", "You are not in the correct access group to use userconfig."),
}
ALLOWED = {
    "admin": set(CLASSES),
    "op": {"look", "configuration", "change", "commit", "queue action"},
    "ro": {"look", "configuration"},
    "guest": {"look"},
}


SEPARATOR = "help exit"  # its output ends each command's part of the session's output
SEPARATOR_OUTPUT = "exit - Exit the CLI."


def test_role_matrix_over_ssh(roles_appliance: Appliance) -> None:
    """One session per role runs one command of each class, in turn."""
    for n, (user, allowed) in enumerate(ALLOWED.items(), 2):
        script = "".join(f"{command.format(n=n)}\n{SEPARATOR}\n"
                         for command, _ in CLASSES.values())
        done = ssh_batch(roles_appliance, ["-T"], script, user=user, password=pw(user))
        no_traceback(done.stdout, user)
        parts = done.stdout.split(SEPARATOR_OUTPUT)
        assert len(parts) == len(CLASSES) + 1, done.stdout
        for part, (name, (_, refusal)) in zip(parts, CLASSES.items(), strict=False):
            assert (refusal in part) == (name not in allowed), (user, name, part)
        # the exit status: 1 once anything was refused
        assert done.returncode == (0 if allowed == set(CLASSES) else 1), (user, done.stdout)
    # the Operator's change is committed; no Read-Only or Guest session changed anything
    authors = [v.user for v in _history(roles_appliance)]
    assert authors.count("op") == 1 and "ro" not in authors and "guest" not in authors


def _history(app: Appliance) -> list:
    store, _ = open_data_dir(app.data)
    try:
        return store.history(50)
    finally:
        store.close()


def test_read_only_dialog_is_refused_and_leaves_nothing(roles_appliance: Appliance) -> None:
    child = ssh_spawn(roles_appliance, "-tt", user="ro")
    child.expect("password:")
    child.sendline(pw("ro"))
    child.expect_exact(PROMPT)
    child.sendline("listenerconfig")
    dialog(child, [(MENU, "edit"), (MENU, "InboundMail"), (MENU, "name"),
                   ("[InboundMail]>", "LookedAtMail")])
    child.expect_exact("You are not in the correct access group to make changes")
    child.expect_exact(PROMPT)
    child.sendline("showchanges")
    child.expect_exact("{'standalone': {'': {}}}")
    child.expect_exact(PROMPT)
    child.sendline("commit")
    child.expect_exact("You are not in the correct access group to use commit.")
    child.expect_exact(PROMPT)
    child.sendline("exit")  # nothing pending: no "are you sure"
    child.expect(pexpect.EOF)
    assert "LookedAtMail" not in repr(committed(roles_appliance.data))


def test_an_operator_cannot_roll_their_demotion_back(tmp_path: Path) -> None:
    app = prepared(tmp_path, with_roles)
    set_passwords(app)
    for role in (Role.ADMINISTRATOR, Role.OPERATOR):  # op promoted, then demoted again
        commit_change(app.data, lambda c, r=role: model.replace(c, users=tuple(
            UserAccount("op", r, "Op") if u.name == "op" else u for u in c.users)), "op")
    with running(app):
        # the list, newest first: 1. op demoted, 2. op promoted; commit now, and not now
        for script in ("rollbackconfig\nrollback\n2\ny\ny\nregain\n",
                       "rollbackconfig\nrollback\n2\ny\nn\ncommit\nregain\n"):
            done = ssh_batch(app, ["-T"], script, user="op", password=pw("op"))
            no_traceback(done.stdout, "rollback")
            assert ("You are not in the correct access group to change accounts or access"
                    " settings") in done.stdout, done.stdout
            assert done.returncode == 1
        assert users.role_of(committed(app.data), "op") is Role.OPERATOR
        refused = ssh_batch(app, ["userconfig"], user="op", password=pw("op"))
        assert "You are not in the correct access group to use userconfig." in refused.stdout
        send_mail(app.inbound, "someone@example.com")


def keygen(path: Path) -> str:
    subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", "op@laptop",
                    "-f", str(path)], check=True)
    return path.with_suffix(".pub").read_text()


def key_login(app: Appliance, key: Path, user: str, command: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        ["ssh", "-p", str(app.ssh_port), *KEY_OPTIONS, "-o", "BatchMode=yes",
         "-o", "PreferredAuthentications=publickey", "-o", "IdentitiesOnly=yes",
         "-i", str(key), f"{user}@127.0.0.1", command],
        capture_output=True, text=True, timeout=60, check=False)


def test_key_login_and_password_login_off(tmp_path: Path) -> None:
    public = keygen(tmp_path / "op_key")
    keygen(tmp_path / "stranger")
    app = prepared(tmp_path, with_roles)
    set_passwords(app)
    with running(app):
        child = ssh_login(app)  # admin pastes op's key with sshconfig, commits
        child.sendline("sshconfig")
        dialog(child, [(MENU, "user"), ("[admin]>", "op"), (MENU, "new"),
                       ("Press enter on a blank line to finish.", public.strip())])
        child.sendline("")
        dialog(child, [("1. ssh-ed25519 SHA256:", ""), (PROMPT, "commit"), ("[]>", "op's key")])
        child.expect_exact("Changes committed")
        done = key_login(app, tmp_path / "op_key", "op", "who")
        assert done.returncode == 0, done.stderr
        assert "op" in done.stdout and "batch" in done.stdout
        assert key_login(app, tmp_path / "stranger", "op", "who").returncode == 255
        assert key_login(app, tmp_path / "op_key", "ro", "who").returncode == 255
        # password logins off while no Administrator has a key: refused, asked again
        question = "password (keys are always allowed)? [Y]>"
        child.sendline("sshconfig")
        dialog(child, [(MENU, "setup"), (question, "n"),
                       ("no Administrator could log in. Add a key with sshconfig first.", "")])
        child.expect_exact(question)  # (the Enter above answered it: the default, Y)
        dialog(child, [("[3]>", ""), ("[5]>", ""), ("[8]>", ""), ("[10]>", ""), (MENU, "")])
        child.expect_exact(PROMPT)
        # admin's own key, then password logins off: keys still work, passwords do not
        child.sendline("sshconfig")
        dialog(child, [(MENU, "new"), ("Press enter on a blank line to finish.",
                                       keygen(tmp_path / "admin_key").strip())])
        child.sendline("")
        dialog(child, [("1. ssh-ed25519 SHA256:", "setup"), (question, "n"),
                       ("[3]>", ""), ("[5]>", ""), ("[8]>", ""), ("[10]>", ""), (MENU, ""),
                       (PROMPT, "commit"), ("[]>", "keys only")])
        child.expect_exact("Changes committed")
        refused = ssh_batch(app, ["status"], user="ro", password=pw("ro"))
        assert refused.returncode == 255 and "Permission denied" in refused.stderr
        assert key_login(app, tmp_path / "op_key", "op", "status").returncode == 0
        assert child.isalive()  # the session that did it is not cut
        child.sendline("exit")
        child.expect(pexpect.EOF)
        assert "SSH key refused for 'op'" in app.system_logs()


def test_ctrl_c_and_ctrl_d_at_the_new_prompts(roles_appliance: Appliance) -> None:
    child = ssh_login(roles_appliance)
    child.sendline("userconfig")
    dialog(child, [(MENU, "new"), ("Enter the new username.\n[]>", "zoe"), ("[]>", "Zoe"),
                   ("[2]>", "")])
    child.expect_exact("Enter the password for zoe:")
    child.sendcontrol("c")
    child.expect_exact(PROMPT)
    child.sendline("saveconfig")
    dialog(child, [("[1]>", "2")])
    child.expect_exact("Enter a passphrase to encrypt")
    child.sendcontrol("d")
    child.expect_exact(PROMPT)
    child.sendline("loadconfig")
    dialog(child, [("[1]>", "1")])
    child.expect_exact("when done.")
    child.sendcontrol("d")
    child.expect_exact("No data to load.")
    child.expect_exact(PROMPT)
    child.sendline("passwd")
    child.expect_exact("Old password:")
    child.send("secret")  # nothing shown as it is typed, not even its length
    child.send("\x01")  # Ctrl-A: the line is redrawn, still without a character of it
    with pytest.raises(pexpect.TIMEOUT):
        child.expect(r"\*|secret", timeout=1)
    child.sendcontrol("c")
    child.expect_exact(PROMPT)
    child.sendline("sshconfig")
    dialog(child, [(MENU, "new")])
    child.expect_exact("Press enter on a blank line to finish.")
    child.sendcontrol("c")
    child.expect_exact(PROMPT)
    child.sendline("showchanges")
    child.expect_exact("{'standalone': {'': {}}}")
    child.expect_exact(PROMPT)
    no_traceback(screen(child), "the new prompts")
    child.sendline("exit")
    child.expect(pexpect.EOF)
    assert not list((roles_appliance.data / "configuration").glob("esacli-*"))
    # afterwards: mail and SSH as before
    send_mail(roles_appliance.inbound, "someone@example.com")
    assert ssh_batch(roles_appliance, ["status"]).returncode == 0


async def test_mailconfig_through_the_engines_delivery(tmp_path: Path) -> None:
    async with FakeMX(Behaviour(starttls=False)) as mx:
        app = relay_appliance(tmp_path / "data", mx.port)
        with running(app):
            done = ssh_batch(app, ["mailconfig"], f"bad address\nadmin@{DOMAIN}\n1\n")
            assert done.returncode == 0, done.stdout
            assert "An email address is a localname" in done.stdout
            assert f'queued for delivery to "admin@{DOMAIN}"' in done.stdout
            await wait_until_async(lambda: mx.messages, timeout=30, what="the mailed file")
            head = committed(app.data)
    message = email.message_from_bytes(mx.messages[0].data)
    [attachment] = [p for p in message.walk() if p.get_filename()]
    text = attachment.get_payload(decode=True).decode()
    assert config_file.parse(text).config == head
    assert "PRIVATE KEY" not in text and users.ADMIN in text
