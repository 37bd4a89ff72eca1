"""Issue 8, items 3 and 12: a port another program holds, as it was found.

The commit used to succeed, the listener showed "Failed: Already in use" and its old
port had stopped accepting: inbound mail was down. Now `commit check` and `commit`
test-bind the new address and refuse; a bind that still fails when the version is
applied leaves the listener on its old socket, saying why; and `esacli run` prints
each listener's state and can put the factory listeners next to other services.
"""

from __future__ import annotations

import socket
from pathlib import Path

import pexpect

from state.edit import listeners as _edit
from state.store import Store
from tests.kit.appliance import Appliance
from tests.kit.ports import accepts, held_port, reserve
from tests.kit.smtp import smtp_works
from tests.kit.ssh import MENU, PROMPT, dialog, ssh_exec, ssh_login
from tests.kit.waiting import wait_until


def move_inbound(child: pexpect.spawn, port: int) -> None:
    """listenerconfig -> EDIT InboundMail -> INTERFACE: same interface, new port."""
    child.sendline("listenerconfig")
    dialog(child, [
        ("- SETUP - Change global settings.\n" + MENU, "edit"),
        ("2. OutboundMail\n" + MENU, "InboundMail"),
        ("Certificate: Demo\n", "interface"),
        ("IP interface for this Listener.\n1. Management (127.0.0.1: mail.example.com)\n[1]> ",
         ""),
        ("Choose a protocol.\n1. SMTP\n[1]> ", ""),
        ("Please enter the TCP port for this listener.\n", str(port)),
        (f"TCP Port {port}\n", ""),
        ("- SETUP - Change global settings.\n" + MENU, ""),
    ])
    child.expect_exact(PROMPT)


def test_commit_refuses_a_port_another_program_holds(appliance: Appliance) -> None:
    with held_port() as busy:
        refusal = (f"listeners[InboundMail].port: Listener InboundMail cannot listen on port"
                   f" {busy} of interface Management (127.0.0.1): Already in use.")
        child = ssh_login(appliance)
        move_inbound(child, busy)
        child.sendline("commit check")
        child.expect_exact(refusal)
        child.expect_exact("Nothing was committed. Your changes are still pending.")
        child.expect_exact(PROMPT)
        child.sendline("commit")
        dialog(child, [("describing your changes:\n" + MENU, "move InboundMail")])
        child.expect_exact(refusal)
        child.expect_exact("Nothing was committed. Your changes are still pending.")
        child.expect_exact(PROMPT)
        child.sendline("showchanges")  # the change is kept, to be corrected
        child.expect_exact(f"'listeners[InboundMail].port': {busy}")
        child.expect_exact(PROMPT)
        assert smtp_works(appliance.inbound)  # mail never stopped
        free = reserve()
        move_inbound(child, free)  # another port: the same session commits it
        child.sendline("commit")
        dialog(child, [("describing your changes:\n" + MENU, "move InboundMail")])
        child.expect_exact("Changes committed: ")
        child.expect_exact(PROMPT)
        child.sendline("exit")
        child.expect(pexpect.EOF)
    wait_until(lambda: accepts(free), what="InboundMail on its new port")
    assert smtp_works(free)


def commit_port(data: Path, port: int, comment: str) -> None:
    """A commit from another process on the same data dir (no test bind: it could be a
    cluster peer, or a port taken between the commit and its application)."""
    store = Store(data)
    try:
        config = _edit.edit_listener(store.load(), "InboundMail", port=port)
        store.write(config, store.head_number(), "peer", "console", comment)
    finally:
        store.close()


def test_a_listener_that_cannot_move_keeps_its_old_socket(appliance: Appliance) -> None:
    old = appliance.inbound
    with held_port() as busy:
        commit_port(appliance.data, busy, "move InboundMail onto a busy port")
        reason = f"cannot listen on 127.0.0.1:{busy}: Already in use"
        status = wait_until(lambda: reason in (done := ssh_exec(appliance, "status")).stdout
                            and done.stdout, what="status to say why")
        assert f"InboundMail   127.0.0.1:{old}  Running ({reason})" in str(status)
        assert smtp_works(old)  # still serving, on the old socket
        assert (f"Warning: Listener InboundMail cannot bind to 127.0.0.1:{busy}: Already in use;"
                f" still listening on 127.0.0.1:{old}") in appliance.mail_logs()
    # the port is free again: the next version applied moves the listener
    moved = reserve()
    commit_port(appliance.data, moved, "move InboundMail again")
    wait_until(lambda: accepts(moved), what="InboundMail on its new port")
    wait_until(lambda: not accepts(old), what="the old port to close")
    assert smtp_works(moved)


def test_first_boot_chooses_listener_addresses_and_shows_their_state(tmp_path: Path) -> None:
    inbound = reserve()
    with held_port() as outbound:
        app = Appliance(tmp_path / "data", inbound, outbound,
                        args=("--inbound", f"127.0.0.1:{inbound}",
                              "--outbound", f"127.0.0.1:{outbound}"))
        app.start()
        try:
            console = app.console()
            assert f"Listener InboundMail on 127.0.0.1:{inbound}: Running\n" in console
            assert (f"Listener OutboundMail on 127.0.0.1:{outbound}: Failed: Already in use\n"
                    in console)
            assert smtp_works(inbound)
            app.stop()
            app.args = ("--inbound", "127.0.0.1:2999")  # only a first boot chooses
            app.start()
            assert (f"--inbound 127.0.0.1:2999 ignored: it chooses the address of InboundMail"
                    f" on the first boot only; InboundMail is configured on 127.0.0.1:{inbound}"
                    in app.console())
        finally:
            app.stop()


def test_a_port_held_at_boot_serves_once_the_other_program_lets_it_go(tmp_path: Path) -> None:
    """No commit and no restart: the listener that failed at boot is bound again as soon
    as it can be (every few seconds), by both SMTP workers."""
    inbound = reserve()
    other = socket.socket()
    other.bind(("127.0.0.1", 0))
    other.listen()
    outbound = int(other.getsockname()[1])
    app = Appliance(tmp_path / "data", inbound, outbound,
                    args=("--inbound", f"127.0.0.1:{inbound}",
                          "--outbound", f"127.0.0.1:{outbound}"))
    app.start()
    try:
        assert (f"Listener OutboundMail on 127.0.0.1:{outbound}: Failed: Already in use\n"
                in app.console())
        other.close()  # the other program stops
        wait_until(lambda: app.mail_logs().count("SMTP listener OutboundMail starting") == 2,
                   timeout=30, what="both workers to bind OutboundMail")
        assert smtp_works(outbound)
        status = wait_until(lambda: "OutboundMail" in (done := ssh_exec(app, "status")).stdout
                            and "Failed" not in done.stdout and done.stdout,
                            what="status to show OutboundMail running")
        assert f"OutboundMail  127.0.0.1:{outbound}  Running" in str(status)
        assert smtp_works(inbound)
    finally:
        other.close()
        app.stop()
