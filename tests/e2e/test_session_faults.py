"""A fault in one session ends that session at most (issue 8 item 1): injected with the
ESACLI_FAULT hook (esacli/faults.py) into `esacli run`, a bug in a command is reported and
the prompt comes back; an exception no command catches (KeyboardInterrupt, SystemExit)
closes that one session, logged in system_logs. The engine, the other sessions and their
pending changes go on."""

from __future__ import annotations

import io
import signal
from collections.abc import Iterator
from pathlib import Path

import pexpect
import pytest

from tests.e2e.test_ctrl_c_e2e import stage_limits
from tests.kit.appliance import Appliance, mail_flows, prepared, running
from tests.kit.ssh import PROMPT, answer, console_shell, no_traceback, ssh_batch, ssh_login

FAULTS = "tophosts:interrupt,showrecipients:exit,status:error"


@pytest.fixture
def faulty(tmp_path: Path) -> Iterator[Appliance]:
    app = prepared(tmp_path)
    app.env = {"ESACLI_FAULT": FAULTS}
    with running(app):
        yield app


def test_a_fault_ends_one_session_and_nothing_else(faulty: Appliance) -> None:
    other = ssh_login(faulty)
    stage_limits(other, "77")

    victim = ssh_login(faulty)
    victim.sendline("status")  # an ordinary bug: the command is dropped, the session goes on
    victim.expect_exact("An application fault occurred (RuntimeError). The command was not")
    victim.expect_exact(PROMPT)
    victim.sendline("tophosts")  # an exception that no command catches
    victim.expect_exact("An application fault occurred (KeyboardInterrupt). The session was")
    victim.expect(pexpect.EOF)

    batch = ssh_batch(faulty, ["showrecipients"])
    assert batch.returncode == 1
    assert "An application fault occurred (SystemExit). The session was closed." in batch.stdout
    assert ssh_batch(faulty, ["status"]).returncode == 1

    mail_flows(faulty)
    other.sendline("showchanges")
    other.expect_exact("'listeners[InboundMail].max_connections': 77")
    other.sendline("commit")
    answer(other, "[]> ", "kept through another session's fault")
    other.expect_exact("Changes committed: ")
    other.sendline("exit")
    other.expect(pexpect.EOF)

    logs = (faulty.data / "logs" / "system_logs").read_text()
    assert logs.count("session of admin ended by a fault") == 2
    assert "KeyboardInterrupt: fault injected by ESACLI_FAULT" in logs
    assert "command status failed" in logs
    assert faulty.proc is not None
    faulty.proc.send_signal(signal.SIGINT)
    assert faulty.proc.wait(timeout=10) == 0
    no_traceback(faulty.console(), "the appliance's output")


def test_the_local_console_shows_no_traceback(faulty: Appliance) -> None:
    console = console_shell(faulty, faulty.env)
    console.logfile_read = shown = io.StringIO()
    console.expect_exact(PROMPT)
    console.sendline("status")
    console.expect_exact("An application fault occurred (RuntimeError). The command was not")
    console.expect_exact(PROMPT)
    console.sendline("tophosts")
    console.expect_exact("An application fault occurred (KeyboardInterrupt). The session was")
    console.expect(pexpect.EOF)
    no_traceback(shown.getvalue(), "the console")
    console.close()
    assert console.exitstatus == 1
    logs = (faulty.data / "logs" / "system_logs").read_text()
    assert "command status failed" in logs and "session of " in logs
