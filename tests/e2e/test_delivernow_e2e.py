"""`delivernow` against a real `esacli run`: a message for a TLS-Required domain is
deferred while the partner's MX refuses STARTTLS; the MX is fixed; `delivernow
partner.example` over SSH makes it due and the running engine delivers it over TLS at
once, though its retry time is an hour away."""

from __future__ import annotations

import asyncio
import smtplib
from pathlib import Path

from state import model
from tests.kit.appliance import Appliance, prepared
from tests.kit.certs import make_ca, server_context
from tests.kit.fakemx import Behaviour, FakeMX
from tests.kit.ssh import ssh_exec
from tests.kit.waiting import wait_until_async

DOMAIN = "partner.example"
RETRY = 3600  # the backoff after the first failure: far beyond this test's waits


def prepare(data: Path, mx_port: int) -> Appliance:
    """Listeners on free ports; partner.example routed to the fake MX, TLS Required."""

    def partner_required(config: model.Config) -> model.Config:
        route = model.Route(domain=DOMAIN,
                            hosts=(model.RouteHost(host="127.0.0.1", port=mx_port),))
        entry = model.DestinationEntry(domain=DOMAIN, tls=model.TLSMode.REQUIRED)
        return model.replace(
            config, routes=(route,),
            destinations=model.replace(config.destinations, entries=(entry,)),
            delivery=model.DeliverySettings(initial_retry_seconds=RETRY,
                                            max_retry_seconds=RETRY),
        )

    return prepared(data.parent, partner_required)


def send(app: Appliance) -> None:
    """Relay one message through OutboundMail (it relays for 127.0.0.1)."""
    with smtplib.SMTP("127.0.0.1", app.outbound, timeout=10) as client:
        client.sendmail("a@gateway.example", [f"u@{DOMAIN}"],
                        b"Subject: delivernow\r\n\r\nhello\r\n")


async def test_delivernow_delivers_a_deferred_message_without_waiting(tmp_path: Path) -> None:
    ca = make_ca()
    behaviour = Behaviour(starttls_reply="454 4.7.0 TLS not available due to temporary reason")
    async with FakeMX(behaviour) as mx:
        app = prepare(tmp_path / "data", mx.port)
        await asyncio.to_thread(app.start)
        try:
            await asyncio.to_thread(send, app)
            await wait_until_async(lambda: "Delayed: " in app.mail_logs(), timeout=20)
            assert "TLS was required but could not be successfully negotiated" in app.mail_logs()
            listing = await asyncio.to_thread(
                ssh_exec, app, "showrecipients", "1\n" + DOMAIN + "\n"
            )
            assert listing.returncode == 0, listing.stderr
            row = next(line for line in listing.stdout.splitlines() if f"u@{DOMAIN}" in line)
            assert "Deferred" in row.split()

            behaviour.starttls_reply = "220 Ready to start TLS"  # the partner fixes its MX
            behaviour.context = server_context(ca, "mx.partner.example")
            connections = mx.connections
            done = await asyncio.to_thread(ssh_exec, app, f"delivernow {DOMAIN}")
            assert done.returncode == 0, done.stderr
            assert done.stdout == (
                f"\nRescheduling all messages to {DOMAIN} for immediate delivery.\n"
                "Recipients rescheduled: 1\n\n"
            )
            await wait_until_async(lambda: len(mx.messages) == 1, timeout=15)
        finally:
            await asyncio.to_thread(app.stop)
    assert mx.connections == connections + 1
    message = mx.messages[0]
    assert message.tls and message.recipients == [f"u@{DOMAIN}"]
    assert b"hello" in message.data
