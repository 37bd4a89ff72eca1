"""sethostname and interfaceconfig on a standalone appliance: transcripts, bad answers
asked again, an interface a listener uses cannot be deleted (a cluster member may: the
listener runs disabled there, tests/cluster)."""

from __future__ import annotations

import re

from esacli.console import ScriptedConsole
from state.session import Session
from tests.kit.shell import run_shell, transcript

CTRL_C = ScriptedConsole.CTRL_C

SCRIPT = [
    "sethostname", "bad_host", "gw.example.com", "sethostname a b", "sethostname nope",
    "interfaceconfig", "new", "Management", "DataNet", "10.0.0.300", "127.0.0.1",
    "127.0.0.9", "", "edit", "2", "", "", "data.example.com", "delete", "1", "new", "Other",
    CTRL_C, "commit", "two interfaces", "exit"]

SCREEN = """
    mail.example.com> sethostname

    Enter the hostname.
    [mail.example.com]> bad_host

    Invalid hostname format: "bad_host".

    Enter the hostname.
    [mail.example.com]> gw.example.com

    The hostname gw.example.com takes effect when you commit.

    gw.example.com> sethostname a b

    Usage: sethostname [hostname]

    gw.example.com> sethostname nope

    Invalid hostname format: "nope".

    gw.example.com> interfaceconfig

    Currently configured interfaces:
    1. Management (127.0.0.1): mail.example.com
    MENU
    []> new

    Please enter a name for this IP interface (Ex: "InternalNet"):
    []> Management

    An interface named "Management" already exists.

    Please enter a name for this IP interface (Ex: "InternalNet"):
    []> DataNet

    Enter the IP address to assign.
    []> 10.0.0.300

    Invalid IP address "10.0.0.300".

    Enter the IP address to assign.
    []> 127.0.0.1

    The IP address 127.0.0.1 is already assigned to interface "Management".

    Enter the IP address to assign.
    []> 127.0.0.9

    Hostname:
    [gw.example.com]> $

    Currently configured interfaces:
    1. Management (127.0.0.1): mail.example.com
    2. DataNet (127.0.0.9): gw.example.com
    MENU
    []> edit

    Enter the number of the interface you wish to edit.
    1. Management (127.0.0.1: mail.example.com)
    2. DataNet (127.0.0.9: gw.example.com)
    []> 2

    Please enter a name for this IP interface (Ex: "InternalNet"):
    [DataNet]> $

    Enter the IP address to assign.
    [127.0.0.9]> $

    Hostname:
    [gw.example.com]> data.example.com

    Currently configured interfaces:
    1. Management (127.0.0.1): mail.example.com
    2. DataNet (127.0.0.9): data.example.com
    MENU
    []> delete

    Enter the number of the interface you wish to delete.
    1. Management (127.0.0.1: mail.example.com)
    2. DataNet (127.0.0.9: data.example.com)
    []> 1

    The interface "Management" is used by these listeners: InboundMail, OutboundMail. Delete them or move them to another interface first.

    Currently configured interfaces:
    1. Management (127.0.0.1): mail.example.com
    2. DataNet (127.0.0.9): data.example.com
    MENU
    []> new

    Please enter a name for this IP interface (Ex: "InternalNet"):
    []> Other

    Enter the IP address to assign.
    []> $

    gw.example.com> commit

    Please enter some comments describing your changes:
    []> two interfaces

    Changes committed: Wed Dec 02 DATE

    gw.example.com> exit
    """.replace("    MENU\n", """
    Choose the operation you want to perform:
    - NEW - Create a new interface.
    - EDIT - Modify an interface.
    - DELETE - Remove an interface.
""")


async def test_sethostname_and_interfaceconfig_ask_again_and_keep_used_interfaces(
        session: Session) -> None:
    screen = await run_shell(session, SCRIPT)
    committed = re.sub(r"Changes committed: .*", "Changes committed: Wed Dec 02 DATE", screen)
    assert committed == transcript(SCREEN)
    config = session.store.load()
    assert config.hostname == "gw.example.com"
    assert [(i.name, i.ip, i.hostname) for i in config.interfaces] == [
        ("Management", "127.0.0.1", "mail.example.com"),
        ("DataNet", "127.0.0.9", "data.example.com")]


async def test_a_renamed_interface_keeps_its_listeners_and_an_unused_one_goes(
        session: Session) -> None:
    await run_shell(session, ["interfaceconfig", "edit", "1", "Public", "", "", "", "commit",
                              "renamed", "exit"])
    config = session.store.load()
    assert [i.name for i in config.interfaces] == ["Public"]
    assert {li.interface for li in config.listeners} == {"Public"}
    screen = await run_shell(session, ["interfaceconfig", "new", "Spare", "127.0.0.8", "",
                                       "delete", "Spare", "y", "", "showchanges", "exit"])
    assert screen.endswith("{'standalone': {'': {}}}\n\nmail.example.com> exit\n")
