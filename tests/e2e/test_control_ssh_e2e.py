"""The new commands over OpenSSH with a pty against `esacli run`: Ctrl-C and Ctrl-D at
their prompts (suspendlistener, suspenddel, deleterecipients, grep, findevent,
logconfig, hoststatus) and during `rate` and `grep -t` (both follow until Ctrl-C; Ctrl-D
ends them too); nothing is written or staged, and afterwards mail and SSH are served."""

from __future__ import annotations

import pexpect

from tests.kit.appliance import Appliance, mail_flows
from tests.kit.ssh import PROMPT, answer, no_traceback, screen, ssh_login

CTRL_C, CTRL_D = "\x03", "\x04"
PROMPTS = [  # (command, answers up to the prompt where the key is pressed)
    ("suspendlistener", []),
    ("suspenddel", []),
    ("deleterecipients", [("[1]> ", "1")]),
    ("grep", [("[]> ", "1")]),
    ("findevent", [("[1]> ", "2")]),
    ("logconfig", [("[]> ", "edit"), ("[]> ", "1")]),
    ("hoststatus", []),
    ("rate", []),
]


def _interrupt(child: pexpect.spawn, command: str, steps: list[tuple[str, str]],
               key: str) -> None:
    child.sendline(command)
    for expected, reply in steps:
        answer(child, expected, reply)
    child.expect_exact("]>")
    child.send(key)
    child.expect_exact(PROMPT)


def _follow(child: pexpect.spawn, command: str, shown: str, key: str) -> None:
    child.sendline(command)
    child.expect_exact(shown)
    child.send(key)
    child.expect_exact("^C")
    child.expect_exact(PROMPT)


def test_keys_at_the_new_prompts_and_during_rate(appliance: Appliance) -> None:
    child = ssh_login(appliance)
    for key in (CTRL_C, CTRL_D):
        for command, steps in PROMPTS:
            _interrupt(child, command, steps, key)
    mail_flows(appliance)  # status.json has figures, mail_logs has lines
    for key in (CTRL_C, CTRL_D):
        _follow(child, "rate 1", "Hit Ctrl-C to return to the main prompt.", key)
        child.sendline("rate 1")  # a second row comes before the key
        child.expect(r"\n\d\d:\d\d:\d\d .*\n\d\d:\d\d:\d\d ")
        child.send(key)
        child.expect_exact(PROMPT)
        _follow(child, "grep -t -e ready mail_logs", "Press Ctrl-C to stop.", key)
        _follow(child, "workqueue rate 1", "Hit Ctrl-C to return to the main prompt.", key)
    child.sendline("showchanges")
    child.expect_exact("{'standalone': {'': {}}}")
    child.expect_exact(PROMPT)
    child.sendline("suspenddel example.com")
    child.expect_exact("Delivery suspended for example.com.")
    child.expect_exact(PROMPT)
    child.sendline("hoststatus example.com")
    child.expect_exact("suspended (suspenddel)")
    child.expect_exact(PROMPT)
    child.sendline("resumedel example.com")
    child.expect_exact("Delivery resumed for example.com.")
    child.expect_exact(PROMPT)
    # all suspended: resuming one domain says it still waits, not "nothing to change"
    child.sendline("suspenddel all")
    child.expect_exact(PROMPT)
    child.sendline("resumedel example.com")
    child.expect_exact("Delivery is suspended for all domains: example.com waits until"
                       " resumedel all.")
    child.expect_exact(PROMPT)
    child.sendline("resumedel all")
    child.expect_exact(PROMPT)
    child.sendline("workqueue rate 0")
    child.expect_exact("from 1 to 3600.")  # rate's own range
    child.expect_exact(PROMPT)
    no_traceback(screen(child), "the session")
    child.sendline("exit")
    child.expect(pexpect.EOF)

    mail_flows(appliance)
    again = ssh_login(appliance)
    again.sendline("exit")
    again.expect(pexpect.EOF)
    no_traceback(appliance.system_logs(), "system_logs")
