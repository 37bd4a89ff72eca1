"""Issue 9, item 8 as found: `MAIL FROM:<a\\rRSET@...>` against `esacli run`, then the
admin's `tail mail_logs` over SSH. The address is refused, mail_logs holds it escaped,
and no screen passes a control character to the terminal raw, even one planted in the
log file by something else."""

from __future__ import annotations

import base64
import re
import socket

import pexpect

from tests.kit.appliance import Appliance
from tests.kit.ssh import PROMPT, ssh_exec, ssh_login
from tests.kit.waiting import wait_until

PLANTED = "Tue Dec  1 10:00:00 2026 Info: planted \r\x1b[2K\x9b2J overwritten\n"


def smtp_exchange(port: int, lines: list[bytes]) -> list[bytes]:
    """Send each line, return the last line of each reply exactly as received."""
    with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
        stream = sock.makefile("rb")

        def reply() -> bytes:
            line = stream.readline()
            while line[3:4] == b"-":
                line = stream.readline()
            return line

        replies = [reply()]
        for line in lines:
            sock.sendall(line)
            replies.append(reply())
        return replies


def refused_sender(app: Appliance) -> None:
    replies = smtp_exchange(app.inbound, [
        b"EHLO client.test\r\n", b"MAIL FROM:<a\rRSET@b.test>\r\n", b"QUIT\r\n",
    ])
    assert replies[1].startswith(b"250 ")
    assert replies[2] == b"501 5.1.7 Bad sender address syntax\r\n"
    wait_until(lambda: "a\\rRSET@b.test" in app.mail_logs(), what="the refusal logged")


def test_an_address_with_a_cr_is_refused_and_never_raw(appliance: Appliance) -> None:
    refused_sender(appliance)
    log = (appliance.data / "logs" / "mail_logs").read_bytes()
    assert not re.search(rb"[\x00-\x09\x0b-\x1f\x7f]", log)
    assert b"From: <a\\rRSET@b.test> Rejected: invalid address" in log
    with (appliance.data / "logs" / "mail_logs").open("a") as handle:
        handle.write(PLANTED)  # something else wrote a raw line: the screen must cope
    done = ssh_exec(appliance, "tail mail_logs")
    assert done.returncode == 0, done.stderr
    assert "a\\rRSET@b.test" in done.stdout
    assert "planted \\r\\x1b[2K\\x9b2J overwritten" in done.stdout
    assert not re.search(r"[\x00-\x09\x0b-\x1f\x7f-\x9f]", done.stdout)


def test_tail_on_a_terminal_shows_control_characters_escaped(appliance: Appliance) -> None:
    child = ssh_login(appliance)
    try:
        child.sendline("tail mail_logs")
        child.expect_exact("Press Ctrl-C to stop.")
        refused_sender(appliance)
        with (appliance.data / "logs" / "mail_logs").open("a") as handle:
            handle.write(PLANTED)
        child.expect_exact("planted \\r\\x1b[2K\\x9b2J overwritten")
        assert "a\\rRSET@b.test" in str(child.before)
        child.sendcontrol("c")
        child.expect_exact("^C")
        child.expect_exact(PROMPT)
        child.sendline("exit")
        child.expect(pexpect.EOF)
    finally:
        child.close()


def test_a_bidi_override_in_a_subject_is_escaped_in_the_log_and_on_screen(
        appliance: Appliance) -> None:
    """Trojan Source (CVE-2021-42574): a right-to-left override would show the subject
    reversed, a line separator would split its line where splitlines reads it; both are
    written escaped, raw nowhere."""
    raw = "invoice \u202efdp.exe\u2028Tue Dec  1 10:00:00 2026 Info: forged"
    subject = "=?utf-8?b?" + base64.b64encode(raw.encode()).decode() + "?="
    replies = smtp_exchange(appliance.inbound, [
        b"EHLO client.test\r\n", b"MAIL FROM:<a@b.test>\r\n", b"RCPT TO:<u@example.com>\r\n",
        b"DATA\r\n", f"Subject: {subject}\r\n\r\nhi\r\n.\r\n".encode(), b"QUIT\r\n"])
    assert replies[5].startswith(b"250 "), replies
    wait_until(lambda: "invoice \\u202efdp.exe\\u2028Tue" in appliance.mail_logs(),
               what="the subject")
    assert "\u202e" not in appliance.mail_logs() and "\u2028" not in appliance.mail_logs()
    found = ssh_exec(appliance, "findevent -s invoice mail_logs")
    assert "Subject 'invoice \\u202efdp.exe\\u2028Tue Dec  1 10:00:00 2026 Info: forged'" \
        in found.stdout
    assert "\u202e" not in found.stdout and "\u2028" not in found.stdout
