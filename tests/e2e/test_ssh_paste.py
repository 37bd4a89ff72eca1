"""Several lines pasted at once into a terminal that brackets pastes (every terminal an
administrator uses): each line is entered in turn, as typed, the later ones answering
whatever asks next, as on the appliance. prompt_toolkit made them one answer holding
newlines, so `sethostname x` and `showchanges` pasted together ran as one garbled command.

OpenSSH with a pty against `esacli run`; afterwards mail flows and SSH logs in."""

from __future__ import annotations

from tests.kit.appliance import Appliance, mail_flows
from tests.kit.ssh import MENU, no_traceback, screen, ssh_batch, ssh_login

START, END = "\x1b[200~", "\x1b[201~"
PROMPT = "pasted.example.com>"  # the staged host name is the prompt at once


def test_pasted_lines_are_entered_one_by_one(appliance: Appliance) -> None:
    child = ssh_login(appliance)
    child.send(f"{START}sethostname pasted.example.com\rshowchanges\r{END}")
    child.expect_exact("The hostname pasted.example.com takes effect when you commit.")
    child.expect_exact("{'standalone': {'': {'hostname': 'pasted.example.com'}}}")
    child.expect_exact(PROMPT)
    # a dialog's answers pasted with its command; a last line without Enter waits
    child.send(f"{START}listenerconfig\redit\rInboundMail{END}")
    child.expect_exact(MENU)
    child.expect_exact(MENU)
    child.send("\r")
    child.expect_exact("- NAME - Change the name of the listener.")
    child.sendcontrol("c")
    child.expect_exact(PROMPT)
    text = screen(child)
    no_traceback(text, "pasted lines")
    assert "Usage: sethostname" not in text and "Unknown command" not in text
    child.close()
    mail_flows(appliance)
    assert ssh_batch(appliance, ["status"]).returncode == 0
