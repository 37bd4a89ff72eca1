"""The one-line forms of destconfig, smtproutes, alertconfig, sslconfig and certconfig
(issue 14): each walks its menu's items by name, stages exactly what the dialog would,
and a bad word stages nothing, says why and fails the session's exit status."""

from __future__ import annotations

import pytest

from esacli.console import ScriptedConsole
from esacli.shell import Shell, run_session
from state.model import (
    AlertRecipient,
    DaneMode,
    DestinationEntry,
    Route,
    RouteHost,
    TlsFailure,
    TLSMode,
    TlsVersion,
)
from state.session import Session
from tests.kit.shell import NOW, LocalAppliance, run_shell, transcript


async def batch(session: Session, *lines: str) -> tuple[int, str]:
    """Exit status and screen of a batch session running `lines`."""
    console = ScriptedConsole(lines)
    status = await run_session(Shell(console, session, clock=lambda: NOW), "admin")
    return status, console.screen


async def test_destconfig_forms_stage_what_the_dialog_does(session: Session) -> None:
    status, screen = await batch(
        session,
        "destconfig new Partner.Test --use_tls=require_verify --max_host_concurrency=10",
        "destconfig edit partner.test --bounce_validation=on --limit_type=mxip",
        "destconfig new other.test", "destconfig delete other.test",
        "destconfig default --max_messages_per_connection=20",
        "destconfig detail partner.test")
    assert status == 0, screen
    entry = session.candidate.destinations.entries[0]
    assert entry == DestinationEntry(domain="partner.test", tls=TLSMode.REQUIRED_VERIFY,
                                     max_concurrency=10, limit_per_mx_ip=True,
                                     bounce_verification=True)
    assert len(session.candidate.destinations.entries) == 1
    assert session.candidate.destinations.default.max_msgs_per_connection == 20
    assert transcript("""
        partner.test
            Maximum messages per connection: Default
            Maximum concurrency: 10
            Recipient limit: Default
            Limits apply to: MX IP, System Wide
            TLS: Required (Verify)
            DANE: Default
            MTA-STS: Default
            TLS Failure: Default
            Bounce Verification: On
        """) in screen
    status, _ = await batch(session, "destconfig edit partner.test --use_tls=default")
    assert status == 0 and session.candidate.destinations.entries[0].tls is None


TLS_WORDS = "off|on|required|on_verify|require_verify"


@pytest.mark.parametrize(("line", "said"), [
    ("destconfig frob", "Invalid destconfig batch command. Type 'help destconfig'."),
    ("destconfig new", "Invalid destconfig batch command. Type 'help destconfig'."),
    ("destconfig new a..b", 'Invalid hostname format: "a..b".'),
    ("destconfig new p.test --use_tls=sometimes",
     f'Invalid use_tls "sometimes": one of {TLS_WORDS}.'),
    ("destconfig new p.test --dane=mandatory --dane=off", 'The parameter "dane" is set twice.'),
    ("destconfig new p.test --colour=red", 'Unknown parameter "colour".'),
    ("destconfig new p.test use_tls=on", 'Invalid "use_tls" value: on'),
    ("destconfig new p.test --max_host_concurrency=0",
     '"max_host_concurrency" must be an integer from 1 to 10000, not "0".'),
    ("destconfig new p.test --recipient_limit=5",
     '"recipient_limit" requires "recipient_minutes".'),
    ("destconfig edit nothere.test --use_tls=on",
     'The domain "nothere.test" was not found in the destination control table.'),
    ("destconfig default --use_tls=default", f'Invalid use_tls "default": one of {TLS_WORDS}.'),
    ("destconfig export ../x", 'Invalid file name "../x".'),
    ("destconfig import missing.ini", 'Error: the file "missing.ini" does not exist.'),
    ("smtproutes frob", "Invalid smtproutes batch command. Type 'help smtproutes'."),
    ("smtproutes new p.test", "Invalid smtproutes batch command."),
    ("smtproutes new p.test usedns, mx.p.test", "USEDNS must be the only destination of a route."),
    ("smtproutes edit p.test add mx2.p.test",
     "The entry p.test does not appear to be in the routing table."),
    ("alertconfig new nobody", "An email address is a localname and domain separated by an @"),
    ("alertconfig new ops@example.com Weather", 'Invalid alert class or severity: "Weather".'),
    ("alertconfig edit ops@example.com", 'The email address "ops@example.com" does not receive'),
    ("sslconfig inbound 1.4", 'Invalid ssl method "1.4": give TLS versions such as 1.2-1.3.'),
    ("sslconfig inbound 1.3-1.2", 'Invalid ssl method "1.3-1.2"'),
    ("sslconfig outbound 1.2 NOTACIPHER", 'Not a valid cipher string: "NOTACIPHER"'),
    ("sslconfig verify NOTACIPHER", 'Not a valid cipher string: "NOTACIPHER"'),
    ("certconfig certificate delete Demo", 'The certificate profile "Demo" cannot be deleted'),
    ("certconfig certificate delete nope", 'There is no certificate profile "nope".'),
    ("certconfig certificate paste", "Invalid certconfig batch command."),
    ("certconfig certauthority custom delete x", 'There is no custom Certificate Authority "x".'),
    ("certconfig certauthority system print extra", "Invalid certconfig batch command."),
])
async def test_bad_words_stage_nothing_and_fail(session: Session, line: str, said: str) -> None:
    status, screen = await batch(session, line)
    assert status == 1 and said in screen, screen
    assert not session.pending


