"""listenerconfig NEW's "accept mail for" question takes only what RCPTACCESS NEW takes
(state/edit/rat.py): an invalid entry (`@@`) is refused with the same message and the
question asked again, the answers before it kept (NEW staged a table that only
commit refused). A private listener's relay hosts are refused as a sender group's are.
Ctrl-C and Ctrl-D at the asked-again question stage nothing.

OpenSSH with a pty against `esacli run`; afterwards mail flows and SSH logs in."""

from __future__ import annotations

import pexpect

from tests.kit.appliance import Appliance
from tests.kit.ports import reserve
from tests.kit.ssh import (
    MENU,
    PROMPT,
    answer,
    dialog,
    exit_and_check,
    ssh_login,
)

CTRL_C, CTRL_D = "\x03", "\x04"
ACCEPT_FOR = "Please specify the domains or specific addresses you want to accept mail for."
RELAY_FOR = "Please specify the systems allowed to relay email through the"
RAT_FORMS = ("A Recipient Access Table address can be one of the following: a domain"
             " (example.com)")


def up_to_hosts(child: pexpect.spawn, kind: str, name: str, port: str) -> None:
    """listenerconfig -> NEW: type, name, interface, protocol and port answered."""
    child.sendline("listenerconfig")
    dialog(child, [(MENU, "new"), ("[2]>", kind), ('(Ex: "InboundMail"):', name),
                   ("[1]>", ""), ("[1]>", ""), ("[25]>", port)])


def test_new_refuses_an_entry_rcptaccess_refuses(appliance: Appliance) -> None:
    # reserved: a fixed port held by anything else on the machine failed commit check
    port, relay_port = str(reserve()), str(reserve())
    child = ssh_login(appliance)
    for key in (CTRL_C, CTRL_D):
        up_to_hosts(child, "2", "Test_L", port)
        answer(child, ACCEPT_FOR, "example.com, ,,@@")
        child.expect_exact(RAT_FORMS)
        child.expect_exact(ACCEPT_FOR)
        child.expect_exact("[]>")
        child.send(key)
        child.expect_exact(PROMPT)
    child.sendline("showchanges")
    child.expect_exact("{'standalone': {'': {}}}")  # nothing staged by either

    up_to_hosts(child, "2", "Test_L", port)
    for refused, why in [("example.com, joe@[1.2.3.4], ,,@@, .x", RAT_FORMS),
                         ("ALL", 'The address "ALL" is already in the table.'),
                         ("", "Please enter a value.")]:
        answer(child, ACCEPT_FOR, refused)
        child.expect_exact(why)
    dialog(child, [(ACCEPT_FOR, "Example.com, joe@[1.2.3.4], example.com, .x"),
                   ("[Y]>", "n"), ("[Y]>", "n"), ("[N]>", "")])
    child.expect_exact("Listener Test_L created.")
    child.expect_exact(f"3. Test_L (on Management, 127.0.0.1) SMTP TCP Port {port} Public")
    answer(child, MENU, "")
    child.expect_exact(PROMPT)
    child.sendline("showchanges")  # each address once, as RCPTACCESS NEW stores it
    child.expect_exact("'listeners[Test_L].rat#order': ('example.com', 'joe@[1.2.3.4]', '.x',"
                       " 'ALL')")
    child.expect_exact(PROMPT)
    child.sendline("commit check")
    child.expect_exact("The configuration is valid.")
    child.expect_exact(PROMPT)

    up_to_hosts(child, "1", "Relay_L", relay_port)
    answer(child, RELAY_FOR, "10.0.0.0/8, @@")
    child.expect_exact('"@@"')
    dialog(child, [(RELAY_FOR, "10.0.0.0/8, .example.net"), ("[N]>", "")])
    child.expect_exact("Listener Relay_L created.")
    answer(child, MENU, "")
    child.expect_exact(PROMPT)
    child.sendline("commit")
    answer(child, "[]>", "two listeners")
    child.expect_exact("Changes committed: ")
    child.expect_exact(PROMPT)
    exit_and_check(child, appliance)
