"""Paging over real OpenSSH (issue 14, shell conventions): on a pty long output stops at
`-Press Any Key For More-` (space: the next page, q: the rest dropped, Ctrl-C: back to
the prompt, the dialog left); without one (`ssh -T`, an exec request) it never does."""

from __future__ import annotations

import re

import pexpect

from tests.kit.appliance import Appliance
from tests.kit.ssh import PROMPT, screen, ssh_batch, ssh_exec, ssh_login

MORE = "-Press Any Key For More-"
ROWS = 12


def test_space_q_and_ctrl_c_at_the_pager(module_appliance: Appliance) -> None:
    child = ssh_login(module_appliance, rows=ROWS)
    try:
        child.sendline("help")
        child.expect_exact(MORE)
        first = screen(child)
        assert "alertconfig" in first and "version" not in first
        assert len(first.strip("\n").split("\n")) <= ROWS
        pages = 1
        while True:  # space after space, up to the last page (the line of `version`)
            child.send(" ")
            pages += 1
            if child.expect([re.escape(MORE), r"\nversion +View"]) == 1:
                break
            assert pages < 10, "help never ends"
        assert pages >= 3
        child.expect_exact(PROMPT)
        child.sendline("help")
        child.expect_exact(MORE)
        child.send("q")
        child.expect_exact(PROMPT)
        assert "version" not in screen(child)
        child.sendline("destconfig")  # its menu is longer than the screen
        child.expect_exact(MORE)
        child.send("\x03")
        child.expect_exact(PROMPT)
        assert "[]>" not in screen(child)  # the dialog was left, not answered
        child.sendline("version")
        child.expect_exact("Configuration version:")
        child.expect_exact(PROMPT)
        assert MORE not in screen(child)  # short output does not page
        child.sendline("exit")
        child.expect(pexpect.EOF)
    finally:
        child.close(force=True)


def test_no_paging_without_a_terminal(module_appliance: Appliance) -> None:
    piped = ssh_batch(module_appliance, ["-T"], stdin="help\ndestconfig\n\n")
    assert piped.returncode == 0, piped.stderr
    assert MORE not in piped.stdout and "version" in piped.stdout
    done = ssh_exec(module_appliance, "help")
    assert done.returncode == 0 and MORE not in done.stdout and "version" in done.stdout