async def test_smtproutes_forms_walk_the_edit_menu(session: Session) -> None:
    status, screen = await batch(
        session, "smtproutes new partner.test mx1.partner.test:2525, mx2.partner.test",
        "smtproutes edit partner.test add mx3.partner.test/pri=5",
        "smtproutes edit partner.test remove mx2.partner.test",
        "smtproutes new other.test usedns", "smtproutes delete other.test", "smtproutes print")
    assert status == 0, screen
    assert session.candidate.routes == (Route(domain="partner.test", hosts=(
        RouteHost(host="mx1.partner.test", port=2525),
        RouteHost(host="mx3.partner.test", priority=5))),)
    assert "partner.test  mx1.partner.test:2525, mx3.partner.test/pri=5\n" in screen
    status, _ = await batch(session, "smtproutes edit partner.test replace usedns")
    assert status == 0 and session.candidate.routes[0].hosts == (RouteHost(host="USEDNS"),)
    status, _ = await batch(session, "smtproutes edit partner.test remove usedns")
    assert status == 1  # a route keeps one destination


async def test_alertconfig_sslconfig_certconfig_forms(session: Session) -> None:
    status, screen = await batch(
        session, "alertconfig new ops@example.com System,hardware Critical,Warning",
        "alertconfig new all@example.com", "alertconfig delete all@example.com",
        "alertconfig setup alerts@example.com",
        "sslconfig inbound 1.3", "sslconfig outbound 1.2-1.3 HIGH:!aNULL",
        "certconfig certauthority system disable", "certconfig certificate print")
    assert status == 0, screen
    alerts = session.candidate.alerts
    assert alerts.recipients == (AlertRecipient(address="ops@example.com",
                                                classes=("System", "Hardware"),
                                                severities=("Critical", "Warning")),)
    assert alerts.from_address == "alerts@example.com"
    ssl = session.candidate.ssl
    assert (ssl.inbound.min_version, ssl.inbound.max_version) == (TlsVersion.TLS1_3,) * 2
    assert ssl.outbound.ciphers == "HIGH:!aNULL"
    assert not session.candidate.authorities.system_enabled
    assert "Listener InboundMail              Demo\n" in screen


async def test_help_shows_the_forms_and_operations_from_the_menus(session: Session) -> None:
    screen = await run_shell(session, ["help smtproutes", "smtproutes", "?", "", "exit"])
    assert screen == transcript("""
        mail.example.com> help smtproutes

        smtproutes - Set up permanent domain redirections.
        smtproutes new <domain> <host>[:<port>][/pri=<n>][, <host>...]
        smtproutes edit <domain> add|replace|remove <hosts>
        smtproutes delete <domain>
        smtproutes print
        smtproutes import <file>
        smtproutes export <file>
        smtproutes clear

        Operations:
        - NEW - Create a new route.
        - EDIT - Edit destinations of an existing route.
        - DELETE - Remove a route.
        - PRINT - Display a listing of routes.
        - IMPORT - Import new routes from a file.
        - EXPORT - Export all routes to a file.
        - CLEAR - Remove all routes.

        mail.example.com> smtproutes

        There are no routes configured.

        Choose the operation you want to perform:
        - NEW - Create a new route.
        - EDIT - Edit destinations of an existing route.
        - DELETE - Remove a route.
        - PRINT - Display a listing of routes.
        - IMPORT - Import new routes from a file.
        - EXPORT - Export all routes to a file.
        - CLEAR - Remove all routes.
        []> ?

        Choose the operation you want to perform:
        - NEW - Create a new route.
        - EDIT - Edit destinations of an existing route.
        - DELETE - Remove a route.
        - PRINT - Display a listing of routes.
        - IMPORT - Import new routes from a file.
        - EXPORT - Export all routes to a file.
        - CLEAR - Remove all routes.
        []> $

        mail.example.com> exit
        """)


async def test_help_of_every_command_with_a_menu_lists_its_items(appliance: LocalAppliance) -> None:
    from esacli.commands import COMMANDS
    for command in COMMANDS:
        if command.menu is None:
            continue
        text = command.help()
        for item in command.menu.items:
            assert f"- {item.name} - {item.label}" in text
            if item.syntax is not None:
                assert f"{command.name} {item.name.lower()}" in text


async def test_destconfig_forms_take_the_dns_policy_keys(session: Session) -> None:
    """The one-line form reads the file's keys, so issue 12's DANE, MTA-STS and failure
    settings come with it, refused on DEFAULT as IMPORT refuses them."""
    status, screen = await batch(
        session, "destconfig new partner.test --dane=mandatory --mta_sts=on --tls_failure=bounce")
    assert status == 0, screen
    entry = session.candidate.destinations.entries[0]
    assert (entry.dane, entry.mta_sts, entry.tls_failure) == (
        DaneMode.MANDATORY, True, TlsFailure.BOUNCE)
    status, screen = await batch(session, "destconfig default --dane=mandatory")
    assert status != 0 and session.candidate.destinations.default.dane is not DaneMode.MANDATORY
