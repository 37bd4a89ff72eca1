"""Delivery to a REAL Postfix (its own private instance, tests/kit/postfix.py) under
Required - Verify, and the required-TLS alert landing in a Postfix mailbox.

The whole path is real: smtplib relays through the engine's listener, dnsmasq
answers the MX and A queries, the queue delivers with STARTTLS verified against
the test CA (the only CA in certconfig's custom list) and Postfix's virtual(8)
writes the message into a Maildir. The queue polls only every 30 s here, so
prompt delivery also shows that inbound wakes the queue after each message.
"""

from __future__ import annotations

import asyncio
import smtplib
from collections.abc import Iterator
from pathlib import Path

import pytest
import trustme

from engine.queue.manager import QueueOptions
from engine.service import Engine
from state.model import (
    AlertRecipient,
    Alerts,
    Certificate,
    Config,
    DestinationEntry,
    RatAction,
    RatEntry,
    TLSMode,
    replace,
)
from tests.engine import builders
from tests.engine.outbound_kit import outbound_config
from tests.kit.dnsserver import DnsServer
from tests.kit.engine import log_has, read_mail_logs, running_engine
from tests.kit.fakemx import Behaviour, FakeMX
from tests.kit.postfix import PostfixServer, available
from tests.kit.waiting import wait_until_async

pytestmark = pytest.mark.skipif(available() is not None, reason=str(available()))

POSTFIX_IP, PARTNER_IP = "127.0.0.31", "127.0.0.32"
DOMAIN, MX = "postfix.test", "mx.postfix.test"


@pytest.fixture(scope="module")
def dns() -> Iterator[DnsServer]:
    with DnsServer(
        hosts={MX: POSTFIX_IP, "mx.partner.test": PARTNER_IP},
        mx=[(DOMAIN, MX, 10), ("partner.test", "mx.partner.test", 10)],
    ) as server:
        yield server


@pytest.fixture(scope="module")
def postfix(ca: trustme.CA) -> Iterator[PostfixServer]:
    with PostfixServer.signed_by(ca, POSTFIX_IP, DOMAIN, ["u", "admin"]) as server:
        yield server


def gateway(
    ca: trustme.CA, dns: DnsServer, cert: Certificate, *entries: DestinationEntry
) -> Config:
    """A listener relaying to postfix.test and partner.test; outbound per `entries`."""
    rat = tuple(RatEntry(address=d, action=RatAction.ACCEPT) for d in (DOMAIN, "partner.test"))
    listen = builders.listener(rat=(*rat, RatEntry(address="ALL", action=RatAction.REJECT)))
    out = outbound_config(ca, dns.port, TLSMode.REQUIRED_VERIFY, domain=DOMAIN)
    return replace(
        builders.config(listen, certificates=(cert,)),
        authorities=out.authorities, dns=out.dns,
        destinations=replace(out.destinations, entries=out.destinations.entries + entries),
    )


def relay(port: int, recipient: str, subject: str) -> None:
    with smtplib.SMTP("127.0.0.1", port, timeout=10) as client:
        client.sendmail(
            "a@sender.test", [recipient], f"Subject: {subject}\r\n\r\nhello\r\n".encode()
        )


async def send(engine: Engine, recipient: str, subject: str) -> None:
    port = engine.bound_port("InboundMail")
    assert port is not None
    await asyncio.to_thread(relay, port, recipient, subject)


async def test_required_verify_delivery_to_postfix(
    ca: trustme.CA, dns: DnsServer, postfix: PostfixServer, test_cert: Certificate, tmp_path: Path
) -> None:
    before = len(postfix.maildir_messages("u"))
    options = QueueOptions(mx_port=postfix.port, poll_interval=30.0)
    async with running_engine(tmp_path, gateway(ca, dns, test_cert), outbound=options) as engine:
        await send(engine, f"u@{DOMAIN}", "to real postfix")
        await wait_until_async(log_has(tmp_path, "Message finished MID"), timeout=10)
        await wait_until_async(lambda: len(postfix.maildir_messages("u")) > before, timeout=10)
    text = read_mail_logs(tmp_path)
    assert "TLS success protocol TLSv1.3 cipher" in text
    assert f"TLS certificate verified: match {MX}" in text
    assert "Response '250 2.0.0 Ok: queued as" in text
    assert "Delayed:" not in text
    message = postfix.maildir_messages("u")[-1]
    assert b"Subject: to real postfix" in message and b"hello" in message
    assert b"with ESMTPS" in message and b"(using TLSv1.3 with cipher" in message
    log = postfix.log()
    assert "TLS connection established from unknown[127.0.0.1]: TLSv1.3" in log
    assert "status=sent (delivered to maildir)" in log


async def test_required_tls_alert_lands_in_postfix_mailbox(
    ca: trustme.CA, dns: DnsServer, postfix: PostfixServer, test_cert: Certificate, tmp_path: Path
) -> None:
    before = len(postfix.maildir_messages("admin"))
    config = gateway(
        ca, dns, test_cert, DestinationEntry(domain="partner.test", tls=TLSMode.REQUIRED)
    )
    config = replace(
        config,
        destinations=replace(config.destinations, tls_failure_alert=True),
        alerts=Alerts(recipients=(AlertRecipient(f"admin@{DOMAIN}", ("System",), ("Warning",)),)),
    )
    options = QueueOptions(mx_port=postfix.port, poll_interval=30.0)
    async with (
        FakeMX(Behaviour(starttls=False), host=PARTNER_IP, port=postfix.port) as partner,
        running_engine(tmp_path, config, outbound=options) as engine,
    ):
        await send(engine, "v@partner.test", "needs tls")
        await wait_until_async(lambda: len(postfix.maildir_messages("admin")) > before, timeout=10)
    assert partner.messages == []  # never in clear
    text = read_mail_logs(tmp_path)
    assert "TLS was required but could not be successfully negotiated" in text
    assert f"TLS certificate verified: match {MX}" in text  # the alert went Required - Verify
    alert = postfix.maildir_messages("admin")[-1]
    assert b"Subject: Warning <System> mail.test: TLS required but failed for partner.test" in alert
    assert b"STARTTLS command not supported" in alert
