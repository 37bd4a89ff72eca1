"""destconfig transcripts (§6): NEW with bad input, LIST, DETAIL, SETUP, DEFAULT, EDIT,
DELETE, CLEAR, IMPORT / EXPORT in the §6.7 INI format, and a commit of the result."""

from __future__ import annotations

from pathlib import Path

from state import formats_dest, model
from state.model import DaneMode, DestinationEntry, TlsFailure, TLSMode
from state.session import Session
from tests.kit.certs import issue_certificate, make_ca
from tests.kit.shell import LocalAppliance, load, run_shell, transcript

MENU = """\
Choose the operation you want to perform:
- SETUP - Change global settings.
- NEW - Create a new entry.
- EDIT - Modify an entry.
- DELETE - Remove an entry.
- DEFAULT - Change the default.
- LIST - Display a summary list of all entries.
- DETAIL - Display details for one destination or all entries.
- CLEAR - Remove all entries.
- IMPORT - Import tables from a file.
- EXPORT - Export tables to a file.
[]> """


def entries(session: Session) -> tuple[DestinationEntry, ...]:
    return session.candidate.destinations.entries


def with_entries(session: Session, *items: DestinationEntry) -> None:
    dest = model.replace(session.candidate.destinations, entries=items)
    session.stage(model.replace(session.candidate, destinations=dest))


async def test_new_with_bad_input_then_list_and_detail(session: Session) -> None:
    lines = ["destconfig", "new", "bad..domain", "Partner.Example.", "", "abc", "20", "n", "y",
             "", "100", "", "", "y", "9", "5", "n", "5", "y", "y", "4", "3", "n", "y", "2",
             "", "", "list", "detail", "", "", "exit", "y"]
    screen = await run_shell(session, lines)
    assert screen == load("dest_new")
    assert entries(session) == (DestinationEntry(
        domain="partner.example", tls=TLSMode.REQUIRED_VERIFY, max_concurrency=20,
        recipient_limit=100, recipient_minutes=60, dane=DaneMode.MANDATORY,
        tls_failure=TlsFailure.BOUNCE),)


async def test_setup_picks_the_client_certificate_and_the_alert(session: Session) -> None:
    partner = issue_certificate(make_ca(), session.secrets, "partner", ("mail.example.com",))
    config = session.candidate
    session.stage(model.replace(config, certificates=(*config.certificates, partner)))
    lines = ["destconfig", "setup", "nope", "Demo", "n", "partner", "y",
             "new", "partner.test", "n", "n", "n", "y", "3", "", "", "", "", "", "", "exit", "y"]
    screen = await run_shell(session, lines)
    assert transcript("""
        []> setup

        Please choose the certificate to apply:
        1. Demo
        2. partner
        [1]> nope

        That value is not valid.

        Please choose the certificate to apply:
        1. Demo
        2. partner
        [1]> Demo

        You have not entered a certificate. To assure privacy, run 'certconfig' first.
        You may use the demo certificate to test TLS, but this will not be secure.
        Do you really wish to use the demo certificate? [N]> n

        Please choose the certificate to apply:
        1. Demo
        2. partner
        [1]> partner

        Do you want to send an alert when a required TLS connection fails? [N]> y

        There are currently 0 entries configured.
        """) in screen
    # with a real client certificate chosen, TLS needs no demo warning
    assert transcript("""
        5. Required - Verify
        [1]> 3

        Do you wish to configure DANE Support for this domain?""") in screen
    dest = session.candidate.destinations
    assert (dest.client_certificate, dest.tls_failure_alert) == ("partner", True)
    assert entries(session) == (DestinationEntry(domain="partner.test", tls=TLSMode.REQUIRED),)


