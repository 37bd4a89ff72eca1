"""Over real OpenSSH against `esacli run` (issue 14): netstat lists the appliance's own
sockets; exec commands exit non-zero when they failed or their input ended inside a
dialog; one-line forms commit; Ctrl-C and Ctrl-D at the tools' prompts leave them, and
the appliance still serves SSH and mail afterwards."""

from __future__ import annotations

import smtplib

import pexpect

from esacli.commands.tools import telnet
from state.store import Store
from tests.kit.appliance import Appliance
from tests.kit.ports import held_port
from tests.kit.ssh import PROMPT, dialog, screen, ssh_exec, ssh_login


def test_netstat_lists_the_listeners_ssh_and_this_connection(module_appliance: Appliance) -> None:
    app = module_appliance
    done = ssh_exec(app, "netstat")
    assert done.returncode == 0, done.stdout + done.stderr
    lines = done.stdout.splitlines()
    assert "Active Internet connections (including servers)" in lines
    listening = [line.split() for line in lines if line.endswith("LISTEN")]
    ports = {row[3].rsplit(".", 1)[1] for row in listening}
    assert {str(app.inbound), str(app.outbound), str(app.ssh_port)} <= ports
    assert any(f"127.0.0.1.{app.ssh_port}" in line and "ESTABLISHED" in line for line in lines)
    assert ssh_exec(app, "netstat -a").returncode == 1


def test_exit_statuses_of_exec_commands(module_appliance: Appliance) -> None:
    app = module_appliance
    for command, stdin, status in [
            ("version", "", 0),
            ("help destconfig", "", 0),
            ("bogus", "", 1),
            ("version extra", "", 1),
            ("dig -t bogus example.test", "", 1),
            ("destconfig frob", "", 1),
            ("destconfig new bad..domain", "", 1),
            ("destconfig", "new\npartner.example\n", 1),  # the input ends inside the dialog
            ("telnet", "", 1),
            ("smtproutes print", "", 0),
            (f"telnet 127.0.0.1 {app.inbound}", "", 0)]:
        done = ssh_exec(app, command, stdin)
        assert done.returncode == status, (command, done.stdout, done.stderr)
        assert "Traceback" not in done.stdout + done.stderr


def test_a_one_line_form_commits_over_exec(appliance: Appliance) -> None:
    done = ssh_exec(appliance, "destconfig new partner.example --use_tls=required",
                    stdin="commit\nbatch destconfig\n")
    assert done.returncode == 0, done.stdout + done.stderr
    store = Store(appliance.data)
    try:
        entries = store.load().destinations.entries
        assert [(e.domain, e.tls and e.tls.value) for e in entries] == [("partner.example",
                                                                         "required")]
    finally:
        store.close()


def test_an_exec_that_stages_without_commit_says_it_dropped_the_change(
        module_appliance: Appliance) -> None:
    done = ssh_exec(module_appliance, "destconfig new staged.example --use_tls=required")
    assert done.returncode == 1
    assert done.stdout.strip().splitlines() == [
        "The input ended with configuration changes not committed: they were discarded.",
        "End the input with 'commit' to keep them."]
    assert "staged.example" not in ssh_exec(module_appliance, "destconfig print").stdout


def test_ctrl_c_and_ctrl_d_at_the_tools_prompts(module_appliance: Appliance) -> None:
    app = module_appliance
    child = ssh_login(app)
    try:
        child.sendline("dig")
        dialog(child, [("Enter the host or IP address to look up.\n[]> ", "example.test")])
        child.expect_exact("[1]>")
        child.send("\x03")
        child.expect_exact(PROMPT)
        child.sendline("telnet")
        child.expect_exact("Enter the remote hostname or IP address.")
        child.expect_exact("[]>")
        child.send("\x04")  # Ctrl-D inside a dialog leaves it, like Ctrl-C
        child.expect_exact(PROMPT)
        child.sendline("telnet")
        dialog(child, [("Enter the remote hostname or IP address.\n[]> ", "127.0.0.1")])
        child.expect_exact("[25]>")
        child.send("\x03")
        child.expect_exact(PROMPT)
        assert "Trying" not in screen(child)
        with held_port() as silent:  # connects, never answers: Ctrl-C ends the wait
            child.sendline(f"telnet 127.0.0.1 {silent}")
            child.expect_exact("Connected to 127.0.0.1.")
            child.send("\x03")
            child.expect_exact("^C", timeout=telnet.STEP_SECONDS / 2)
            child.expect_exact(PROMPT, timeout=telnet.STEP_SECONDS / 2)
            # tlsverify waits up to 30 s for the banner: Ctrl-C ends it as well
            child.sendline(f"tlsverify example.test 127.0.0.1:{silent}")
            child.expect_exact(f"Connecting to 127.0.0.1 on port {silent}.")
            child.send("\x03")
            child.expect_exact("^C", timeout=telnet.STEP_SECONDS / 2)
            child.expect_exact(PROMPT, timeout=telnet.STEP_SECONDS / 2)
        child.sendline(f"telnet 127.0.0.1 {app.inbound}")
        child.expect_exact("Connection closed by foreign host.")
        child.expect_exact(PROMPT)
        child.sendline("exit")
        child.expect(pexpect.EOF)
    finally:
        child.close(force=True)
    with smtplib.SMTP("127.0.0.1", app.inbound, timeout=10) as smtp:  # mail still served
        assert smtp.noop()[0] == 250
