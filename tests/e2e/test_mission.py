"""THE MISSION, end to end, as an administrator does it: one OpenSSH session into a real
`esacli run` process, then real SMTP clients and real remote MXs.

Require TLS inbound from one partner and outbound to one partner domain, with a
CA-signed certificate, without a minute of downtime:

  certconfig NEW (key + CSR on the appliance) -> a root + intermediate CA signs the CSR
  -> certconfig EDIT pastes the certificate and the intermediate -> CERTAUTHORITY CUSTOM
  IMPORT pastes the partner's CA -> listenerconfig EDIT InboundMail: CERTIFICATE, a
  TLS-Required policy and a TLS_Senders group (127.0.0.2) above SUSPECTLIST ->
  smtproutes to the partner's MX, a rogue MX (self-signed certificate) and the internal
  mail server -> destconfig: both partner domains Required - Verify, DEFAULT Preferred
  -> showchanges (and SMTP still behaves as before) -> commit -> mail flows, and
  `tail mail_logs` shows the story until Ctrl-C.

The remote MXs are tests/kit/fakemx.py servers, run on their own event loop in a
thread because pexpect and smtplib block this one. Routes point at 127.0.0.1:<port>, so
delivery needs no DNS; the partner MX's certificate names the partner domain, which is
what the Verify algorithm matches (engine/outbound/smtpconn.py: recipient domain or the
route host).
"""

from __future__ import annotations

import asyncio
import re
import smtplib
import socket
import ssl
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pexpect
import trustme

from tests.kit.appliance import Appliance
from tests.kit.certs import CSR_PEM, SigningCA, self_signed_context, server_context
from tests.kit.fakemx import Behaviour, FakeMX
from tests.kit.smtp import MUST_STARTTLS
from tests.kit.ssh import MENU, PROMPT, dialog, paste, screen, ssh_exec, ssh_login
from tests.kit.waiting import wait_until

HOST = "mail.example.com"
PARTNER = "partner.example"  # Required - Verify; its MX has a certificate from its own CA
ROGUE = "rogue.example"  # Required - Verify; its MX has a self-signed certificate
INTERNAL = "example.com"  # our own domain: routed to the internal mail server
PARTNER_IP, OTHER_IP = "127.0.0.2", "127.0.0.3"

# -- driving the shell ---------------------------------------------------------


def watch_for(child: pexpect.spawn, patterns: list[str]) -> None:
    """Read the followed log until every pattern has shown up, in whatever order
    (deliveries to different domains run concurrently)."""
    waiting = list(patterns)
    while waiting:
        del waiting[child.expect(waiting)]


def create_key_and_csr(child: pexpect.spawn) -> str:
    """certconfig -> CERTIFICATE -> NEW: the key stays on the appliance; returns the CSR."""
    child.sendline("certconfig")
    dialog(child, [
        ("You are currently using a demonstration certificate\nPress Enter to continue.", ""),
        ("- CERTAUTHORITY - Manage System and Customized Authorities\n" + MENU, "certificate"),
        ("- NEW - Create a self-signed certificate and CSR\n" + MENU, "new"),
        ("Enter a name for this certificate profile:\n> ", "mailcert"),
        ("Enter Common Name (CN):\n[]> ", HOST),
        ("Name(FQDN) format? [N]> ", "y"),
        ("Enter Organization (O):\n[]> ", "Example Inc"),
        ("Enter Organizational Unit (OU):\n[]> ", "IT"),
        ("Enter Locality or City (L):\n[]> ", "Springfield"),
        ("Enter State or Province (ST):\n[]> ", "IL"),
        ("Enter Country (2 letter code) (C):\n[]> ", "US"),
        (f"Subject Alternative Name (DNS) extension.\n[{HOST}]> ", ""),
        ("Duration before expiration (in days):\n[3650]> ", ""),
        ("Enter type and size of private key:\n]> ", ""),
        ("Do you want to view the CSR? [Y]> ", ""),
    ])
    child.expect_exact("-----END CERTIFICATE REQUEST-----")
    found = CSR_PEM.findall(screen(child))
    assert found, screen(child)
    return str(found[-1]) + "\n"


