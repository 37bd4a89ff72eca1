"""A batch session whose input falls out of step with its questions (esacli/shell.py),
over OpenSSH without a terminal: once a line has failed or been refused, the lines after
it may be answers meant for questions never asked (a password after a refused dialog).
None of them is shown, logged or run: no question is answered after a failure, the line
after a dialog that failed stops the input (nothing more is run or committed, exit 1),
and a line that is not a command is named only where it cannot be an answer. On a
terminal a refused dialog goes on as before. A careless script (its input ending inside
a dialog) leaves no traceback, and the appliance serves on."""

from __future__ import annotations

import json
import subprocess
import sys

from cryptography.hazmat.primitives import serialization

from state import certs as state_certs
from tests.kit import certs
from tests.kit.appliance import Appliance, head_number, mail_flows
from tests.kit.ssh import (
    MENU,
    PROMPT,
    dialog,
    exit_and_check,
    no_traceback,
    ssh_batch,
    ssh_exec,
    ssh_login,
)

SECRET = "N3w-Secret-pw"
STOPPED = ("\n\nInput stopped: a line of it failed or was refused, and the lines after it"
           " could be answers to questions that were not asked. Nothing more was run or"
           " committed.\n")
NOT_SHOWN = "Unknown command or missing feature key (not shown: it could be an answer)."
USERS = """
Users:
1. admin - Administrator (Administrator)

Password policy: at least 8 characters.

Choose the operation you want to perform:
- NEW - Create a new account.
- EDIT - Modify an account.
- DELETE - Remove an account.
- LIST - List the accounts.
- POLICY - Change the password policy.
"""
ADMIN_KEPT = 'The "admin" account cannot be deleted and is always an Administrator.'
LOAD_KEY = ('\nThe private key of the certificate profile "Demo" is masked in this file.\n'
            'Paste it (a line holding only "." ends it):\n')


def never_shown(app: Appliance, *outputs: str) -> None:
    """The secret on no screen and in no log, and no traceback anywhere."""
    for text in (*outputs, app.system_logs(), app.mail_logs(), app.console()):
        assert SECRET not in text
        no_traceback(text, "the session or the appliance")


def test_the_answers_of_a_refused_dialog_are_not_run_as_commands(
        module_appliance: Appliance) -> None:
    """The old password is wrong: the new one, typed twice for questions passwd did not
    ask, is not run as a command (it was, and named on the screen), nor the commit after."""
    head = head_number(module_appliance.data)
    script = (f"sethostname gw.example.com\npasswd\nwrong-old-pw\n{SECRET}\n{SECRET}\n"
              "commit\nnew name\n")
    done = ssh_batch(module_appliance, ["-T"], script)
    assert (done.returncode, done.stdout) == (1, (
        "\nThe hostname gw.example.com takes effect when you commit.\n\n\n"
        "Old password: \n\nThe old password is not correct.\n" + STOPPED))
    exec_form = ssh_exec(module_appliance, "passwd", f"wrong-old-pw\n{SECRET}\n{SECRET}\n")
    assert (exec_form.returncode, exec_form.stdout) == (
        1, "\nOld password: \n\nThe old password is not correct.\n" + STOPPED)
    assert head_number(module_appliance.data) == head
    never_shown(module_appliance, done.stdout, exec_form.stdout)


def test_no_question_is_answered_after_a_refusal(module_appliance: Appliance) -> None:
    """The refused operation returns to its menu: the next line, a password, was taken
    as the menu's answer and shown twice (`Unknown option: "..."`)."""
    done = ssh_batch(module_appliance, ["-T"], f"userconfig\ndelete\nadmin\n{SECRET}\nstatus\n")
    assert (done.returncode, done.stdout) == (1, (
        f"{USERS}[]> delete\n\nEnter the username or number to delete.\n1. admin\n"
        f"[]> admin\n\n{ADMIN_KEPT}\n{USERS}" + STOPPED[1:]))
    never_shown(module_appliance, done.stdout)


def test_a_line_too_long_for_a_dialog_stops_the_input(module_appliance: Appliance) -> None:
    done = ssh_batch(module_appliance, ["-T"], f"userconfig\nnew\n{'x' * 70000}\n{SECRET}\n")
    assert (done.returncode, done.stdout) == (1, (
        f"{USERS}[]> new\n\nEnter the new username.\n[]> \n"
        "The line is longer than 65535 characters: it was discarded.\n" + STOPPED))
    never_shown(module_appliance, done.stdout)


def test_a_line_that_could_be_an_answer_is_not_named(module_appliance: Appliance) -> None:
    """A typo is named; the lines after it (its dialog's answers) are not, nor a line
    that is not a command after a dialog, which may have asked less than the script
    answered; a command after a dialog that did not fail still runs."""
    typo = ssh_batch(module_appliance, ["-T"], f"userconfg\nnew\nbob\n{SECRET}\n")
    assert (typo.returncode, typo.stdout) == (1, (
        "\nUnknown command or missing feature key: userconfg\n\n\n"
        + f"{NOT_SHOWN}\n\n\n" * 2 + f"{NOT_SHOWN}\n\n"))
    after = ssh_batch(module_appliance, ["-T"], f"userconfig\n\n{SECRET}\nstatus\n")
    assert after.returncode == 1
    assert after.stdout.startswith(f"{USERS}[]> \n\n\n{NOT_SHOWN}\n\n\nStatus as of: ")
    never_shown(module_appliance, typo.stdout, after.stdout)


