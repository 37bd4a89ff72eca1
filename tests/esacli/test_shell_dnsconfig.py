"""dnsconfig transcripts: the resolver's servers (in priority order), port and timeout.

The dialog's wording is reconstructed (AsyncOS's dnsconfig wording is not known to us);
a server's priority is its place in the query order (see esacli/commands/dnsconfig.py).
"""

from __future__ import annotations

import math

import pytest

from esacli.console import ScriptedConsole
from state import model, validate_dns
from state.edit.dns import place
from state.model import DnsSettings
from state.session import Session
from tests.kit.shell import LocalAppliance, load, run_shell, transcript


def with_dns(session: Session, *servers: str, port: int = 53, timeout: float = 5.0) -> None:
    dns = DnsSettings(servers=servers, port=port, timeout=timeout)
    session.stage(model.replace(session.candidate, dns=dns))


async def test_new_with_bad_input(session: Session) -> None:
    lines = ["dnsconfig", "new", "10.0.0.300", "dns.example.com", "10.0.0.2", "",
             "new", "::0001", "2", "first", "0",
             "new", "10.0.0.2", "", "edit", "", "", "exit", "y"]
    screen = await run_shell(session, lines)
    assert screen == load("dns_new")
    # "::0001" is kept in canonical form, and priority 0 put it before 10.0.0.2
    assert session.candidate.dns == DnsSettings(servers=("::1", "10.0.0.2"))


async def test_edit_moves_a_server_and_delete_removes_one(session: Session) -> None:
    with_dns(session, "10.0.0.1", "10.0.0.2", "10.0.0.3")
    lines = ["dnsconfig", "edit", "9", "1", "10.0.0.3", "10.0.0.11", "5", "2",
             "edit", "10.0.0.3", "", "0", "delete", "10.0.0.2", "", "exit", "y"]
    screen = await run_shell(session, lines)
    assert transcript("""
        Please enter the number of the server you wish to edit.
        1. Priority: 0 10.0.0.1
        2. Priority: 1 10.0.0.2
        3. Priority: 2 10.0.0.3
        []> 9

        That value is not valid.
        """) in screen
    assert transcript("""
        Please enter the new IP address of the DNS server.
        [10.0.0.1]> 10.0.0.3

        The DNS server 10.0.0.3 is already configured.

        Please enter the new IP address of the DNS server.
        [10.0.0.1]> 10.0.0.11

        Please enter the priority for 10.0.0.11.
        A value of 0 is the highest priority.
        [0]> 5

        The value must be an integer from 0 to 2.

        Please enter the priority for 10.0.0.11.
        A value of 0 is the highest priority.
        [0]> 2

        Currently using the local DNS cache servers:
        1. Priority: 0 10.0.0.2
        2. Priority: 1 10.0.0.3
        3. Priority: 2 10.0.0.11
        """) in screen
    # the second EDIT picked by address, kept it (Enter) and moved it first
    assert transcript("""
        Please enter the new IP address of the DNS server.
        [10.0.0.3]> $

        Please enter the priority for 10.0.0.3.
        A value of 0 is the highest priority.
        [1]> 0
        """) in screen
    assert screen.endswith(transcript("""
        Please enter the number of the server you wish to remove.
        1. Priority: 0 10.0.0.3
        2. Priority: 1 10.0.0.2
        3. Priority: 2 10.0.0.11
        []> 10.0.0.2

        Currently using the local DNS cache servers:
        1. Priority: 0 10.0.0.3
        2. Priority: 1 10.0.0.11

        Choose the operation you want to perform:
        - NEW - Add a new server.
        - EDIT - Edit a server.
        - DELETE - Remove a server.
        - USE - Use the system resolver.
        - SETUP - Configure general settings.
        []> $

        mail.example.com> exit

        Configuration changes entered but not committed. Exiting will lose changes.
        Type 'commit' at the command prompt to commit changes.
        Are you sure you wish to exit? [N]> y
        """))
    assert session.candidate.dns.servers == ("10.0.0.3", "10.0.0.11")


async def test_setup_re_asks_bad_port_and_timeout(session: Session) -> None:
    bad_timeouts = ["0", "-1", "nan", "1e3", "2,5"]
    lines = ["dnsconfig", "setup", "0", "65536", "x", "5353", *bad_timeouts, "2.5",
             "setup", "", "", "", "exit", "y"]
    screen = await run_shell(session, lines)
    assert transcript("""
        Please enter the port to send DNS queries to.
        [53]> 65536

        The value must be an integer from 1 to 65535.
        """) in screen
    assert transcript("""
        Enter the number of seconds to wait for a DNS query.
        [5]> 2,5

        The value must be a number greater than 0 and at most 3600.

        Enter the number of seconds to wait for a DNS query.
        [5]> 2.5
        """) in screen
    assert screen.count("The value must be a number greater than 0 and at most 3600.") == len(
        bad_timeouts
    )
    # the second SETUP offers the staged values and Enter keeps them
    assert "[5353]> \n" in screen and "[2.5]> \n" in screen
    dns = session.candidate.dns
    assert dns == DnsSettings(servers=(), port=5353, timeout=2.5)
    assert isinstance(dns.timeout, float)


