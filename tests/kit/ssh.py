"""Driving the appliance's shell as an administrator does: OpenSSH with a pty (pexpect),
OpenSSH without one (`ssh -T`, an exec request), and `esacli shell` on a local pty.

    child = ssh_login(app)                      # at the top-level prompt
    dialog(child, [("[]> ", "edit"), ...])       # wait for each text, type each answer
    done = ssh_exec(app, "status")               # batch: its stdout, stderr, exit status
"""

from __future__ import annotations

import os
import re
import subprocess
import sys

import pexpect

from tests.kit.appliance import PASSWORD, Appliance, mail_flows
from tests.kit.certs import pem_lines

PROMPT = "mail.example.com>"  # prompt_toolkit draws the trailing space as a cursor move
MENU = "[]> "
ANSI = re.compile(r"\x1b\[[0-9;?<>=]*[A-Za-z~]|\x1b[()][A-Za-z0-9]|\x1b[=>]")
SSH_OPTIONS = ["-o", "StrictHostKeyChecking=no", "-o", "UserKnownHostsFile=/dev/null",
               "-o", "LogLevel=ERROR", "-o", "PubkeyAuthentication=no",
               "-o", "PreferredAuthentications=password"]

Steps = list[tuple[str, str]]
# Rows of the test terminals: output longer than a screen pages (esacli/pager.py), so
# tests that are not about paging get a screen taller than anything they print.
ROWS = 1000


def ssh_spawn(app: Appliance, *options: str, user: str = "admin",
              rows: int = ROWS) -> pexpect.spawn:
    """OpenSSH to the appliance with `options`, up to (not past) its password question;
    its terminal has `rows` lines (long output pages past them)."""
    return pexpect.spawn(
        "ssh", ["-p", str(app.ssh_port), *SSH_OPTIONS, *options, f"{user}@127.0.0.1"],
        encoding="utf-8", timeout=20, dimensions=(rows, 200),
        use_poll=True,  # select() refuses a descriptor above 1023, which a long suite reaches
    )


def ssh_login(app: Appliance, user: str = "admin", bind: str = "127.0.0.1",
              rows: int = ROWS) -> pexpect.spawn:
    """An interactive session over OpenSSH with a pty, at the top-level prompt."""
    child = ssh_spawn(app, "-b", bind, "-tt", user=user, rows=rows)
    child.expect("password:")
    child.sendline(PASSWORD)
    child.expect_exact(PROMPT)
    return child


def console_shell(app: Appliance, env: dict[str, str] | None = None) -> pexpect.spawn:
    """`esacli shell` on the appliance's data dir, on a pty of its own (not yet at the
    prompt)."""
    return pexpect.spawn(
        sys.executable, ["-m", "esacli", "shell", "--data", str(app.data)],
        encoding="utf-8", timeout=20, dimensions=(ROWS, 200), env={**os.environ, **(env or {})},
        use_poll=True,
    )


def batch_command(app: Appliance, args: list[str], user: str = "admin",
                  password: str = PASSWORD) -> tuple[list[str], dict[str, str]]:
    """The command line and environment of OpenSSH without a terminal (`-T`, or an exec
    command in `args`), the password from an SSH_ASKPASS helper."""
    askpass = app.data.parent / f"askpass-{abs(hash(password))}.sh"
    askpass.write_text(f"#!/bin/sh\necho '{password}'\n")
    askpass.chmod(0o700)
    env = {"SSH_ASKPASS": str(askpass), "SSH_ASKPASS_REQUIRE": "force", "DISPLAY": ":0",
           "PATH": "/usr/bin:/bin"}
    command = ["ssh", "-p", str(app.ssh_port), *SSH_OPTIONS, "-o", "NumberOfPasswordPrompts=1",
               f"{user}@127.0.0.1", *args]
    return command, env


def ssh_batch(app: Appliance, args: list[str], stdin: str = "", user: str = "admin",
              password: str = PASSWORD) -> subprocess.CompletedProcess[str]:
    """OpenSSH without a terminal, run to its end (batch_command)."""
    command, env = batch_command(app, args, user, password)
    return subprocess.run(command, input=stdin, capture_output=True, text=True, timeout=60,
                          env=env, check=False)


def ssh_exec(app: Appliance, command: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    """`ssh admin@host 'command'` with `stdin` as its input."""
    return ssh_batch(app, [command], stdin)


def answer(child: pexpect.spawn, expected: str, reply: str) -> None:
    """Wait for `expected` on screen, then type `reply` and Enter."""
    child.expect_exact(expected.rstrip())
    child.sendline(reply)


def dialog(child: pexpect.spawn, steps: Steps) -> None:
    """Each step: the screen text to wait for (every line of it, in order; prompts
    without their trailing space, which prompt_toolkit draws as a cursor move), then
    the answer typed."""
    for expected, reply in steps:
        for fragment in expected.split("\n"):
            if fragment.strip():
                child.expect_exact(fragment.rstrip())
        child.sendline(reply)


def paste(child: pexpect.spawn, pem: str) -> None:
    """A PEM block typed line by line, ending with the `.` line."""
    for line in pem_lines(pem):
        child.sendline(line)


def screen(child: pexpect.spawn) -> str:
    """What the last expect consumed, as plain text."""
    text = str(child.before) + (child.after if isinstance(child.after, str) else "")
    return ANSI.sub("", text).replace("\r", "")


def no_traceback(text: str, where: str) -> None:
    assert "Traceback" not in text, f"a traceback in {where}:\n{text[-3000:]}"


def exit_and_check(child: pexpect.spawn, app: Appliance) -> None:
    """`exit` at the prompt, then what a test of a careless or hostile user ends with: no
    traceback on the screen or in system_logs, mail flows, and a new SSH login works."""
    child.sendline("exit")
    child.expect(pexpect.EOF)
    no_traceback(screen(child), "the session")
    mail_flows(app)
    ssh_login(app).sendline("exit")
    assert "Traceback" not in app.system_logs()
