"""`status` in a console shell against a running appliance: a listener whose port another
process holds is shown Failed, the others Running; after the appliance stops, not running."""

from __future__ import annotations

import re

import pexpect

from state import model
from tests.kit.appliance import Appliance, commit_change
from tests.kit.ports import held_port
from tests.kit.ssh import ANSI, PROMPT, console_shell
from tests.kit.waiting import wait_until


def add_listener(app: Appliance, name: str, port: int) -> None:
    """Commit, as a second process would, a copy of InboundMail on `port`."""

    def add(config: model.Config) -> model.Config:
        inbound = model.by_name(config.listeners, "InboundMail")
        assert inbound is not None
        copy = model.replace(inbound, name=name, port=port)
        return model.replace(config, listeners=(*config.listeners, copy))

    commit_change(app.data, add, "a listener on a port in use")


def shell_status(app: Appliance) -> str:
    child = console_shell(app)
    try:
        child.expect_exact(PROMPT)
        child.sendline("status")
        # The prompt is redrawn as the line is taken: read from the first line of the answer.
        child.expect(["Status as of:", r"The appliance is not running\."])
        screen = child.after
        child.expect_exact(PROMPT)
        screen += child.before
        child.sendline("exit")
        child.expect(pexpect.EOF)
        return ANSI.sub("", screen).replace("\r\n", "\n")
    finally:
        child.close(force=True)


def test_status_shows_the_listener_whose_port_is_taken_as_failed(appliance: Appliance) -> None:
    with held_port() as busy:
        add_listener(appliance, "Blocked", busy)
        wait_until(lambda: appliance.status().get("version") == 3, what="version 3 applied")
        screen = shell_status(appliance)
    assert "System status:                 Online" in screen
    assert "Configuration version:         3\n" in screen
    assert re.search(rf"\n  Blocked +127\.0\.0\.1:{busy} +Failed: Already in use\n", screen)
    assert re.search(rf"\n  InboundMail +127\.0\.0\.1:{appliance.inbound} +Running\n", screen)
    assert re.search(rf"\n  OutboundMail +127\.0\.0\.1:{appliance.outbound} +Running\n", screen)
    appliance.stop()
    assert appliance.status()["state"] == "stopped"
    assert "The appliance is not running.\nLast seen: " in shell_status(appliance)