@pytest.mark.parametrize(("staged", "answers", "kept"), [
    (1e-05, [""], 1e-05),        # shown as "1e-05": Enter keeps it
    (math.nan, ["", "3"], 3.0),  # an invalid value (not from the dialog) is not kept
])
async def test_setup_enter_keeps_only_a_valid_timeout(
    session: Session, staged: float, answers: list[str], kept: float
) -> None:
    with_dns(session, timeout=staged)
    await run_shell(session, ["dnsconfig", "setup", "", *answers, "", "exit", "y"])
    assert session.candidate.dns.timeout == kept


async def test_use_needs_confirmation(session: Session) -> None:
    with_dns(session, "192.0.2.53")
    lines = ["dnsconfig", "use", "n", "USE", "y", "", "exit"]
    screen = await run_shell(session, lines)
    assert screen.count(
        "Are you sure you want to remove all DNS servers and use the system resolver? [N]> ") == 2
    assert screen.endswith(transcript("""
        Are you sure you want to remove all DNS servers and use the system resolver? [N]> y

        Currently using the system resolver.

        Choose the operation you want to perform:
        - NEW - Add a new server.
        - SETUP - Configure general settings.
        []> $

        mail.example.com> exit
        """))
    assert session.candidate.dns.servers == ()
    assert not session.pending  # back to the committed (factory) setting


async def test_edit_and_delete_are_not_offered_without_servers(session: Session) -> None:
    screen = await run_shell(session, ["dnsconfig", "edit", "", "exit"])
    assert 'Unknown option: "edit"' in screen
    assert not session.pending


async def test_ctrl_c_drops_an_unfinished_new(session: Session) -> None:
    lines = ["dnsconfig", "new", "10.0.0.2", ScriptedConsole.CTRL_C, "exit"]
    await run_shell(session, lines)
    assert not session.pending


async def test_commit_reaches_the_store(appliance: LocalAppliance) -> None:
    session = appliance.session()
    lines = ["dnsconfig", "new", "127.0.0.1", "", "new", "127.0.0.53", "1",
             "setup", "5353", "2", "", "showchanges", "commit", "resolver", "exit"]
    screen = await run_shell(session, lines)
    assert transcript("""
        {'standalone': {'': {'dns.servers': ('127.0.0.1', '127.0.0.53'),
                             'dns.port': 5353,
                             'dns.timeout': 2.0}}}
        """) in screen
    assert "Changes committed:" in screen
    assert appliance.store.load().dns == DnsSettings(
        servers=("127.0.0.1", "127.0.0.53"), port=5353, timeout=2.0)

    lines = ["dnsconfig", "use", "y", "", "commit", "system resolver", "exit"]
    await run_shell(appliance.session(), lines)
    assert appliance.store.load().dns == DnsSettings(servers=(), port=5353, timeout=2.0)


async def test_commit_refuses_an_invalid_resolver_setting(appliance: LocalAppliance) -> None:
    """Settings that reach the candidate without the dialog (an import, a script) are
    checked at commit, every error reported, nothing written."""
    session = appliance.session()
    with_dns(session, "bogus", "::1", "0::1", port=0, timeout=math.nan)
    screen = await run_shell(session, ["commit", "bad", "exit", "y"])
    assert transcript("""
        The configuration is not valid:
        dns.servers: Invalid IP address "bogus".
        dns.servers: The DNS server "0::1" is listed more than once.
        dns.port: The value must be an integer from 1 to 65535.
        dns.timeout: The value must be a number greater than 0 and at most 3600.
        Nothing was committed. Your changes are still pending.
        """) in screen
    assert appliance.store.load().dns == DnsSettings()


@pytest.mark.parametrize(("servers", "priority", "expected"), [
    ((), 0, ("x",)),
    (("a", "b"), 0, ("x", "a", "b")),
    (("a", "b"), 1, ("a", "x", "b")),
    (("a", "b"), 2, ("a", "b", "x")),
])
def test_place_puts_the_server_at_its_priority(
    servers: tuple[str, ...], priority: int, expected: tuple[str, ...]
) -> None:
    assert place(servers, "x", priority) == expected


@pytest.mark.parametrize(("dns", "paths"), [
    (DnsSettings(servers=("10.0.0.2", "2001:db8::53", "127.0.0.1"), port=1, timeout=0.1), []),
    (DnsSettings(servers=("10.0.0.2/32",)), ["dns.servers"]),
    (DnsSettings(servers=("[::1]",)), ["dns.servers"]),
    (DnsSettings(port=65536), ["dns.port"]),
    (DnsSettings(timeout=0.0), ["dns.timeout"]),
    (DnsSettings(timeout=math.inf), ["dns.timeout"]),
])
def test_validation_paths(dns: DnsSettings, paths: list[str]) -> None:
    assert [e.path for e in validate_dns.settings(dns)] == paths