def install_signed_certificate(child: pexpect.spawn, signed: str, intermediate: str) -> None:
    """Still in CERTIFICATE: EDIT pastes the CA-signed certificate and its intermediate."""
    dialog(child, [
        ("- EDIT - Update certificate or view the signing request\n" + MENU, "edit"),
        ("Select the certificate profile you wish to edit:\n2. mailcert\n[]> ", "mailcert"),
        ("Do you want to view the CSR? [N]> ", "n"),
        ("Would you like to update the public certificate? [N]> ", "y"),
    ])
    child.expect_exact("Paste public certificate in PEM format (end with '.'):")
    paste(child, signed)
    dialog(child, [("Do you want to add an intermediate certificate? [N]> ", "y")])
    child.expect_exact("Paste intermediate certificate in PEM format (end with '.'):")
    paste(child, intermediate)
    dialog(child, [
        ("Do you want to add another intermediate certificate? [N]> ", "n"),
        ("Name(FQDN) format? [N]> ", "y"),
        ("mail.example.com\nesacli Test Issuing CA\n" + MENU, ""),  # the list, then climb
    ])


def import_partner_ca(child: pexpect.spawn, ca_pem: str) -> None:
    """certconfig -> CERTAUTHORITY -> CUSTOM -> IMPORT (paste), then back to the prompt."""
    dialog(child, [
        ("- CERTAUTHORITY - Manage System and Customized Authorities\n" + MENU, "certauthority"),
        ("- CUSTOM - Manage custom Certificate Authorities\n" + MENU, "custom"),
        ("Custom Certificate Authorities: Enabled (0 certificates)\n" + MENU, "import"),
        ("Import the Certificate Authorities from:\n2. Paste\n[1]> ", "2"),
    ])
    child.expect_exact("Paste the Certificate Authorities in PEM format (end with '.'):")
    paste(child, ca_pem)
    dialog(child, [
        ("Certificate Authorities added:\n(1 certificate)\n" + MENU, ""),
        ("- CUSTOM - Manage custom Certificate Authorities\n" + MENU, ""),
        ("- CERTAUTHORITY - Manage System and Customized Authorities\n" + MENU, ""),
    ])
    child.expect_exact(PROMPT)


POLICY_PARAMETERS = [  # a TLS-Required policy that inherits every limit from the default
    ("Enter the maximum message size.\n[Default]> ", ""),
    ("concurrent connections allowed from a single IP address.\n[Default]> ", ""),
    ("Enter the maximum number of messages per connection.\n[Default]> ", ""),
    ("Enter the maximum number of recipients per message.\n[Default]> ", ""),
    ("Do you want to override the hostname in the SMTP banner? [N]> ", ""),
    ("Would you like to specify a custom SMTP acceptance response? [N]> ", ""),
    ("Would you like to specify a custom SMTP rejection response? [N]> ", ""),
    ("Do you want to enable rate limiting per host? [N]> ", ""),
    (("Do you want to allow encrypted TLS connections?\n3. Required\n6. Default (currently: No)"
     "\n[6]> "), "3"),
]


def require_tls_from_partner(child: pexpect.spawn) -> None:
    """listenerconfig -> EDIT InboundMail -> CERTIFICATE, then HOSTACCESS."""
    child.sendline("listenerconfig")
    dialog(child, [
        ("- EDIT - Modify a listener.\n" + MENU, "edit"),
        ("Enter the name or number of the listener you wish to edit.\n" + MENU, "InboundMail"),
        ("- CERTIFICATE - Choose the certificate.\n" + MENU, "certificate"),
        ("Please choose the certificate to use for TLS on this listener.\n[1]> ", "mailcert"),
        ("Certificate: mailcert\n- HOSTACCESS - Modify the Host Access Table.\n" + MENU,
         "hostaccess"),
        ("There are currently 5 sender groups.\n" + MENU, "new"),
        ("2. New Policy\n[1]> ", "2"),
        ("Enter the name for this policy.\n[]> ", "TLS_Required"),
        ("Select a behavior for this entry.\n[1]> ", "1"),
        ("Would you like to change the policy parameters? [N]> ", "y"),
        *POLICY_PARAMETERS,
        ("You have chosen to enable TLS.\nThere are currently 5 policies defined.\n" + MENU,
         "new"),
        ("2. New Policy\n[1]> ", "1"),
        ("Enter a name for this sender group. (optional)\n[]> ", "TLS_Senders"),
        ("Separate multiple hosts with commas\n[]> ", PARTNER_IP),
        ("10. Policy: TLS_Required\n[1]> ", "10"),
        ("Enter a comment for this sender group.\n[]> ", "The partner must use TLS"),
        ("There are currently 6 sender groups.\n" + MENU, "move"),
        ("Enter the sender group number or name you wish to move.\n" + MENU, "TLS_Senders"),
        ("Enter the sender group number or name to insert it before.\n6. ALL\n" + MENU,
         "SUSPECTLIST"),
        ("There are currently 6 sender groups.\n" + MENU, ""),  # HOSTACCESS
        ("- RCPTACCESS - Modify the Recipient Access Table.\n" + MENU, ""),  # EDIT
        ("- SETUP - Change global settings.\n" + MENU, ""),  # listenerconfig
    ])
    child.expect_exact(PROMPT)