def test_esacli_shell_with_piped_input_stops_too(module_appliance: Appliance) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "esacli", "shell", "--data", str(module_appliance.data)],
        input=f"userconfig\ndelete\nadmin\n{SECRET}\n", capture_output=True, text=True,
        timeout=60, check=False)
    assert (done.returncode, done.stderr) == (1, "")
    assert done.stdout.endswith(f"[]> admin\n\n{ADMIN_KEPT}\n{USERS}" + STOPPED[1:])
    never_shown(module_appliance, done.stdout)


def test_a_careless_script_ends_cleanly_and_ssh_serves_on(module_appliance: Appliance) -> None:
    """Its input ends inside a dialog (as Ctrl-D on the client's terminal ends it): after
    a change, at a password question, after a refusal; or in the middle of the line after
    a refusal (the secret there was read, as an answer or a command, and shown)."""
    app = module_appliance
    head = head_number(app.data)
    cut = [ssh_batch(app, ["-T"], script) for script in (
        f"userconfig\ndelete\nadmin\n{SECRET}", f"passwd\nwrong-old-pw\n{SECRET}")]
    assert [done.returncode for done in cut] == [1, 1]
    assert [done.stdout.endswith(STOPPED) for done in cut] == [True, True]
    inside = ssh_batch(app, ["-T"], "sethostname gw.example.com\nuserconfig\nnew\nbob\n")
    assert inside.returncode == 1
    assert inside.stdout.endswith(
        "Enter the full name for bob.\n[]> \nThe input ended with configuration changes not"
        " committed: they were discarded.\nEnd the input with 'commit' to keep them.\n")
    at_secret = ssh_exec(app, "passwd")
    assert (at_secret.returncode, at_secret.stdout) == (1, "\nOld password: ")
    refused = ssh_exec(app, "passwd", "wrong-old-pw\n")
    assert (refused.returncode, refused.stdout) == (
        1, "\nOld password: \n\nThe old password is not correct.\n\n")
    for script in ("sethostname gw.example.com\nuserconfg\n", "nosuch\nuserconfig\n"):
        assert ssh_batch(app, ["-T"], script).returncode == 1
    assert head_number(app.data) == head
    assert ssh_exec(app, "status").returncode == 0
    mail_flows(app)
    never_shown(app, inside.stdout, *(done.stdout for done in cut))


def test_on_a_terminal_a_refused_dialog_goes_on_as_before(module_appliance: Appliance) -> None:
    child = ssh_login(module_appliance)
    child.sendline("userconfig")
    dialog(child, [(MENU, "delete"), ("Enter the username or number to delete.", "admin")])
    child.expect_exact(ADMIN_KEPT)
    dialog(child, [(MENU, "")])  # the menu is asked again, and answered
    child.expect_exact(PROMPT)
    child.sendline("nosuch")
    child.expect_exact("Unknown command or missing feature key: nosuch")
    exit_and_check(child, module_appliance)


def _foreign_file(app: Appliance, leaf: certs.Issued) -> str:
    """The appliance's own file, masked, its Demo profile on a key it does not have."""
    shown = ssh_exec(app, "showconfig", "1\n").stdout
    text = shown[shown.index("# esacli configuration file"):].rstrip("\n") + "\n"
    kid = state_certs.key_id(leaf.cert)
    swap = {"certificates[Demo].chain": json.dumps([leaf.pem]),
            "certificates[Demo].key_id": json.dumps(kid)}
    lines = []
    for line in text.splitlines():
        path = line.split(" = ", 1)[0]
        if path in swap:
            line = f"{path} = {swap[path]}"
        elif path.startswith("secret.key["):
            line = f'secret.key[{kid}] = "masked"'
        lines.append(line)
    return "\n".join(lines) + "\n"


def test_loadconfig_says_what_is_wrong_with_a_pasted_key(module_appliance: Appliance) -> None:
    """Each refused paste says why in words (it said "unreadable private key:
    ValueError"), and no line of it is shown (a paste that is no PEM block was)."""
    app = module_appliance
    leaf = certs.issue("mail.example.com", ("mail.example.com",))
    folder = app.data / "configuration"
    folder.mkdir(exist_ok=True)
    (folder / "foreign.conf").write_text(_foreign_file(app, leaf))
    encrypted = leaf.key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
        serialization.BestAvailableEncryption(b"key passphrase")).decode()
    pastes = ["not a key\n", encrypted, certs.key_pem(certs.new_key()), certs.key_pem(leaf.key)]
    done = ssh_exec(app, "loadconfig", "2\nforeign.conf\n" + "".join(f"{p}.\n" for p in pastes))
    hidden = ["\n" * (p.count("\n") + 1) for p in pastes]  # one empty line per line typed
    assert (done.returncode, done.stdout) == (1, (
        "\nChoose the method to load the configuration:\n1. Paste via CLI\n2. Load from file\n"
        "[1]> 2\n\nEnter the name of the file in the configuration folder to load.\n"
        f"[]> foreign.conf\n{LOAD_KEY}{hidden[0]}\n"
        "That is not a private key in PEM format: it was discarded.\n"
        f"{LOAD_KEY}{hidden[1]}\nThat private key is encrypted: it was discarded. Paste it"
        " decrypted (openssl pkey -in <key file>).\n"
        f"{LOAD_KEY}{hidden[2]}\nThat private key is not the one of this certificate profile.\n"
        f"{LOAD_KEY}{hidden[3]}\nValues have been loaded.\n"
        "Use 'showchanges' to review them and 'commit' to apply them.\n\n\n"
        "The input ended with configuration changes not committed: they were discarded.\n"
        "End the input with 'commit' to keep them.\n"))
    body = [line for p in pastes[1:] for line in p.splitlines() if not line.startswith("-----")]
    for text in (done.stdout, app.system_logs()):
        assert not [line for line in body if line in text]
    never_shown(app, done.stdout)
