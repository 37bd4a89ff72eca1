"""A byte that is not UTF-8 from the SSH client (Latin-1 `caf\\xe9`, a stray `\\xff`) against
`esacli run` over OpenSSH: it reaches the shell as U+FFFD and the line gets the shell's usual
refusal. The connection, the session and its pending changes survive, in a terminal
session (`ssh -tt`), in a batch one (`ssh -T` with piped input) and in an exec request
(`ssh host 'status \\xe9'`), whose valid commands still run. It used to be a protocol
error: the client disconnected, the staged changes lost, the exec request refused."""

from __future__ import annotations

import io
import os
import re
import subprocess

import pexpect

from state.store import Store
from tests.kit.appliance import PASSWORD, Appliance
from tests.kit.ssh import ANSI, SSH_OPTIONS, answer, no_traceback, ssh_login

HOST = "a3.example.com"
STAGED = f"The hostname {HOST} takes effect when you commit."
STATUS_USAGE = "Usage: status [detail]"
UNKNOWN = "Unknown command or missing feature key: caf\ufffd"
DATE = re.compile(r"\w{3} \w{3} \d{2} \d{2}:\d{2}:\d{2} \d{4}")


def ssh_bytes(app: Appliance, args: list[bytes],
              stdin: bytes) -> subprocess.CompletedProcess[bytes]:
    """OpenSSH without a terminal, its command line and its input as raw bytes (the
    kit's ssh_batch takes text, which cannot hold a byte that is not UTF-8)."""
    askpass = app.data.parent / "askpass-bytes.sh"
    askpass.write_text(f"#!/bin/sh\necho '{PASSWORD}'\n")
    askpass.chmod(0o700)
    env = {"SSH_ASKPASS": str(askpass), "SSH_ASKPASS_REQUIRE": "force", "DISPLAY": ":0",
           "PATH": "/usr/bin:/bin"}
    command = [b"ssh", b"-p", str(app.ssh_port).encode(), *(o.encode() for o in SSH_OPTIONS),
               b"-o", b"NumberOfPasswordPrompts=1", b"admin@127.0.0.1", *args]
    return subprocess.run(command, input=stdin, capture_output=True, timeout=60, env=env,
                          check=False)


def hostname(app: Appliance) -> str:
    store = Store(app.data)
    try:
        return store.load().hostname
    finally:
        store.close()


def test_a_terminal_session_refuses_the_line_and_keeps_its_changes(appliance: Appliance) -> None:
    child = ssh_login(appliance)
    try:
        child.sendline(f"sethostname {HOST}")
        child.expect_exact(STAGED)
        child.expect_exact(f"{HOST}>")
        child.logfile_read = shown = io.StringIO()
        os.write(child.child_fd, b"status \xe9\xff\r")  # typed as is: Latin-1, then 0xff
        child.expect_exact(STATUS_USAGE)
        child.expect_exact(f"{HOST}>")  # the prompt still shows the staged name
        text = ANSI.sub("", shown.getvalue()).replace("\r", "")
        assert f"{HOST}> status \ufffd\ufffd\n\n{STATUS_USAGE}\n\n{HOST}>" in text
        child.sendline("commit")
        answer(child, "[]> ", "kept through a byte that is not UTF-8")
        child.expect_exact("Changes committed: ")
        child.expect_exact(f"{HOST}>")
        child.sendline("exit")
        child.expect(pexpect.EOF)
        assert "disconnect" not in str(child.before)
    finally:
        child.close()
    assert child.exitstatus == 1  # the session's own status: one line was refused (not 255)
    assert hostname(appliance) == HOST
    no_traceback(appliance.system_logs(), "system_logs")


def test_a_typed_nul_is_ignored_not_a_cut_in_the_line(appliance: Appliance) -> None:
    """Ctrl-Space (NUL) typed in a line set a mark: all typed after it up to Enter was
    dropped and the shortened line taken without a word (`a3.exa`)."""
    child = ssh_login(appliance)
    try:
        os.write(child.child_fd, f"sethostname {HOST[:6]}\x00{HOST[6:]}\r".encode())
        child.expect_exact(STAGED)
        child.expect_exact(f"{HOST}>")
        child.sendline("clear")
        child.expect_exact("> ")
    finally:
        child.close()


def test_piped_input_runs_on_past_the_bad_line(appliance: Appliance) -> None:
    """The line that is not UTF-8 is refused and the next ones run; the commit after it
    commits nothing (a script with a refused line is not applied in part)."""
    before = hostname(appliance)
    stdin = f"status\nsethostname {HOST}\ncaf\xe9\ncommit\nexit\n".encode("latin-1")
    done = ssh_bytes(appliance, [b"-T"], stdin)
    assert done.stderr == b"", done.stderr
    assert done.returncode == 1  # the refused line is a failure, as any unknown command
    out = done.stdout.decode("utf-8")  # strictly: what the appliance writes stays UTF-8
    assert "Status as of:" in out
    assert DATE.sub("<date>", out[out.index(STAGED):]).startswith(
        f"{STAGED}\n\n\n"
        f"{UNKNOWN}\n\n\n"
        "Nothing was committed: a line of this input before the commit failed or was refused,"
    )
    assert hostname(appliance) == before


def test_an_exec_command_that_is_not_utf8_runs(appliance: Appliance) -> None:
    done = ssh_bytes(appliance, [b"status \xe9"], b"status\n")
    assert done.stderr == b"", done.stderr  # was: exec request failed on channel 0
    assert done.returncode == 1
    out = done.stdout.decode("utf-8")
    assert out.startswith(f"\n{STATUS_USAGE}\n\n\nStatus as of: ")  # then the input's line
