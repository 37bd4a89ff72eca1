"""Issue 8, items 11 and 13, as they were found: OpenSSH into `esacli run`.

listenerconfig NEW dropped the rate limit it asked for; a dialog ended by a dropped
connection left a private key behind; the session that ran `commit confirmed` never
learned that another session confirmed it; "1 certificates"; a link-local address
with a zone index was a HAT host; a 1 MB bad import line came back whole.
"""

from __future__ import annotations

import re
import time

import pexpect

from tests.kit.appliance import Appliance, head_number
from tests.kit.certs import SigningCA
from tests.kit.ports import reserve
from tests.kit.ssh import MENU, PROMPT, dialog, paste, ssh_exec, ssh_login
from tests.kit.waiting import wait_until


def test_listener_new_keeps_the_rate_limit_it_asks_for(appliance: Appliance) -> None:
    child = ssh_login(appliance)
    child.sendline("listenerconfig")
    dialog(child, [
        ("- SETUP - Change global settings.\n" + MENU, "new"),
        ("2. Public\n[2]> ", ""),
        ('Please create a name for this listener (Ex: "InboundMail"):\n' + MENU, "PartnerIn"),
        ("IP interface for this Listener.\n1. Management (127.0.0.1: mail.example.com)\n[1]> ",
         ""),
        ("Choose a protocol.\n1. SMTP\n[1]> ", ""),
        ("Please enter the TCP port for this listener.\n[25]> ", str(reserve())),
        ("Separate multiple addresses with commas.\n" + MENU, "example.org"),
        ("filter all incoming mail based on its SBRS Score.) [Y]> ", ""),
        ("receive from a remote domain.) [Y]> ", ""),
        ("to accept from a remote domain.\n" + MENU, "4500"),
        ("Maximum Number Of Recipients Per Hour: 4500\n", ""),  # the block says so ...
        ("Listener PartnerIn created.\n", ""),
        ("- SETUP - Change global settings.\n" + MENU, ""),
    ])
    child.expect_exact(PROMPT)
    child.sendline("showchanges")  # ... and so does the staged default policy
    child.expect_exact("'listeners[PartnerIn].hat.default.max_rcpts_per_hour': 4500")
    child.expect_exact(PROMPT)
    child.sendline("exit")
    dialog(child, [("Are you sure you wish to exit? [N]> ", "y")])
    child.expect(pexpect.EOF)


def key_files(app: Appliance) -> set[str]:
    return {p.name for p in (app.data / "secrets" / "keys").iterdir()}


def test_a_dropped_certconfig_new_leaves_no_key(appliance: Appliance) -> None:
    before = key_files(appliance)
    child = ssh_login(appliance)
    child.sendline("certconfig")
    dialog(child, [
        ("Press Enter to continue.", ""),
        ("- CERTAUTHORITY - Manage System and Customized Authorities\n" + MENU, "certificate"),
        ("- NEW - Create a self-signed certificate and CSR\n" + MENU, "new"),
        ("Enter a name for this certificate profile:\n> ", "dropped"),
        ("Enter Common Name (CN):\n[]> ", "mail.example.com"),
        ("Name(FQDN) format? [N]> ", "y"),
        ("Enter Organization (O):\n[]> ", "Example"),
        ("Enter Organizational Unit (OU):\n[]> ", "IT"),
        ("Enter Locality or City (L):\n[]> ", "Paris"),
        ("Enter State or Province (ST):\n[]> ", "IDF"),
        ("Enter Country (2 letter code) (C):\n[]> ", "FR"),
        ("Subject Alternative Name (DNS) extension.\n", ""),
        ("Duration before expiration (in days):\n[3650]> ", ""),
        ("Enter type and size of private key:\n]> ", ""),
    ])
    child.expect_exact("Do you want to view the CSR? [Y]>")
    assert len(key_files(appliance)) == len(before) + 1  # the key exists, staged only
    child.close(force=True)  # the connection drops mid-dialog
    wait_until(lambda: key_files(appliance) == before, what="the staged key to be removed")
    assert "Traceback" not in appliance.console()
    assert ssh_exec(appliance, "status").returncode == 0  # and SSH still serves


