"""tlsrptconfig transcripts: TLS reporting on with bad input re-asked, committed; off again;
Ctrl-C half-way stages nothing."""

from __future__ import annotations

from state.model import TlsRptSettings, replace
from state.session import Session
from tests.kit.shell import LocalAppliance, run_shell, transcript

MENU = """\
Choose the operation you want to perform:
- SETUP - Configure TLS reporting (RFC 8460).
[]> """


async def test_setup_with_bad_input_then_commit(appliance: LocalAppliance) -> None:
    lines = ["tlsrptconfig", "setup", "y", "Evil\x01Corp", "Example Corp", "not an address",
             "tls-reports@example.com", "noreply-tlsrpt@example.com", "",
             "commit", "TLS reports", "tlsrptconfig", "", "exit"]
    screen = await run_shell(appliance.session(), lines)
    assert transcript("""
        mail.example.com> tlsrptconfig

        TLS reporting is currently disabled.
        Organization name: (not set)
        Contact: (not set)
        Sender address: (not set)

        Choose the operation you want to perform:
        - SETUP - Configure TLS reporting (RFC 8460).
        []> setup

        Do you want to send daily TLS reports (RFC 8460) to the domains that ask for them? [N]> y

        Enter the organization name the reports are sent by:
        []> Evil\\x01Corp

        The organization name must be printable and at most 100 characters.

        Enter the organization name the reports are sent by:
        []> Example Corp

        Enter the contact address for the reports:
        []> not an address

        Invalid email address "not an address".

        Enter the contact address for the reports:
        []> tls-reports@example.com

        Enter the address the reports are sent from:
        []> noreply-tlsrpt@example.com

        TLS reporting is currently enabled.
        Organization name: Example Corp
        Contact: tls-reports@example.com
        Sender address: noreply-tlsrpt@example.com
        """) in screen
    assert appliance.store.load().tlsrpt == TlsRptSettings(
        enabled=True, organization="Example Corp", contact="tls-reports@example.com",
        sender="noreply-tlsrpt@example.com")


async def test_off_again_keeps_the_values(session: Session) -> None:
    on = TlsRptSettings(enabled=True, organization="Example Corp", contact="r@example.com",
                        sender="s@example.com")
    session.stage(replace(session.candidate, tlsrpt=on))
    screen = await run_shell(session, ["tlsrptconfig", "setup", "n", "", "exit", "y"])
    assert session.candidate.tlsrpt == TlsRptSettings(
        enabled=False, organization="Example Corp", contact="r@example.com",
        sender="s@example.com")
    assert "Do you want to send daily TLS reports (RFC 8460) to the domains that ask for" \
        " them? [Y]> n\n\nTLS reporting is currently disabled.\n" in screen


async def test_ctrl_c_half_way_stages_nothing(session: Session) -> None:
    lines = ["tlsrptconfig", "setup", "y", "Example Corp", "\x03", "exit"]
    screen = await run_shell(session, lines)
    assert not session.pending
    assert MENU in screen
