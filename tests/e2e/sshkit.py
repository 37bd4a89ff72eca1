"""Driving `esacli run` as an administrator and a mail client would: OpenSSH with a pty
(pexpect), OpenSSH without one (`ssh -T`, exec), and smtplib on both listeners."""

from __future__ import annotations

import re
import smtplib
import subprocess
import time

import pexpect

from tests.e2e.conftest import PASSWORD, Appliance

PROMPT = "mail.example.com>"  # prompt_toolkit draws the trailing space as a cursor move
ANSI = re.compile(r"\x1b\[[0-9;?<>=]*[A-Za-z~]|\x1b[()][A-Za-z0-9]|\x1b[=>]")
SSH_OPTIONS = ["-o", "StrictHostKeyChecking=no", "-o", "UserKnownHostsFile=/dev/null",
               "-o", "LogLevel=ERROR", "-o", "PubkeyAuthentication=no",
               "-o", "PreferredAuthentications=password"]


def ssh_login(app: Appliance, user: str = "admin", bind: str = "127.0.0.1") -> pexpect.spawn:
    """An interactive session over OpenSSH with a pty, at the top-level prompt."""
    child = pexpect.spawn(
        "ssh", ["-p", str(app.ssh_port), *SSH_OPTIONS, "-b", bind, "-tt", f"{user}@127.0.0.1"],
        encoding="utf-8", timeout=20, dimensions=(50, 200),
    )
    child.expect("password:")
    child.sendline(PASSWORD)
    child.expect_exact(PROMPT)
    return child


def answer(child: pexpect.spawn, expected: str, reply: str) -> None:
    """Wait for `expected` on screen, then type `reply` and Enter."""
    child.expect_exact(expected.rstrip())
    child.sendline(reply)


def ssh_batch(app: Appliance, args: list[str], stdin: str = "", user: str = "admin",
              password: str = PASSWORD) -> subprocess.CompletedProcess[str]:
    """OpenSSH without a terminal (`-T`, or an exec command in `args`), the password from
    an SSH_ASKPASS helper."""
    askpass = app.data.parent / f"askpass-{abs(hash(password))}.sh"
    askpass.write_text(f"#!/bin/sh\necho '{password}'\n")
    askpass.chmod(0o700)
    env = {"SSH_ASKPASS": str(askpass), "SSH_ASKPASS_REQUIRE": "force", "DISPLAY": ":0",
           "PATH": "/usr/bin:/bin"}
    command = ["ssh", "-p", str(app.ssh_port), *SSH_OPTIONS, "-o", "NumberOfPasswordPrompts=1",
               f"{user}@127.0.0.1", *args]
    return subprocess.run(command, input=stdin, capture_output=True, text=True, timeout=60,
                          env=env, check=False)


def send_mail(port: int, sender: str = "a@partner.example") -> float:
    """One message through a listener, up to its 250 after DATA; the seconds it took."""
    start = time.monotonic()
    with smtplib.SMTP("127.0.0.1", port, timeout=10) as client:
        refused = client.sendmail(sender, ["user@example.com"], b"Subject: t\r\n\r\nhi\r\n")
    assert refused == {}
    return time.monotonic() - start


def mail_flows(app: Appliance) -> None:
    """Both listeners accept a message."""
    send_mail(app.inbound)
    send_mail(app.outbound)


def no_traceback(text: str, where: str) -> None:
    assert "Traceback" not in text, f"a traceback in {where}:\n{text[-3000:]}"


def screen(child: pexpect.spawn) -> str:
    """What the last expect consumed, as plain text."""
    text = str(child.before) + (child.after if isinstance(child.after, str) else "")
    return ANSI.sub("", text).replace("\r", "")
