"""A log search cannot stop the appliance: an expression that backtracks without end
(`(b|bb)+$` over a long run of b a client put in mail_logs) stops its own search with a
message, while SSH, the other sessions and mail go on; Ctrl-C while it runs gives it up."""

from __future__ import annotations

import smtplib
from pathlib import Path

import pexpect

from esacli import texts
from esacli.commands.ops.logs.patterns import LINE_TIME
from tests.kit.appliance import mail_flows, prepared, running
from tests.kit.ssh import PROMPT, ssh_exec, ssh_login
from tests.kit.waiting import wait_until

SLOW = texts.logs.REGEX_TOO_SLOW.format(seconds=LINE_TIME)


def long_run_in_mail_logs(port: int) -> None:
    with smtplib.SMTP("127.0.0.1", port, timeout=10) as client:
        client.ehlo("client.example")
        client.mail("a@sender.test")
        client.rcpt("b" * 300 + "@example.com")


def test_a_runaway_expression_stops_its_search_not_the_appliance(tmp_path: Path) -> None:
    app = prepared(tmp_path)
    with running(app):
        long_run_in_mail_logs(app.inbound)
        log = app.data / "logs" / "mail_logs"
        wait_until(lambda: "b" * 300 in log.read_text(errors="replace"), what="the long line")
        child = ssh_login(app)
        child.sendline("grep -e (b|bb)+$ mail_logs")
        status = ssh_exec(app, "status")  # another session, while the search runs
        assert status.returncode == 0 and texts.ops.STATUS_AS_OF in status.stdout
        child.expect_exact(SLOW, timeout=LINE_TIME * 20)
        child.expect_exact(PROMPT)
        child.sendline("grep -c -e client mail_logs")  # the shell goes on
        child.expect(r"\d+ matching lines\.")
        child.expect_exact(PROMPT)
        child.sendline("grep -e (b|bb)+$ mail_logs")
        child.sendcontrol("c")  # given up while it runs: back at the prompt
        child.expect_exact(PROMPT, timeout=LINE_TIME * 20)
        child.sendline("grep -c -e client mail_logs")
        child.expect(r"\d+ matching lines\.")
        child.sendline("exit")
        child.expect(pexpect.EOF)
        mail_flows(app)
