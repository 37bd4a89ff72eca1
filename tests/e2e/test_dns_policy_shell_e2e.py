"""The DNS-published TLS policy commands over OpenSSH with a pty, against `esacli run`:
Ctrl-C and Ctrl-D at the DANE question of destconfig, in tlsrptconfig, at mtastsconfig's
domain question and at daneverify's drop the dialog and nothing else; then destconfig
NEW with DANE Mandatory and bounce, and TLS reporting set up, committed. Afterwards the
appliance still serves mail and SSH."""

from __future__ import annotations

import pexpect

from state.model import DaneMode, TlsFailure, TlsRptSettings
from state.store import Store
from tests.kit.appliance import Appliance, mail_flows
from tests.kit.ssh import PROMPT, answer, dialog, no_traceback, ssh_login

CTRL_C, CTRL_D = "\x03", "\x04"


def leave_with(child: pexpect.spawn, key: str) -> None:
    child.send(key)
    child.expect_exact(PROMPT)


def to_the_dane_question(child: pexpect.spawn, domain: str) -> None:
    child.sendline("destconfig")
    dialog(child, [
        ("- EXPORT - Export tables to a file.\n[]> ", "new"),
        ("Enter the domain you wish to configure.\n[]> ", domain),
        (f"Do you wish to configure a concurrency limit for {domain}? [Y]> ", "n"),
        ("Do you wish to apply a messages-per-connection limit to this domain? [N]> ", "n"),
        ("Do you wish to apply a recipient limit to this domain? [N]> ", "n"),
        ("Do you wish to apply a specific TLS setting for this domain? [N]> ", "n"),
        ("Do you wish to configure DANE Support for this domain? [N]> ", "y"),
    ])
    child.expect_exact("Please choose a DANE option")
    child.expect_exact("3. Mandatory")
    child.expect_exact("[1]>")


def test_interrupted_dialogs_stage_nothing_then_a_commit(appliance: Appliance) -> None:
    me = ssh_login(appliance)
    to_the_dane_question(me, "partner.example")
    leave_with(me, CTRL_C)
    to_the_dane_question(me, "partner.example")
    leave_with(me, CTRL_D)
    me.sendline("tlsrptconfig")
    dialog(me, [("- SETUP - Configure TLS reporting (RFC 8460).\n[]> ", "setup"),
                ("to the domains that ask for them? [N]> ", "y")])
    me.expect_exact("Enter the organization name the reports are sent by:")
    leave_with(me, CTRL_C)
    me.sendline("mtastsconfig")
    dialog(me, [("- REFRESH - Fetch a domain's MTA-STS policy now.\n[]> ", "refresh")])
    me.expect_exact("Enter the domain whose MTA-STS policy to fetch now.")
    leave_with(me, CTRL_D)
    me.sendline("daneverify")
    me.expect_exact("Enter the domain to verify DANE support for:")
    leave_with(me, CTRL_C)
    me.sendline("showchanges")
    me.expect_exact("{'standalone': {'': {}}}")  # nothing of the dropped dialogs

    to_the_dane_question(me, "partner.example")
    me.sendline("3")
    dialog(me, [
        ("Do you wish to apply a specific MTA-STS setting for this domain? [N]> ", ""),
        ("specific action when required TLS fails for this domain? [N]> ", "y"),
        ("2. Bounce at once (fail)\n[1]> ", "2"),
        ("specific bounce verification address tagging setting for this domain? [N]> ", ""),
        ("Do you wish to apply a specific IP sort preference to this domain? [N]> ", ""),
        ("There are currently 1 entries configured.", ""),
    ])
    me.expect_exact(PROMPT)
    me.sendline("tlsrptconfig")
    dialog(me, [
        ("- SETUP - Configure TLS reporting (RFC 8460).\n[]> ", "setup"),
        ("to the domains that ask for them? [N]> ", "y"),
        ("Enter the organization name the reports are sent by:\n[]> ", "Example Corp"),
        ("Enter the contact address for the reports:\n[]> ", "tls-reports@example.com"),
        ("Enter the address the reports are sent from:\n[]> ", "noreply@example.com"),
        ("TLS reporting is currently enabled.", ""),
    ])
    me.expect_exact(PROMPT)
    me.sendline("commit")
    answer(me, "[]> ", "DANE for the partner, TLS reports")
    me.expect_exact("Changes committed: ")
    me.expect_exact(PROMPT)

    store = Store(appliance.data)
    try:
        head = store.load()
    finally:
        store.close()
    (entry,) = head.destinations.entries
    assert (entry.domain, entry.dane, entry.mta_sts, entry.tls_failure) == (
        "partner.example", DaneMode.MANDATORY, None, TlsFailure.BOUNCE)
    assert head.tlsrpt == TlsRptSettings(True, "Example Corp", "tls-reports@example.com",
                                         "noreply@example.com")
    mail_flows(appliance)
    ssh_login(appliance).sendline("exit")
    me.sendline("exit")
    me.expect(pexpect.EOF)
    no_traceback(appliance.console(), "the appliance's output")
