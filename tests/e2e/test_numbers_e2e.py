"""Issue 8, items 2 and 4, as they were found: OpenSSH with a pty into `esacli run`.

Characters Python takes for digits ("²", "①": `isdigit()` is true, `int()` raises) at
numeric prompts once ended the dialog with "An application fault occurred
(ValueError)"; a TCP queue of 99999999999999999999 was committed and the next boot
died with an OverflowError. Now each is refused with the appliance's message and the
question is asked again, and a version that cannot be applied never stops a boot.
"""

from __future__ import annotations

import smtplib

import pexpect

from state import formats_dest, model
from state.bootstrap import open_data_dir
from state.model import DestinationControls
from tests.kit.appliance import Appliance
from tests.kit.ssh import MENU, PROMPT, dialog, screen, ssh_exec, ssh_login
from tests.kit.waiting import wait_until

NOT_VALID = "That value is not valid."
HOSTS = "Separate multiple hosts with commas\n" + MENU
FAULT = "application fault"


def climb(child: pexpect.spawn, levels: int) -> None:
    for _ in range(levels):
        dialog(child, [(MENU, "")])
    child.expect_exact(PROMPT)


def test_digit_lookalikes_at_numeric_prompts_are_asked_again(appliance: Appliance) -> None:
    child = ssh_login(appliance)
    child.sendline("listenerconfig")
    dialog(child, [
        ("- SETUP - Change global settings.\n" + MENU, "edit"),
        ("2. OutboundMail\n" + MENU, "²"),  # a menu choice (esacli/console.py)
        (NOT_VALID + "\n2. OutboundMail\n" + MENU, "1"),
        ("Certificate: Demo\n", "limits"),
        ("concurrent connections allowed.\n[1000]> ", "①"),  # a limit (commands/value_questions.py)
        ("The value must be an integer from 1 to 10000.\n[1000]> ", ""),
        ("Please enter the TCP listen queue size.\n[50]> ", ""),
        ("Certificate: Demo\n", "hostaccess"),
        ("There are currently 5 sender groups.\n" + MENU, "new"),
        ("2. New Policy\n[1]> ", "²"),
        (NOT_VALID + "\n2. New Policy\n[1]> ", "1"),
        ("Enter a name for this sender group. (optional)\n" + MENU, "Partners"),
        (HOSTS, "10.0.0.0/²"),  # a HAT range (state/forms.py)
        ('Invalid IP or IP range: "10.0.0.0/²"\n' + HOSTS, "10.0.0.0/8"),
        ("9. Policy: BLOCKED\n[1]> ", "1"),
        ("Would you like to change the policy parameters? [N]> ", "y"),
        ("or no letter for bytes.\n[Default]> ", "1①M"),
        ("The value must be a number of bytes", ""),
        ("from a single IP address.\n[Default]> ", ""),
        ("messages per connection.\n[Default]> ", ""),
        ("recipients per message.\n[Default]> ", ""),
        ("override the hostname in the SMTP banner? [N]> ", ""),
        ("custom SMTP acceptance response? [N]> ", "y"),
        ("220 is the standard code.\n[220]> ", "²20"),  # an SMTP code
        ("The value must be an SMTP code from 200 to 299.\n[220]> ", ""),
        ("Press Enter on a blank line to finish.\n> ", "Hello"),
        ("> ", ""),
        ("custom SMTP rejection response? [N]> ", ""),
        ("enable rate limiting per host? [N]> ", "y"),
        ("recipients per hour from a remote host.\n" + MENU, "⁴⁵⁰⁰"),
        ("The value must be an integer from 1 to 1000000000.\n" + MENU, "4500"),
        ("custom SMTP limit exceeded response? [N]> ", ""),
        ("6. Default (currently: No)\n[6]> ", ""),
        ("Enter a comment for this sender group.\n" + MENU, ""),
        ("There are currently 6 sender groups.\n" + MENU, ""),
        ("Certificate: Demo\n" + MENU, ""),
        ("- SETUP - Change global settings.\n" + MENU, ""),
    ])
    child.expect_exact(PROMPT)
    assert FAULT not in screen(child)
    # a priority (dnsconfig), then an import with a lookalike digit (destconfig IMPORT)
    (appliance.data / "configuration" / "dest.txt").write_text(
        formats_dest.dump(DestinationControls()) + "[a.test]\nmax_messages_per_connection = ⑤\n")
    child.sendline("dnsconfig")
    dialog(child, [
        ("- SETUP - Configure general settings.\n" + MENU, "new"),
        ("IP address of your DNS server.\n" + MENU, "127.0.0.9"),
        ("A value of 0 is the highest priority.\n[0]> ", "①"),
        ("The value must be an integer from 0 to 1.\n[0]> ", ""),
        ("- SETUP - Configure general settings.\n" + MENU, ""),
    ])
    child.expect_exact(PROMPT)
    child.sendline("destconfig")
    dialog(child, [(MENU, "import"), ("[]> ", "dest.txt")])
    child.expect_exact('"max_messages_per_connection" must be an integer from 1 to 10000,'
                       ' not "⑤".')
    climb(child, 1)
    child.sendline("showchanges")
    child.expect_exact("max_rcpts_per_hour': 4500")  # what was answered is all still there
    child.expect_exact(PROMPT)
    assert FAULT not in screen(child)
    child.sendline("clear")
    dialog(child, [("since the last commit? [Y]> ", "y")])
    child.expect_exact(PROMPT)
    child.sendline("exit")
    child.expect(pexpect.EOF)
    assert "Traceback" not in appliance.console()