def add_routes(child: pexpect.spawn, routes: dict[str, int]) -> None:
    """smtproutes NEW for each domain -> 127.0.0.1:<port>."""
    child.sendline("smtproutes")
    for domain, port in routes.items():
        dialog(child, [
            ("- NEW - Create a new route.\n- CLEAR - Remove all routes.\n" + MENU, "new"),
            ('Use "ALL" for the default route.\n[]> ', domain),
            (f"which you want mail for {domain} to be delivered.\n(lower is preferred).\n[]> ",
             f"127.0.0.1:{port}"),
        ])
    dialog(child, [(f"There are currently {len(routes)} routes configured.\n"
                    "- CLEAR - Remove all routes.\n" + MENU, "")])
    child.expect_exact(PROMPT)


def require_verified_tls_to(child: pexpect.spawn, domain: str) -> None:
    """destconfig NEW: no limits of its own, TLS Required - Verify."""
    dialog(child, [
        ("- NEW - Create a new entry.\n- EXPORT - Export tables to a file.\n" + MENU, "new"),
        ("Enter the domain you wish to configure.\n[]> ", domain),
        (f"Do you wish to configure a concurrency limit for {domain}? [Y]> ", "n"),
        ("Do you wish to apply a messages-per-connection limit to this domain? [N]> ", "n"),
        ("Do you wish to apply a recipient limit to this domain? [N]> ", "n"),
        ("Do you wish to apply a specific TLS setting for this domain? [N]> ", "y"),
        ("Do you want to use TLS support?\n5. Required - Verify\n[1]> ", "5"),
        ("Do you wish to configure DANE Support for this domain? [N]> ", ""),
        ("Do you wish to apply a specific MTA-STS setting for this domain? [N]> ", ""),
        ("specific action when required TLS fails for this domain? [N]> ", ""),
        ("specific bounce verification address tagging setting for this domain? [N]> ", ""),
        ("Do you wish to apply a specific IP sort preference to this domain? [N]> ", ""),
    ])


def configure_destinations(child: pexpect.spawn) -> None:
    """destconfig: SETUP presents our certificate, two Verify entries, DEFAULT Preferred."""
    child.sendline("destconfig")
    dialog(child, [
        ("There are currently 0 entries configured.\n- SETUP - Change global settings.\n"
         + MENU, "setup"),
        ("Please choose the certificate to apply:\n2. mailcert\n[1]> ", "mailcert"),
        ("Do you want to send an alert when a required TLS connection fails? [N]> ", ""),
    ])
    require_verified_tls_to(child, PARTNER)
    require_verified_tls_to(child, ROGUE)
    dialog(child, [
        ("There are currently 2 entries configured.\n- DEFAULT - Change the default.\n"
         + MENU, "default"),
        ("Enter the default maximum concurrency limit.\n[500]> ", ""),
        ("Do you wish to specify a default recipient limit? [N]> ", ""),
        ("Select how you want to apply the default limits:\n[1]> ", ""),
        ("Select how the limits will be enforced:\n[1]> ", ""),
        ("Enter the default maximum number of messages to send per connection.\n[50]> ", ""),
        ("Do you want to use TLS support?\n2. Preferred\n[1]> ", "2"),
        ("Do you want to use DANE Support?\n2. Opportunistic\n[1]> ", ""),
        # (the demo certificate's warning comes after DANE in DEFAULT: none here, mailcert)
        ("Apply the MTA-STS policy the domain publishes (RFC 8461)? [N]> ", ""),
        ("cannot be negotiated:\n2. Bounce at once (fail)\n[1]> ", ""),
        ("Perform bounce verification address tagging? [N]> ", ""),
        ("within an MX preference level?\n1. Prefer IPv4\n[1]> ", ""),
        ("- LIST - Display a summary list of all entries.\n" + MENU, "list"),
    ])
    child.expect(r"\(Default\) [^\n]*\n")  # pexpect compiles with DOTALL
    table = screen(child)
    for domain in (PARTNER, ROGUE):
        assert re.search(rf"^{re.escape(domain)} +\S+ +Req/Verify ", table, re.MULTILINE), table
    assert re.search(r"^\(Default\) +\S+ +On ", table, re.MULTILINE), table  # Preferred
    dialog(child, [("There are currently 2 entries configured.\n" + MENU, "")])
    child.expect_exact(PROMPT)


