"""`esacli run` stopped (SIGTERM, as systemd stops it) tells every open SSH session, on a
terminal and in a batch, before it ends them: they used to end with no word, the screen
as it was and the administrator's pending changes gone."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pexpect

from tests.kit.appliance import PASSWORD, prepared
from tests.kit.ssh import SSH_OPTIONS, ssh_login

NOTICE = "The appliance is shutting down: this session ends. Changes not committed are lost."


def test_open_sessions_are_told_before_they_end(tmp_path: Path) -> None:
    app = prepared(tmp_path)
    app.start()
    try:
        terminal = ssh_login(app)
        terminal.sendline("sethostname pending.example.com")
        terminal.expect_exact("takes effect when you commit")
        askpass = tmp_path / "askpass.sh"
        askpass.write_text(f"#!/bin/sh\necho '{PASSWORD}'\n")
        askpass.chmod(0o700)
        batch = subprocess.Popen(  # a batch session waiting for its next line
            ["ssh", "-p", str(app.ssh_port), *SSH_OPTIONS, "-T", "admin@127.0.0.1"],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
            env={"SSH_ASKPASS": str(askpass), "SSH_ASKPASS_REQUIRE": "force", "DISPLAY": ":0",
                 "PATH": "/usr/bin:/bin"})
        assert batch.stdin is not None and batch.stdout is not None
        batch.stdin.write("version\n")
        batch.stdin.flush()
        assert "Version" in batch.stdout.readline() + batch.stdout.readline()
    finally:
        app.stop()
    terminal.expect_exact(NOTICE)
    terminal.expect(pexpect.EOF)
    out, _ = batch.communicate(timeout=30)
    assert NOTICE in out