def test_a_huge_tcp_queue_is_refused_and_the_next_boot_works(appliance: Appliance) -> None:
    child = ssh_login(appliance)
    child.sendline("listenerconfig")
    dialog(child, [
        ("- SETUP - Change global settings.\n" + MENU, "edit"),
        ("2. OutboundMail\n" + MENU, "InboundMail"),
        ("Certificate: Demo\n", "limits"),
        ("concurrent connections allowed.\n[1000]> ", ""),
        ("Please enter the TCP listen queue size.\n[50]> ", "99999999999999999999"),
        ("The value must be an integer from 1 to 65535.\n[50]> ", "100"),
        ("(TCP Queue: 100)\n", ""),
        ("- SETUP - Change global settings.\n" + MENU, ""),
    ])
    child.expect_exact(PROMPT)
    child.sendline("dnsconfig")
    dialog(child, [
        ("- SETUP - Configure general settings.\n" + MENU, "setup"),
        ("Please enter the port to send DNS queries to.\n", ""),
        ("seconds to wait for a DNS query.\n", "100000000000000000000"),
        ("The value must be a number greater than 0 and at most 3600.\n", "3"),
        ("- SETUP - Configure general settings.\n" + MENU, ""),
    ])
    child.expect_exact(PROMPT)
    child.sendline("commit")
    dialog(child, [("describing your changes:\n" + MENU, "queue 100")])
    child.expect_exact("Changes committed: ")
    child.expect_exact(PROMPT)
    child.sendline("exit")
    child.expect(pexpect.EOF)
    appliance.stop()
    appliance.start()  # the committed version boots
    with smtplib.SMTP("127.0.0.1", appliance.inbound, timeout=10) as client:
        assert client.ehlo()[0] == 250


def test_boot_runs_the_newest_version_that_can_be_applied(tmp_path: object,
                                                         appliance: Appliance) -> None:
    """A data dir whose head holds a TCP queue of 10^20 (as today's main committed it)."""
    appliance.stop()
    store, _ = open_data_dir(appliance.data)
    config = store.load()
    huge = tuple(model.replace(li, tcp_queue=10**20) if li.name == "InboundMail" else li
                 for li in config.listeners)
    store.write(model.replace(config, listeners=huge), store.head_number(), "admin", "ssh",
                "queue 10^20")
    head = store.head_number()
    store.close()
    appliance.start()
    console = appliance.console()
    assert f"Configuration version {head} could not be applied: listener InboundMail:" \
           " tcp_queue 100000000000000000000: The value must be an integer from 1 to 65535." \
           in console
    assert f"Running configuration version {head - 1} instead." in console
    assert f"Listener InboundMail on 127.0.0.1:{appliance.inbound}: Running" in console
    system_logs = (appliance.data / "logs" / "system_logs").read_text()
    assert f"Configuration version {head} not applied" in system_logs
    status = wait_until(lambda: (done := ssh_exec(appliance, "status")).returncode == 0
                        and "Configuration version:" in done.stdout and done.stdout)
    assert f"Configuration version:         {head - 1} (version {head} could not be" \
           f" applied: listener InboundMail: tcp_queue" in str(status)
    with smtplib.SMTP("127.0.0.1", appliance.inbound, timeout=10) as client:
        assert client.ehlo()[0] == 250
