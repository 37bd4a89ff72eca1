"""A command line's word in quotes is one word, as an admin types a subject with spaces:
`findevent -s 'tour outbound 1' mail_logs` over SSH (exec and piped input) finds the
message; grep's backslashes stay as typed; a line whose quote does not close is split at
white space, as before."""

from __future__ import annotations

import smtplib

from tests.kit.appliance import Appliance
from tests.kit.ssh import ssh_batch, ssh_exec
from tests.kit.waiting import wait_until

SUBJECT = "tour outbound 1"


def send(app: Appliance) -> None:
    with smtplib.SMTP("127.0.0.1", app.inbound, timeout=10) as client:
        client.sendmail("a@partner.example", ["user@example.com"],
                        f"Subject: {SUBJECT}\r\n\r\nhi\r\n".encode())
    wait_until(lambda: f"Subject '{SUBJECT}'" in app.mail_logs(), what="the message logged")


def test_a_quoted_subject_is_one_word(appliance: Appliance) -> None:
    send(appliance)
    for quoted in (f"'{SUBJECT}'", f'"{SUBJECT}"'):
        found = ssh_exec(appliance, f"findevent -s {quoted} mail_logs")
        assert found.returncode == 0, found.stdout + found.stderr
        assert f"Subject '{SUBJECT}'" in found.stdout
    piped = ssh_batch(appliance, ["-T"], f"findevent -s '{SUBJECT}' mail_logs\n")
    assert f"Subject '{SUBJECT}'" in piped.stdout and piped.returncode == 0
    counted = ssh_exec(appliance, r"grep -c -e 'ready \d+ bytes' mail_logs")
    assert counted.stdout == "\n1 matching lines.\n\n", counted.stdout
    unclosed = ssh_exec(appliance, "findevent -s 'tour mail_logs")
    assert unclosed.returncode != 0 and "Traceback" not in unclosed.stdout
