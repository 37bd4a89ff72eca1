"""dnsconfig end to end: a shell session points the resolver at a real DNS server
(dnsmasq, tests/kit/dnsserver.py), commits, and the running appliance (`esacli run`, a
subprocess) then matches a host-name sender group by the client's forward-confirmed PTR."""

from __future__ import annotations

import asyncio
import smtplib
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from state import model
from state.model import Behavior, DnsSettings, PolicyParams, Response, SenderGroup
from state.secrets import Secrets
from state.session import Session
from state.store import Store
from tests.kit.appliance import Appliance, prepared, running
from tests.kit.dnsserver import DnsServer
from tests.kit.shell import run_shell
from tests.kit.waiting import wait_until

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


def partner_first(config: model.Config) -> model.Config:
    """The PARTNER row first in InboundMail's HAT (above UNKNOWNLIST, which matches
    everyone), and a resolver that cannot answer."""
    inbound = model.by_name(config.listeners, "InboundMail")
    assert inbound is not None
    hat = model.replace(inbound.hat, groups=(PARTNER, *inbound.hat.groups))
    listeners = model.put(config.listeners, model.replace(inbound, hat=hat))
    return model.replace(config, listeners=listeners, dns=DEAD_RESOLVER)


@pytest.fixture
def appliance(tmp_path: Path) -> Iterator[Appliance]:
    """Factory config on free ports, PARTNER first, no resolver (`partner_first`)."""
    with running(prepared(tmp_path, partner_first)) as app:
        yield app


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


def shell(app: Appliance, lines: list[str]) -> str:
    store = Store(app.data)
    try:
        session = Session(store, Secrets(app.data), "admin", "test")
        return asyncio.run(run_shell(session, lines, clock=time.time))
    finally:
        store.close()


def test_committed_dnsconfig_makes_a_host_name_row_match(
    appliance: Appliance, dns: DnsServer
) -> None:
    app = appliance
    assert banner_from_partner(app) == b"mail.example.com ESMTP"  # PTR unknown: no match

    screen = shell(app, [
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