# -- the remote side -----------------------------------------------------------


@contextmanager
def fake_mxs(*behaviours: Behaviour) -> Iterator[list[FakeMX]]:
    """FakeMXs on 127.0.0.1:0, served by an event loop of their own in a thread."""
    loop = asyncio.new_event_loop()
    thread = threading.Thread(target=loop.run_forever, name="fake-mx", daemon=True)
    thread.start()
    started: list[FakeMX] = []
    try:
        for behaviour in behaviours:
            mx = FakeMX(behaviour)
            asyncio.run_coroutine_threadsafe(mx.__aenter__(), loop).result(10)
            started.append(mx)
        yield started
    finally:
        for mx in started:
            asyncio.run_coroutine_threadsafe(mx.__aexit__(None, None, None), loop).result(10)
        loop.call_soon_threadsafe(loop.stop)
        thread.join(10)
        loop.close()


@contextmanager
def ssh_session(app: Appliance) -> Iterator[pexpect.spawn]:
    """The admin's OpenSSH session; the ssh process is reaped even if a step fails."""
    child = ssh_login(app)
    try:
        yield child
    finally:
        child.close(force=True)


class GatewaySMTP(smtplib.SMTP):
    """smtplib calling the gateway by its host name (so STARTTLS checks that name)
    while the connection goes to 127.0.0.1, from a chosen loopback source address."""

    def _get_socket(self, host: str, port: int, timeout: float) -> socket.socket:
        return socket.create_connection(("127.0.0.1", port), timeout, self.source_address)


def smtp_from(source: str, port: int) -> GatewaySMTP:
    client = GatewaySMTP(HOST, port, local_hostname="client.test", timeout=10,
                         source_address=(source, 0))
    client.ehlo()
    return client


def message(sender: str, rcpt: str, subject: str) -> bytes:
    return f"From: <{sender}>\r\nTo: <{rcpt}>\r\nSubject: {subject}\r\n\r\nhello\r\n".encode()


def still_as_before(app: Appliance) -> None:
    """Before the commit the partner's IP is UNKNOWNLIST as ever: no STARTTLS, MAIL 250."""
    with smtp_from(PARTNER_IP, app.inbound) as client:
        assert not client.has_extn("starttls")
        assert client.mail(f"early@{PARTNER}")[0] == 250
        client.rset()


def starttls_offered(app: Appliance) -> bool:
    with smtp_from(PARTNER_IP, app.inbound) as client:
        return client.has_extn("starttls")


def partner_sends_inbound(app: Appliance, root: Path) -> None:
    """530 before STARTTLS; then the listener's CA-signed certificate verifies by name."""
    with smtp_from(PARTNER_IP, app.inbound) as client:
        assert client.has_extn("starttls")
        assert client.mail(f"ann@{PARTNER}") == MUST_STARTTLS
        context = ssl.create_default_context(cafile=str(root))
        assert context.check_hostname
        client.starttls(context=context)
        assert isinstance(client.sock, ssl.SSLSocket)
        peer = client.sock.getpeercert()
        assert ("DNS", HOST) in peer["subjectAltName"]
        client.ehlo()
        mail = message(f"ann@{PARTNER}", f"user@{INTERNAL}", "over TLS")
        assert client.sendmail(f"ann@{PARTNER}", [f"user@{INTERNAL}"], mail) == {}


def other_sends_inbound(app: Appliance) -> None:
    with smtp_from(OTHER_IP, app.inbound) as client:
        assert not client.has_extn("starttls")
        mail = message("bob@other.example", f"user@{INTERNAL}", "in clear")
        assert client.sendmail("bob@other.example", [f"user@{INTERNAL}"], mail) == {}


def relay_out(app: Appliance, rcpt: str) -> None:
    """An internal server (127.0.0.1, RELAYLIST) relays through OutboundMail."""
    with smtp_from("127.0.0.1", app.outbound) as client:
        mail = message(f"carol@{INTERNAL}", rcpt, f"to {rcpt}")
        assert client.sendmail(f"carol@{INTERNAL}", [rcpt], mail) == {}


