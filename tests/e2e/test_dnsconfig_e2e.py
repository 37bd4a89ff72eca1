"""dnsconfig end to end: a shell session points the resolver at a real DNS server
(dnsmasq, tests/dnsserver.py), commits, and the running appliance (`esacli run`, a
subprocess) then matches a host-name sender group by the client's forward-confirmed PTR."""

from __future__ import annotations

import asyncio
import smtplib
from collections.abc import Iterator
from pathlib import Path

import pytest

from esacli.console import ScriptedConsole
from esacli.shell import Shell
from state import model
from state.bootstrap import open_data_dir
from state.model import Behavior, DnsSettings, PolicyParams, Response, SenderGroup
from state.secrets import Secrets
from state.session import Session
from state.store import Store
from tests.dnsserver import DnsServer
from tests.e2e.conftest import Appliance, free_port, wait_until

PARTNER = SenderGroup(
    name="PARTNER", senders=(".partner.example",), policy="", behavior=Behavior.ACCEPT,
    params=PolicyParams(accept_response=Response(220, "hi $Hostname")),
)
# Nothing answers DNS on 127.0.0.3 (dnsmasq binds 127.0.0.1 only): lookups fail fast.
DEAD_RESOLVER = DnsSettings(servers=("127.0.0.3",), port=53, timeout=1.0)


@pytest.fixture
def dns() -> Iterator[DnsServer]:
    with DnsServer(hosts={"mx.partner.example": "127.0.0.2"}) as server:
        yield server


@pytest.fixture
def appliance(tmp_path: Path) -> Iterator[Appliance]:
    """Factory config on free ports, the PARTNER row first in InboundMail's HAT (above
    UNKNOWNLIST, which matches everyone), and a resolver that cannot answer."""
    data = tmp_path / "data"
    store, secrets = open_data_dir(data)
    session = Session(store, secrets, "test", "console")
    inbound, outbound = free_port(), free_port()
    listeners = []
    for li in session.candidate.listeners:
        li = model.replace(li, port=inbound if li.name == "InboundMail" else outbound)
        if li.name == "InboundMail":
            li = model.replace(li, hat=model.replace(li.hat, groups=(PARTNER, *li.hat.groups)))
        listeners.append(li)
    session.stage(model.replace(session.candidate, listeners=tuple(listeners),
                                dns=DEAD_RESOLVER))
    session.commit("partner row, no resolver yet")
    store.close()
    app = Appliance(data, inbound, outbound)
    app.start()
    try:
        yield app
    finally:
        app.stop()


def banner_from_partner(app: Appliance) -> bytes:
    """The 220 text a client connecting from 127.0.0.2 (mx.partner.example) is greeted with."""
    client = smtplib.SMTP(timeout=5, source_address=("127.0.0.2", 0))
    try:
        code, text = client.connect("127.0.0.1", app.inbound)
        assert code == 220, (code, text)
        client.quit()
        return text
    finally:
        client.close()


def run_shell(app: Appliance, lines: list[str]) -> str:
    store = Store(app.data)
    try:
        console = ScriptedConsole(lines)
        asyncio.run(Shell(console, Session(store, Secrets(app.data), "admin", "test")).run())
        assert not console.remaining and not console.exhausted, console.screen
        return console.screen
    finally:
        store.close()


def test_committed_dnsconfig_makes_a_host_name_row_match(
    appliance: Appliance, dns: DnsServer
) -> None:
    app = appliance
    assert banner_from_partner(app) == b"mail.example.com ESMTP"  # PTR unknown: no match

    screen = run_shell(app, [
        "dnsconfig",
        "new", "127.0.0.1", "0",         # the lab's dnsmasq, asked first...
        "delete", "2",                   # ...and the dead server removed
        "setup", str(dns.port), "2",     # dnsmasq's port, a 2 s timeout
        "", "commit", "lab resolver", "exit",
    ])
    assert "1. Priority: 0 127.0.0.1\n\nChoose" in screen and "Changes committed:" in screen

    wait_until(lambda: banner_from_partner(app) == b"hi mx.partner.example",
               what="the committed resolver to match the PARTNER row")
    logs = app.mail_logs()
    assert "address 127.0.0.2 reverse dns host unknown verified no" in logs
    assert "address 127.0.0.2 reverse dns host mx.partner.example verified yes" in logs
    assert "ACCEPT SG PARTNER match .partner.example SBRS None" in logs