async def test_default_edit_delete_and_clear(session: Session) -> None:
    with_entries(session, DestinationEntry(domain="a.test", max_concurrency=5),
                 DestinationEntry(domain=".b.test", tls=TLSMode.PREFERRED))
    lines = ["destconfig",
             "default", "x", "300", "y", "0", "30", "200", "2", "", "", "2", "3", "2", "y", "y",
             "", "y", "2",
             "edit", "A.TEST", "n", "y", "7", "n", "n", "", "", "", "y", "n", "y", "4",
             "delete", ".B.test", "delete", "c.test",
             "clear", "n", "list", "",
             "exit", "y"]
    screen = await run_shell(session, lines)
    default = session.candidate.destinations.default
    assert default == DestinationEntry(
        domain="DEFAULT", tls=TLSMode.PREFERRED, max_concurrency=300, max_msgs_per_connection=50,
        recipient_limit=200, recipient_minutes=30, limit_per_mx_ip=True,
        bounce_verification=True, ip_sort="PREFER_V6", dane=DaneMode.OPPORTUNISTIC, mta_sts=True,
        tls_failure=None)  # answered with what unset means: left unset
    assert entries(session) == (DestinationEntry(
        domain="a.test", max_msgs_per_connection=7, bounce_verification=False,
        ip_sort="REQUIRE_V6"),)
    assert transcript("""
        Enter the default maximum concurrency limit.
        [500]> x

        The value must be an integer from 1 to 10000.
        """) in screen
    assert transcript("""
        Enter the number of minutes used to measure recipient limit.
        [60]> 0

        The value must be an integer from 1 to 60.
        """) in screen
    assert 'The domain "c.test" was not found in the destination control table.' in screen
    assert transcript("""
        Do you want to use DANE Support?
        1. No
        2. Opportunistic
        [1]> 3

        That value is not valid.
        """) in screen  # the DEFAULT row never makes DANE mandatory
    assert transcript("""
        [1]> 2

        You have not entered a certificate. To assure privacy, run 'certconfig' first.
        You may use the demo certificate to test TLS, but this will not be secure.
        Do you really wish to use the demo certificate? [N]> y

        Apply the MTA-STS policy the domain publishes (RFC 8461)? [N]> y
        """) in screen  # §6.3: TLS, DANE, then the demo certificate's warning
    assert load("dest_list_default") in screen


async def test_default_walked_with_enter_changes_nothing(session: Session) -> None:
    """DANE, MTA-STS and the TLS failure action unset in the DEFAULT row were staged as
    explicit No, off and defer: showchanges listed three changes no one made."""
    screen = await run_shell(session, ["destconfig", "default", *[""] * 16, "exit"])
    assert "Apply the MTA-STS policy the domain publishes" in screen  # asked, and answered
    assert session.changes() == [] and not session.pending


async def test_export_then_import_with_a_malformed_file(appliance: LocalAppliance,
                                                        tmp_path: Path) -> None:
    session = appliance.session()
    with_entries(session, DestinationEntry(domain="partner.test", tls=TLSMode.REQUIRED_VERIFY))
    exported = formats_dest.dump(session.candidate.destinations)
    folder = appliance.store.data_dir / "configuration"
    folder.mkdir()
    (folder / "broken.ini").write_text(exported + "\n[other.test]\nuse_tls = maybe\n")
    (folder / "next.ini").write_text(exported.replace("[partner.test]", "[Next.Test]"))
    lines = ["destconfig", "export", "../escape", "dest.ini",
             "import", "missing.ini", "import", "broken.ini", "list",
             "import", "next.ini", "", "exit", "y"]
    screen = await run_shell(session, lines)
    assert (folder / "dest.ini").read_text() == exported
    assert not (tmp_path / "escape").exists()
    assert transcript("""
        []> export

        Enter the name of the file to export:
        []> ../escape

        Invalid file name "../escape". Valid characters are letters, digits, "-", "_" and "."

        Enter the name of the file to export:
        []> dest.ini

        File written on machine "mail.example.com" to the location "/configuration/dest.ini".
        """) in screen
    assert transcript("""
        []> import

        Enter the name of the file to import:
        []> missing.ini

        Error: the file "missing.ini" does not exist.
        """) in screen
    assert transcript("""
        []> broken.ini

        Error on line 14: Invalid use_tls "maybe": one of off|on|required|on_verify|require_verify.
        Import failed.

        There are currently 1 entries configured.
        """) in screen
    assert 'Imported the file "next.ini".' in screen
    assert entries(session) == (
        DestinationEntry(domain="next.test", tls=TLSMode.REQUIRED_VERIFY),)


async def test_new_entry_commits(appliance: LocalAppliance) -> None:
    lines = ["destconfig", "new", ".Partner.Test", "n", "n", "n", "y", "2", "y", "", "", "",
             "", "", "", "commit", "partner TLS", "exit"]
    await run_shell(appliance.session(), lines)
    head = appliance.store.load()
    assert head.destinations.entries == (DestinationEntry(domain=".partner.test",
                                                          tls=TLSMode.PREFERRED),)


async def test_ctrl_c_in_new_stages_nothing(session: Session) -> None:
    lines = ["destconfig", "new", "partner.test", "y", "\x03", "showchanges", "exit"]
    screen = await run_shell(session, lines)
    assert entries(session) == ()
    assert not session.pending
    assert screen.endswith("[500]> \n\nmail.example.com> showchanges\n\n{'standalone': {'': {}}}\n"
                           "\nmail.example.com> exit\n")
    assert MENU in screen
