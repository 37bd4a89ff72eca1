"""A commit that makes a listener ask clients for certificates (a sender group naming one,
`cert:`) warns once, over SSH as an admin scripts it: every client placed below the row is
asked from then on, and one presenting a certificate that does not verify fails its
handshake. A row that can never match asks nobody (its own warning says it can never
match), and later commits that ask no more clients say nothing of it."""

from __future__ import annotations

from state import messages
from tests.kit.appliance import Appliance
from tests.kit.ssh import ssh_batch

NEW_GROUP = "listenerconfig edit InboundMail hostaccess new sendergroup {name} {senders} relay"
WARNING = str(messages.CERTIFICATE_ROW_ASKS(listener="InboundMail", group="PARTNER"))


def commit(app: Appliance, line: str, comment: str) -> str:
    done = ssh_batch(app, ["-T"], f"{line}\ncommit\n{comment}\n")
    assert done.returncode == 0, done.stdout + done.stderr
    assert "Changes committed: " in done.stdout
    return done.stdout


def test_a_certificate_row_warns_when_it_starts_asking(appliance: Appliance) -> None:
    assert WARNING.startswith('Warning: listener InboundMail: sender group "PARTNER" names')
    added = commit(appliance, NEW_GROUP.format(name="PARTNER", senders="cert:partner.example"),
                   "partner by certificate")
    assert 'sender group "PARTNER" can never match' in added  # placed last: nobody asked
    assert "names clients by certificate" not in added
    moved = commit(appliance, "listenerconfig edit InboundMail hostaccess move PARTNER"
                              " WHITELIST", "partner first")
    assert moved.count(WARNING) == 1
    later = commit(appliance, NEW_GROUP.format(name="OTHERS", senders="10.9.9.9"), "others")
    assert "names clients by certificate" not in later
