"""Three wordings, over OpenSSH with a pty against `esacli run`:

- `tlsreport in century`: the grammar (`[<period>] [<domain>]`) takes `century` as the
  domain filter, so the report's header names it instead of looking like the whole report;
- `grep -C 999999999 ...` names the value refused and the range, not only the usage line;
- a commit refused because another session deleted the listener this one changed shows
  that side as commitdetail shows an absent setting, "(none)", never Python's `None`.

Afterwards mail flows and SSH logs in."""

from __future__ import annotations

from collections.abc import Callable

import pexpect

from state import model
from state.defaults import new_listener
from state.edit import listeners
from state.model import Config, ListenerType
from tests.kit import ports
from tests.kit.appliance import Appliance, commit_change, mail_flows
from tests.kit.ssh import (
    MENU,
    PROMPT,
    answer,
    dialog,
    exit_and_check,
    screen,
    ssh_exec,
    ssh_login,
)

GREP_RANGE = 'Invalid value "999999999" for -C. The value must be an integer from 0 to 1000.'


def with_test_listener(port: int) -> Callable[[Config], Config]:
    def change(config: Config) -> Config:
        listener = new_listener("Test_L", ListenerType.PUBLIC, "Management", port,
                                ("example.com",))
        return listeners.put_listener(config, "Test_L", listener)
    return change


def without_test_listener(config: Config) -> Config:
    return model.replace(config, listeners=tuple(
        li for li in config.listeners if li.name != "Test_L"))


def test_tlsreport_names_the_domain_it_took(appliance: Appliance) -> None:
    child = ssh_login(appliance)
    child.sendline("tlsreport in century")
    child.expect_exact('TLS Connections: Incoming, last day, domain "century"')
    child.expect_exact("No connections recorded in this range.")
    child.expect_exact(PROMPT)
    child.sendline("tlsreport in day")
    child.expect_exact("TLS Connections: Incoming, last day\r\n")  # every domain: none named
    child.expect_exact(PROMPT)
    child.sendline("grep -C 999999999 -e MID mail_logs")
    child.expect_exact(GREP_RANGE)
    child.expect_exact(PROMPT)
    child.sendline("grep -C 1000 -e MID mail_logs")  # the top of the range is taken
    child.expect_exact(PROMPT)
    assert "Invalid value" not in screen(child)
    child.sendline("exit")
    child.expect(pexpect.EOF)
    done = ssh_exec(appliance, "grep -C -1 -e MID mail_logs")
    assert 'Invalid value "-1" for -C.' in done.stdout + done.stderr
    assert done.returncode != 0
    mail_flows(appliance)


def test_a_conflict_shows_a_deleted_listener_as_none(appliance: Appliance) -> None:
    commit_change(appliance.data, with_test_listener(ports.reserve()))
    child = ssh_login(appliance)
    child.sendline("listenerconfig")
    dialog(child, [(MENU, "edit"), (MENU, "Test_L"), (MENU, "limits"),
                   ("allowed.", "500"), ("queue size.", ""), (MENU, ""), (MENU, "")])
    child.expect_exact(PROMPT)
    commit_change(appliance.data, without_test_listener, "Test_L deleted meanwhile")
    child.sendline("commit")
    answer(child, "[]>", "500 connections")
    child.expect_exact("listeners[Test_L].max_connections")
    child.expect_exact(PROMPT)
    report = screen(child)
    assert "committed before: 1000\n    theirs: (none)\n    yours: 500" in report, report
    assert "None" not in report
    child.sendline("clear")
    answer(child, "[Y]>", "y")
    child.expect_exact(PROMPT)
    exit_and_check(child, appliance)