def test_the_commit_confirmed_session_is_told_when_another_confirms(
        appliance: Appliance) -> None:
    first, second = ssh_login(appliance), ssh_login(appliance)
    first.sendline("dnsconfig")
    dialog(first, [
        ("- SETUP - Configure general settings.\n" + MENU, "setup"),
        ("Please enter the port to send DNS queries to.\n", ""),
        ("seconds to wait for a DNS query.\n", "4"),
        ("- SETUP - Configure general settings.\n" + MENU, ""),
    ])
    first.expect_exact(PROMPT)
    first.sendline("commit confirmed 5")
    dialog(first, [("describing your changes:\n" + MENU, "try a 4 s DNS timeout")])
    first.expect(r"The changes will be rolled back at .* unless confirmed")
    first.expect_exact(PROMPT)
    version = head_number(appliance.data)
    second.sendline("commit")  # nothing pending: confirms admin's confirmed commit
    second.expect_exact(f"Commit of version {version} confirmed: it will not be rolled back.")
    second.expect_exact(PROMPT)
    first.sendline("")
    first.expect_exact(f"Commit of version {version} was confirmed by another session of"
                       " admin: it will not be rolled back.")
    first.expect_exact(PROMPT)
    for child in (first, second):
        child.sendline("exit")
        child.expect(pexpect.EOF)


def test_one_custom_authority_is_one_certificate(appliance: Appliance) -> None:
    child = ssh_login(appliance)
    child.sendline("certconfig")
    dialog(child, [
        ("Press Enter to continue.", ""),
        ("- CERTAUTHORITY - Manage System and Customized Authorities\n" + MENU, "certauthority"),
        ("- CUSTOM - Manage custom Certificate Authorities\n" + MENU, "custom"),
        ("Custom Certificate Authorities: Enabled (0 certificates)\n" + MENU, "import"),
        ("Import the Certificate Authorities from:\n2. Paste\n[1]> ", "2"),
    ])
    child.expect_exact("Paste the Certificate Authorities in PEM format (end with '.'):")
    paste(child, SigningCA().root_pem)
    child.expect(r"Custom Certificate Authorities: Enabled \(1 certificate\)\r?\n")
    for _ in range(3):
        dialog(child, [(MENU, "")])
    child.expect_exact(PROMPT)
    child.sendline("clear")
    dialog(child, [("since the last commit? [Y]> ", "y")])
    child.expect_exact(PROMPT)
    child.sendline("exit")
    child.expect(pexpect.EOF)


def test_a_zone_index_is_not_a_hat_host(appliance: Appliance) -> None:
    done = ssh_exec(appliance, "listenerconfig edit InboundMail hostaccess new sendergroup"
                               " LinkLocal fe80::1%eth0 accept")
    assert 'Invalid IP or IP range: "fe80::1%eth0"' in done.stdout
    # `n.n.n` is a partial address (§4.5): every host of 1.2.3.0/24, as on the appliance
    done = ssh_exec(appliance, "listenerconfig edit InboundMail hostaccess new sendergroup"
                               " Partial 1.2.3 accept", stdin="showchanges\n")
    assert "groups[Partial].senders': ('1.2.3',)" in done.stdout


def test_a_huge_bad_import_line_is_not_echoed_back_whole(appliance: Appliance) -> None:
    (appliance.data / "configuration" / "big.txt").write_text(
        "x" * 1_000_000 + " {\n}\nALL\n    $ACCEPTED\n")
    started = time.monotonic()
    done = ssh_exec(appliance, "listenerconfig edit InboundMail hostaccess import big.txt")
    assert re.search(r"line 1: .*x{100}\.\.\.", done.stdout), done.stdout[:500]
    assert len(done.stdout) < 1000
    assert time.monotonic() - started < 30