def the_story(app: Appliance) -> list[str]:
    """Once the rogue MX's message is deferred: the mail_logs lines the admin must see."""
    required = re.compile(r"DCID (\d+) IP 127\.0\.0\.1 TLS was required but could not be "
                          r"successfully negotiated")
    match = wait_until(lambda: required.search(app.mail_logs()), what="the rogue deferral")
    assert isinstance(match, re.Match)
    rogue_mid = re.search(rf"MID (\d+) ICID \d+ RID 0 To: <eve@{ROGUE}>", app.mail_logs())
    assert rogue_mid is not None
    delayed = (rf"Delayed: DCID \d+ MID {rogue_mid.group(1)} to RID 0 - 4\.7\.5 - "
               r"TLS required \('000', \['self.signed certificate'\]\)")
    wait_until(lambda: re.search(delayed, app.mail_logs()), what="the deferral line")
    return [
        rf"ICID \d+ ACCEPT SG TLS_Senders match {re.escape(PARTNER_IP)} SBRS None",
        r"ICID \d+ TLS was required but remote host did not initiate it",
        r"ICID \d+ TLS success protocol TLSv1\.[23] cipher \S+",
        r"ICID \d+ ACCEPT SG UNKNOWNLIST match sbrs\[none\] SBRS None",
        r"DCID \d+ TLS success protocol TLSv1\.[23] cipher \S+",
        rf"DCID \d+ TLS certificate verified: match {re.escape(PARTNER)}",
        rf"DCID {match.group(1)} TLS failed: self.signed certificate",
        re.escape(match.group(0)),
        delayed,
    ]


# -- the mission ---------------------------------------------------------------


def test_mission_tls_with_the_partner_over_ssh(appliance: Appliance, tmp_path: Path) -> None:
    app = appliance
    ca, partner_ca = SigningCA(), trustme.CA()
    root = tmp_path / "root.pem"
    root.write_text(ca.root_pem)  # clients trust only the root: the listener sends the rest
    behaviours = (
        Behaviour(context=server_context(partner_ca, PARTNER)),
        Behaviour(context=self_signed_context(ROGUE)),
        Behaviour(starttls=False),  # the internal mail server
    )
    with fake_mxs(*behaviours) as (partner_mx, rogue_mx, internal_mx), ssh_session(app) as child:
        signed = ca.sign(create_key_and_csr(child))
        install_signed_certificate(child, signed, ca.intermediate_pem)
        import_partner_ca(child, partner_ca.cert_pem.bytes().decode())
        require_tls_from_partner(child)
        add_routes(child, {PARTNER: partner_mx.port, ROGUE: rogue_mx.port,
                           INTERNAL: internal_mx.port})
        configure_destinations(child)

        child.sendline("showchanges")
        child.expect_exact(
            "'listeners[InboundMail].hat.groups[TLS_Senders].senders': ('127.0.0.2',)"
        )
        child.expect_exact(PROMPT)
        still_as_before(app)  # staged is not committed: nothing changed yet
        # that clear connection recorded, the commit's dry run says the change refuses it
        wait_until(lambda: f"[{PARTNER_IP}]" in ssh_exec(app, "tlsreport in hour").stdout,
                   what="the partner's clear connection in the TLS statistics")

        child.sendline("commit")
        child.expect_exact("Warning: InboundMail sender group TLS_Senders: Required would have"
                           " refused 1 of 1 connections in the last 7 days")
        dialog(child, [
            ("Do you want to commit these changes anyway? [N]> ", "y"),
            ("Please enter some comments describing your changes:\n[]> ",
             "TLS with partner.example")])
        child.expect(r"Changes committed: \w{3} \w{3} [ \d]\d \d\d:\d\d:\d\d \d{4}")
        child.expect_exact(PROMPT)
        wait_until(lambda: starttls_offered(app), what="the committed HAT")

        child.sendline("tail mail_logs")
        child.expect_exact("Press Ctrl-C to stop.")

        partner_sends_inbound(app, root)
        other_sends_inbound(app)
        relay_out(app, f"dave@{PARTNER}")
        relay_out(app, f"eve@{ROGUE}")

        wait_until(lambda: len(partner_mx.messages) == 1, what="delivery to the partner MX")
        wait_until(lambda: len(internal_mx.messages) == 2, what="delivery to the internal MX")
        watch_for(child, the_story(app))  # the admin watching `tail` saw it all, live
        child.sendcontrol("c")
        child.expect_exact("^C")
        child.expect_exact(PROMPT)
        child.sendline("exit")
        child.expect(pexpect.EOF)

    [to_partner] = partner_mx.messages
    assert to_partner.tls and to_partner.recipients == [f"dave@{PARTNER}"]
    assert rogue_mx.messages == [] and rogue_mx.connections >= 1
    assert sorted((m.sender, m.tls) for m in internal_mx.messages) == [
        (f"ann@{PARTNER}", False), ("bob@other.example", False)]
