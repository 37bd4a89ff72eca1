"""The whole path: OpenSSH into `esacli run`, require TLS, commit; the engine enforces it.

Real everything: the appliance is a subprocess, the admin uses the OpenSSH client
through pexpect, mail clients are smtplib over real sockets with real STARTTLS.
"""

from __future__ import annotations

import contextlib
import smtplib
import sqlite3
from pathlib import Path

import pexpect

from engine.spool import Spool
from tests.kit.appliance import Appliance
from tests.kit.certs import insecure_client_context
from tests.kit.smtp import MUST_STARTTLS, starttls_offered
from tests.kit.ssh import PROMPT, answer, console_shell, ssh_login, ssh_spawn
from tests.kit.waiting import wait_until


def set_default_tls(child: pexpect.spawn, listener: str, choice: str, comment: str) -> None:
    """listenerconfig -> EDIT -> HOSTACCESS -> DEFAULT: keep the limits, pick a TLS
    setting, accept the demo certificate, climb back to the prompt, commit, exit."""
    child.sendline("listenerconfig")
    answer(child, "[]> ", "edit")
    answer(child, "[]> ", listener)
    answer(child, "[]> ", "hostaccess")
    answer(child, "[]> ", "default")
    for default in ("[10M]> ", "[10]> ", "[10]> ", "[50]> "):
        answer(child, default, "")
    for _ in range(4):  # no banner override, custom 220/554 responses or rate limit
        answer(child, "[N]> ", "")
    answer(child, "[1]> ", choice)
    answer(child, "Do you really wish to use the demo certificate? [N]> ", "y")
    for _ in range(3):  # climb out: HOSTACCESS, EDIT, listenerconfig
        answer(child, "[]> ", "")
    child.expect_exact(PROMPT)
    child.sendline("commit")
    answer(child, "[]> ", comment)
    child.expect(r"Changes committed: \w{3} \w{3} [ \d]\d \d\d:\d\d:\d\d \d{4}")
    child.expect_exact(PROMPT)
    child.sendline("exit")
    child.expect(pexpect.EOF)


def require_tls_over_ssh(app: Appliance) -> None:
    set_default_tls(ssh_login(app), "InboundMail", "3", "TLS required on InboundMail")


def senders(app: Appliance) -> list[str]:
    """Envelope senders of every accepted message, read from what is durable.

    The outbound queue may already have delivered or bounced a message and removed its
    spool file, but only after its queue database row is final: so read the spool
    first, then the queue database. Messages the queue made itself (DSNs) have no sender.
    """
    found = {m.mid: m.sender for m in Spool(app.data / "spool").messages()}
    db = app.data / "queue" / "queue.db"
    if db.exists():
        with contextlib.closing(sqlite3.connect(f"file:{db}?mode=ro", uri=True)) as conn:
            found.update(conn.execute("SELECT mid, sender FROM messages").fetchall())
    return [sender for _, sender in sorted(found.items()) if sender]


def test_ssh_commit_requires_tls_and_survives_restart(appliance: Appliance) -> None:
    app = appliance
    before = smtplib.SMTP("127.0.0.1", app.inbound, timeout=5)
    before.ehlo("early.example")
    assert not before.has_extn("starttls")

    require_tls_over_ssh(app)
    wait_until(lambda: starttls_offered(app.inbound), what="the new policy")

    # the connection opened before the commit finishes under the old policy
    assert (
        before.sendmail("a@early.example", ["user@example.com"], b"Subject: early\r\n\r\nhi\r\n")
        == {}
    )
    before.quit()

    with smtplib.SMTP("127.0.0.1", app.inbound, timeout=5) as client:
        client.ehlo("late.example")
        assert client.mail("b@late.example") == MUST_STARTTLS
        client.starttls(context=insecure_client_context())
        client.ehlo("late.example")
        client.sendmail("b@late.example", ["user@example.com"], b"Subject: late\r\n\r\nhi\r\n")

    logs = app.mail_logs()
    assert "TLS was required but remote host did not initiate it" in logs
    assert "TLS success protocol TLSv1.3 cipher" in logs
    assert senders(app) == ["a@early.example", "b@late.example"]

    app.stop()
    app.start()
    assert senders(app) == ["a@early.example", "b@late.example"]
    assert logs in app.mail_logs()
    with smtplib.SMTP("127.0.0.1", app.inbound, timeout=5) as client:
        client.ehlo("again.example")
        assert client.mail("c@again.example") == MUST_STARTTLS


def test_mail_logs_tell_the_story(appliance: Appliance) -> None:
    with smtplib.SMTP("127.0.0.1", appliance.inbound, timeout=5) as client:
        client.sendmail("s@partner.example", ["user@example.com"], b"Subject: x\r\n\r\nhi\r\n")
    wait_until(lambda: " close" in appliance.mail_logs(), what="the close line")
    lines = [line.split(" Info: ", 1)[1] for line in appliance.mail_logs().splitlines()
             if " Info: " in line]
    story = [line for line in lines if "ICID" in line]
    assert story[0].startswith("New SMTP ICID ")
    assert story[0].endswith(" interface Management (127.0.0.1) address 127.0.0.1"
                             " reverse dns host unknown verified no")
    assert any(line.endswith("ACCEPT SG UNKNOWNLIST match sbrs[none] SBRS None") for line in story)
    assert any(line.startswith("Start MID ") for line in story)
    assert any(line.endswith("From: <s@partner.example>") for line in story)
    assert any("RID 0 To: <user@example.com>" in line for line in story)
    assert any(line.endswith("bytes from <s@partner.example>") for line in lines)


def test_wrong_password_is_refused(appliance: Appliance) -> None:
    child = ssh_spawn(appliance, "-o", "NumberOfPasswordPrompts=1")
    child.expect("password:")
    child.sendline("not the password")
    child.expect("Permission denied")
    child.expect(pexpect.EOF)


def test_host_key_is_kept(appliance: Appliance, tmp_path: Path) -> None:
    key = appliance.data / "secrets" / "ssh_host_ed25519_key"
    first = key.read_bytes()
    assert oct(key.stat().st_mode & 0o777) == "0o600"
    appliance.stop()
    appliance.start()
    assert key.read_bytes() == first


def test_console_shell_commits_reach_the_running_engine(appliance: Appliance) -> None:
    child = console_shell(appliance)
    child.expect_exact(PROMPT)
    set_default_tls(child, "1", "2", "STARTTLS offered")
    wait_until(lambda: starttls_offered(appliance.inbound), timeout=5, what="the console's commit")
