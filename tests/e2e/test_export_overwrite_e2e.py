"""A table EXPORT into a file of `/configuration` that is there already asks whether to
overwrite it (default No, then the name is asked again), and Ctrl-C or Ctrl-D at that
question writes nothing (a HAT export silently replaced a saveconfig backup,
the only copy of a whole configuration). The one-line forms, which cannot ask, refuse.
saveconfig and the exports name the folder the same way.

OpenSSH with a pty against `esacli run`; afterwards mail flows and SSH logs in."""

from __future__ import annotations

import re
from pathlib import Path

import pexpect

from tests.kit.appliance import Appliance, mail_flows
from tests.kit.ssh import (
    MENU,
    PROMPT,
    answer,
    exit_and_check,
    ssh_exec,
    ssh_login,
)

CTRL_C, CTRL_D = "\x03", "\x04"
EXPORT_TO = "Enter the name of the file to export to:"
WRITTEN = re.compile(r'File written on machine "mail\.example\.com" to the location'
                     r' "/configuration/([^"]+)"\.')


def overwrite(name: str) -> str:
    return f'The file "{name}" already exists. Do you want to overwrite it? [N]>'


def saveconfig(child: pexpect.spawn) -> str:
    """saveconfig (passphrases masked); the name of the file it wrote."""
    child.sendline("saveconfig")
    answer(child, "[1]>", "1")
    child.expect(WRITTEN)
    name = child.match.group(1)
    child.expect_exact("Configuration saved.")
    child.expect_exact(PROMPT)
    return name


def into_hat(child: pexpect.spawn) -> None:
    child.sendline("listenerconfig")
    for reply in ("edit", "InboundMail", "hostaccess"):
        answer(child, MENU, reply)


def export_over(child: pexpect.spawn, name: str) -> None:
    """HOSTACCESS -> EXPORT to `name`, up to the overwrite question."""
    answer(child, MENU, "export")
    answer(child, EXPORT_TO, name)
    child.expect_exact(overwrite(name))


def test_an_export_asks_before_overwriting_a_file(appliance: Appliance) -> None:
    folder = appliance.data / "configuration"
    child = ssh_login(appliance)
    backup = saveconfig(child)
    saved = (folder / backup).read_bytes()

    into_hat(child)
    export_over(child, backup)
    child.sendline("")  # No (the default): the name is asked again
    answer(child, EXPORT_TO, "")  # ... and an empty answer climbs back, writing nothing
    child.expect_exact(MENU.rstrip())
    assert (folder / backup).read_bytes() == saved
    export_over(child, backup)
    child.sendline("n")
    answer(child, EXPORT_TO, "hat.txt")  # another name: written at once
    child.expect(WRITTEN)
    assert child.match.group(1) == "hat.txt"
    assert (folder / "hat.txt").read_text().startswith("$")  # the HAT text format (§4.6)
    for key in (CTRL_C, CTRL_D):
        export_over(child, backup)
        child.send(key)
        child.expect_exact(PROMPT)
        assert (folder / backup).read_bytes() == saved, repr(key)
        into_hat(child)
    export_over(child, backup)
    child.sendline("y")
    child.expect(WRITTEN)
    assert child.match.group(1) == backup
    assert (folder / backup).read_text() == (folder / "hat.txt").read_text()
    for _ in ("hostaccess", "edit", "listenerconfig"):
        answer(child, MENU, "")
    child.expect_exact(PROMPT)
    exit_and_check(child, appliance)


def test_the_one_line_exports_refuse_an_existing_file(appliance: Appliance) -> None:
    folder: Path = appliance.data / "configuration"
    folder.mkdir(exist_ok=True)
    kept = folder / "kept.txt"
    kept.write_text("a saveconfig backup\n")
    for command in ("listenerconfig edit InboundMail hostaccess export kept.txt",
                    "destconfig export kept.txt", "smtproutes export kept.txt"):
        done = ssh_exec(appliance, command)
        assert 'The file "kept.txt" already exists: it was not overwritten.' in (
            done.stdout + done.stderr), command
        assert done.returncode != 0, command
        assert kept.read_text() == "a saveconfig backup\n", command
    done = ssh_exec(appliance, "destconfig export fresh.ini")
    assert done.returncode == 0
    assert 'to the location "/configuration/fresh.ini".' in done.stdout
    mail_flows(appliance)
