"""`status` in a console shell against a running appliance: a listener whose port another
process holds is shown Failed, the others Running; after the appliance stops, not running."""

from __future__ import annotations

import json
import re
import socket
import sys

import pexpect

from state import model
from state.bootstrap import open_data_dir
from state.session import Session
from tests.e2e.conftest import Appliance, wait_until

PROMPT = "mail.example.com>"


def add_listener(app: Appliance, name: str, port: int) -> None:
    """Commit, as a second process would, a copy of InboundMail on `port`."""
    store, secrets = open_data_dir(app.data)
    try:
        session = Session(store, secrets, "test", "console")
        inbound = model.by_name(session.candidate.listeners, "InboundMail")
        assert inbound is not None
        copy = model.replace(inbound, name=name, port=port)
        session.stage(model.replace(session.candidate, listeners=(*session.candidate.listeners, copy)))
        session.commit("a listener on a port in use")
    finally:
        store.close()


def published(app: Appliance) -> dict[str, object]:
    path = app.data / "status.json"
    return json.loads(path.read_text()) if path.exists() else {}


def shell_status(app: Appliance) -> str:
    child = pexpect.spawn(
        sys.executable, ["-m", "esacli", "shell", "--data", str(app.data)],
        encoding="utf-8", timeout=20, dimensions=(50, 200),
    )
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
        return re.sub(r"\x1b\[[0-9;?]*[A-Za-z]", "", screen).replace("\r\n", "\n")
    finally:
        child.close(force=True)


def test_status_shows_the_listener_whose_port_is_taken_as_failed(appliance: Appliance) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        busy = taken.getsockname()[1]
        add_listener(appliance, "Blocked", busy)
        wait_until(lambda: published(appliance).get("version") == 3, what="version 3 applied")
        screen = shell_status(appliance)
    assert "System status:                 Online" in screen
    assert "Configuration version:         3\n" in screen
    assert re.search(rf"\n  Blocked +127\.0\.0\.1:{busy} +Failed: Already in use\n", screen)
    assert re.search(rf"\n  InboundMail +127\.0\.0\.1:{appliance.inbound} +Running\n", screen)
    assert re.search(rf"\n  OutboundMail +127\.0\.0\.1:{appliance.outbound} +Running\n", screen)
    appliance.stop()
    assert published(appliance)["state"] == "stopped"
    assert "The appliance is not running.\nLast seen: " in shell_status(appliance)
