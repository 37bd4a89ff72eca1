"""Bounces and alerts (the null sender `<>`) can be shown, deleted and bounced by their
sender, as every other sender's: `<>` ended the dialog without a word, and the one-line
form answered only "Usage:".

OpenSSH against `esacli run`; mail queued for a host that refuses connections."""

from __future__ import annotations

import smtplib
from pathlib import Path

from tests.kit.appliance import running
from tests.kit.ports import reserve
from tests.kit.queue import DOMAIN, relay_appliance
from tests.kit.ssh import PROMPT, answer, exit_and_check, ssh_exec, ssh_login
from tests.kit.waiting import wait_until


def queue(port: int, sender: str, to: str) -> None:
    with smtplib.SMTP("127.0.0.1", port, timeout=10) as client:
        client.sendmail(sender, [to], b"Subject: q\r\n\r\nx\r\n")


def test_the_null_sender_selects_bounces(tmp_path: Path) -> None:
    app = relay_appliance(tmp_path / "data", reserve())  # nothing listens there
    with running(app):
        queue(app.outbound, "", f"bounce@{DOMAIN}")
        queue(app.outbound, "a@example.com", f"mail@{DOMAIN}")
        wait_until(lambda: app.mail_logs().count("Delayed: ") >= 2, what="both deferred")
        child = ssh_login(app)
        child.sendline("showrecipients")
        answer(child, "[3]>", "2")
        answer(child, "[]>", "<>")
        answer(child, "[N]>", "")
        child.expect_exact(f"bounce@{DOMAIN}")
        child.expect_exact(PROMPT)
        assert f"mail@{DOMAIN}" not in str(child.before)
        done = ssh_exec(app, "deleterecipients sender <> yes")
        assert "There is 1 recipient that matches." in done.stdout, done.stdout
        assert "1 recipient deleted." in done.stdout
        wait_until(lambda: "deleted by administrator" in app.mail_logs(), what="the deletion")
        exit_and_check(child, app)
    assert app.mail_logs().count("deleted by administrator") == 1
