"""Ctrl-C in an interactive SSH session (issue 8 item 1): at the top-level prompt, in a
menu, at a yes/no question and in a paste, it leaves the dialog and nothing else. Before,
the first one stopped the engine's event loop: both listeners and SSH closed, every
session's pending changes were lost, and the process no longer stopped on a signal.

OpenSSH with a pty against `esacli run` as it runs in production (the real 30-minute idle
timeout, which is what put the prompt in a task)."""

from __future__ import annotations

import signal

import pexpect

from tests.kit.appliance import Appliance, mail_flows
from tests.kit.ssh import PROMPT, answer, no_traceback, ssh_login

CTRL_C, CTRL_D = "\x03", "\x04"


def stage_limits(child: pexpect.spawn, connections: str) -> None:
    """listenerconfig -> EDIT InboundMail -> LIMITS, staged; back at the prompt."""
    child.sendline("listenerconfig")
    for expected, reply in [("[]> ", "edit"), ("[]> ", "1"), ("[]> ", "limits"),
                            ("allowed.", connections), ("queue size.", ""),
                            ("[]> ", ""), ("[]> ", "")]:
        answer(child, expected, reply)
    child.expect_exact(PROMPT)


def leave_with(child: pexpect.spawn, key: str) -> None:
    child.send(key)
    child.expect_exact(PROMPT)


def test_ctrl_c_leaves_each_kind_of_dialog_and_nothing_else(appliance: Appliance) -> None:
    other = ssh_login(appliance)
    stage_limits(other, "77")
    me = ssh_login(appliance)
    leave_with(me, CTRL_C)  # the top-level prompt, with nothing typed
    me.send("listenerc")
    leave_with(me, CTRL_C)  # ... with something typed
    me.sendline("listenerconfig")  # a menu
    me.expect_exact("[]>")
    leave_with(me, CTRL_C)
    me.sendline("listenerconfig")  # a yes/no question
    answer(me, "[]> ", "setup")
    me.expect_exact("[N]>")
    leave_with(me, CTRL_C)
    me.sendline("certconfig")  # a paste
    answer(me, "Press Enter to continue.", "")
    answer(me, "[]> ", "certificate")
    answer(me, "[]> ", "paste")
    answer(me, "> ", "partner")
    answer(
        me, "Paste public certificate in PEM format (end with '.'):", "-----BEGIN CERTIFICATE-----"
    )
    leave_with(me, CTRL_C)
    me.sendline("listenerconfig")  # and Ctrl-D inside a dialog, as Ctrl-C
    me.expect_exact("[]>")
    leave_with(me, CTRL_D)

    mail_flows(appliance)
    ssh_login(appliance).sendline("exit")
    me.sendline("showchanges")
    me.expect_exact("{'standalone': {'': {}}}")  # nothing of the dropped dialogs
    other.sendline("showchanges")
    other.expect_exact("'listeners[InboundMail].max_connections': 77")
    other.sendline("commit")
    answer(other, "[]> ", "made while another session pressed Ctrl-C")
    other.expect_exact("Changes committed: ")
    for child in (me, other):
        child.sendline("exit")
        child.expect(pexpect.EOF)

    # the appliance still stops on the operator's Ctrl-C, cleanly
    assert appliance.proc is not None
    appliance.proc.send_signal(signal.SIGINT)
    assert appliance.proc.wait(timeout=10) == 0
    no_traceback(appliance.console(), "the appliance's output")


def test_a_bracketed_paste_ending_with_the_dot_line_is_taken_at_once(
        appliance: Appliance) -> None:
    """(item 9) tmux and most terminals wrap a paste in ESC[200~ ... ESC[201~: a block that
    ends with its `.` line needs no further Enter, and a whole chain fills the intermediates."""
    from tests.kit.shell import make_chain

    chain = make_chain()
    me = ssh_login(appliance)
    me.sendline("certconfig")
    answer(me, "Press Enter to continue.", "")
    answer(me, "[]> ", "certificate")
    answer(me, "[]> ", "paste")
    answer(me, "> ", "partner")
    me.expect_exact("Paste public certificate in PEM format (end with '.'):")
    me.send(bracketed(chain.leaf + chain.intermediate))
    me.expect_exact("The paste holds a chain of 2 certificates")
    me.expect_exact("Paste private key in PEM format (end with '.'):")
    me.send(bracketed(chain.key))
    me.expect_exact("Do you want to add another intermediate certificate? [N]>")
    leave_with(me, CTRL_C)
    me.sendline("exit")
    me.expect(pexpect.EOF)


def bracketed(pem: str) -> str:
    """A terminal's bracketed paste of `pem` and its `.` line (lines end with CR)."""
    return "\x1b[200~" + "\r".join([*pem.strip().splitlines(), "."]) + "\r\x1b[201~"


def test_a_paste_that_never_ends_gives_the_keys_back(appliance: Appliance) -> None:
    """A lone ESC[200~ (pasted or typed, with no ESC[201~) put the terminal parser in paste
    mode until the idle timeout: Ctrl-C and every key after it were swallowed. Now Ctrl-C
    ends such a paste and leaves as always, and a paste silent for a moment is ended too."""
    me = ssh_login(appliance)
    me.send("\x1b[200~listenerconfig")
    leave_with(me, CTRL_C)
    me.sendline("listenerconfig")
    me.expect_exact("Choose the operation you want to perform:")
    leave_with(me, CTRL_C)

    me.send("\x1b[200~stat")  # nothing more comes: the paste is ended, its text kept
    me.expect_exact("stat", timeout=10)
    me.send("us\r")
    me.expect_exact("Status as of:")
    me.expect_exact(PROMPT)
    me.sendline("exit")
    me.expect(pexpect.EOF)
    mail_flows(appliance)


def test_ctrl_c_at_the_exit_question_after_ctrl_d_stays(appliance: Appliance) -> None:
    """Ctrl-D at the prompt with changes pending asks before leaving; Ctrl-C or Ctrl-D at
    that question goes back to the prompt with the changes kept, as after `exit`."""
    me = ssh_login(appliance)
    stage_limits(me, "66")
    for leave in (CTRL_D, "exit\r"):
        for key in (CTRL_C, CTRL_D):
            me.send(leave)
            me.expect_exact("Are you sure you wish to exit? [N]>")
            leave_with(me, key)
    me.sendline("showchanges")
    me.expect_exact("'listeners[InboundMail].max_connections': 66")
    me.expect_exact(PROMPT)
    me.send(CTRL_D)
    answer(me, "Are you sure you wish to exit? [N]>", "y")
    me.expect(pexpect.EOF)
    mail_flows(appliance)
