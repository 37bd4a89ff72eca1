"""The seed's inbound half, end to end: one committed shell session builds the HAT, the
running appliance (`esacli run`, a subprocess) enforces it on clients bound to
different loopback sources (127.0.0.2, 127.0.0.3, ... are all local on Linux)."""

from __future__ import annotations

import asyncio
import smtplib
import socket
import ssl

from esacli.console import ScriptedConsole
from esacli.shell import Shell
from state.secrets import Secrets
from state.session import Session
from state.store import Store
from tests.kit.appliance import Appliance
from tests.kit.waiting import wait_until

MUST_STARTTLS = (530, b"5.7.0 Must issue a STARTTLS command first")
NO_EXTRAS = ["", "", "", ""]  # no banner override, no custom 220/554, no rate limit
SESSION = [
    "listenerconfig", "edit", "InboundMail", "hostaccess",
    "new", "2", "TLS_Required", "1", "y", "", "", "", "", *NO_EXTRAS, "3", "y",
    "new", "1", "TLS_Senders", "127.0.0.2", "Policy: TLS_Required", "partner",
    "move", "TLS_Senders", "SUSPECTLIST",
    "edit", "1", "BLACKLIST", "new", "127.0.0.3", "",
    "new", "1", "REFUSED", "127.0.0.4", "TCP Refuse", "",
    "new", "1", "RELAYERS", "127.0.0.5", "Relay", "n", "",
    # limits: 1 kB messages, 2 recipients per message, 3 recipients per hour (custom 452)
    "new", "1", "LIMITED", "127.0.0.6", "Accept", "y", "1k", "", "", "2",
    "", "", "", "y", "3", "y", "452", "Easy $RemoteIP", "", "", "",
    # new rows land just above ALL, below UNKNOWNLIST (sbrs[none] matches everyone): move up
    "move", "REFUSED", "UNKNOWNLIST", "move", "RELAYERS", "UNKNOWNLIST",
    "move", "LIMITED", "UNKNOWNLIST",
    "", "", "",
    "commit", "partner TLS and friends", "exit",
]


def commit_session(app: Appliance) -> None:
    store = Store(app.data)
    try:
        console = ScriptedConsole(SESSION)
        asyncio.run(Shell(console, Session(store, Secrets(app.data), "admin", "test")).run())
        assert not console.remaining and "Changes committed:" in console.screen, console.screen
    finally:
        store.close()


def client(app: Appliance, source: str) -> smtplib.SMTP:
    return smtplib.SMTP("127.0.0.1", app.inbound, timeout=5, source_address=(source, 0))


def insecure() -> ssl.SSLContext:
    context = ssl.create_default_context()
    context.check_hostname, context.verify_mode = False, ssl.CERT_NONE
    return context


def new_policy_applied(app: Appliance) -> bool:
    return "SG TLS_Senders" in app.mail_logs() or _probe(app)


def _probe(app: Appliance) -> bool:
    with client(app, "127.0.0.2") as probe:
        probe.ehlo("probe")
        return probe.has_extn("starttls")


def test_hat_built_in_the_shell_is_enforced(appliance: Appliance) -> None:
    app = appliance
    commit_session(app)
    wait_until(lambda: new_policy_applied(app), what="the committed HAT")

    with client(app, "127.0.0.2") as partner:  # TLS_Senders: TLS required
        partner.ehlo("partner.example")
        assert partner.mail("a@partner.example") == MUST_STARTTLS
        partner.starttls(context=insecure())
        partner.ehlo("partner.example")
        assert (
            partner.sendmail("a@partner.example", ["u@example.com"], b"Subject: s\r\n\r\nx\r\n")
            == {}
        )
    with client(app, "127.0.0.1") as other:  # everyone else: default policy, clear text
        other.ehlo("other.example")
        assert not other.has_extn("starttls")
        assert (
            other.sendmail("b@other.example", ["u@example.com"], b"Subject: c\r\n\r\nx\r\n") == {}
        )
        assert other.docmd("MAIL FROM:<b@other.example>")[0] == 250
        assert other.docmd("RCPT TO:<u@elsewhere.test>")[0] == 550  # the RAT
        other.rset()

    try:
        client(app, "127.0.0.3")
        raise AssertionError("BLACKLIST was served")
    except smtplib.SMTPConnectError as exc:
        assert exc.smtp_code == 554

    with socket.create_connection(("127.0.0.1", app.inbound), timeout=5,
                                  source_address=("127.0.0.4", 0)) as refused:
        assert refused.recv(100) == b""  # TCPREFUSE: closed without a banner

    with client(app, "127.0.0.5") as relay:
        assert (
            relay.sendmail("c@relay.example", ["x@elsewhere.test"], b"Subject: r\r\n\r\nx\r\n")
            == {}
        )

    with client(app, "127.0.0.6") as limited:
        limited.ehlo("limited.example")
        assert limited.docmd("MAIL FROM:<d@l.example> SIZE=5000")[0] == 552
        limited.docmd("MAIL FROM:<d@l.example>")
        assert limited.docmd("RCPT TO:<u1@example.com>")[0] == 250
        assert limited.docmd("RCPT TO:<u2@example.com>")[0] == 250
        assert limited.docmd("RCPT TO:<u3@example.com>")[0] == 452  # per message
        limited.rset()
        limited.docmd("MAIL FROM:<d@l.example>")
        assert limited.docmd("RCPT TO:<u4@example.com>")[0] == 250
        assert limited.docmd("RCPT TO:<u5@example.com>") == (452, b"Easy 127.0.0.6")  # per hour

    wait_until(lambda: "ICID 0 TCPREFUSE" in app.mail_logs(), what="the TCPREFUSE line")
    logs = app.mail_logs()
    assert "ACCEPT SG TLS_Senders match 127.0.0.2 SBRS None" in logs
    assert "REJECT SG BLACKLIST match 127.0.0.3 SBRS None" in logs
    assert "ICID 0 TCPREFUSE SG REFUSED match 127.0.0.4 SBRS None" in logs
    assert "RELAY SG RELAYERS match 127.0.0.5 SBRS None" in logs
    assert "ACCEPT SG UNKNOWNLIST match sbrs[none] SBRS None" in logs
    assert "To: <u@elsewhere.test> Rejected by RAT" in logs
    assert "TLS was required but remote host did not initiate it" in logs
