"""What a remote server's refusals do to a message, through `esacli run` (smtproutes to fake
MXs on loopback): a 421 greeting and a 451 after the content defer (the message stays
queued for its retry), a 554 after the content bounces it (it leaves the queue, its
bounce made though its header holds 8-bit text). The in-process versions are in
tests/engine/test_outbound_421.py, test_outbound_pipelining.py and test_hostile_mx.py."""

from __future__ import annotations

import asyncio
import re
import smtplib
from pathlib import Path

from engine.queue.admin import QueueAdmin
from state import model
from tests.kit.appliance import Appliance, prepared
from tests.kit.fakemx import Behaviour, FakeMX
from tests.kit.waiting import wait_until_async

SENDER = "sender@origin.test"
BUSY, FULL, REFUSING = "busy.test", "full.test", "refusing.test"
RETRY = 3600  # only the first attempt happens within the test


def prepare(tmp_path: Path, ports: dict[str, int]) -> Appliance:
    def routed(config: model.Config) -> model.Config:
        routes = tuple(model.Route(domain=domain, hosts=(model.RouteHost("127.0.0.1", port),))
                       for domain, port in ports.items())
        entries = tuple(model.DestinationEntry(domain=domain, tls=model.TLSMode.NO)
                        for domain in ports)
        return model.replace(config, routes=routes,
                             destinations=model.replace(config.destinations, entries=entries),
                             delivery=model.DeliverySettings(initial_retry_seconds=RETRY,
                                                             max_retry_seconds=RETRY))

    return prepared(tmp_path, routed)


def send(app: Appliance, recipient: str) -> None:
    # 8-bit text in a header (8BITMIME): the bounce of it must still be made
    with smtplib.SMTP("127.0.0.1", app.outbound, timeout=10) as client:
        client.sendmail(SENDER, [recipient], "Subject: caf\u00e9\r\n\r\nhi\r\n".encode())


def outcome(logs: str, recipient: str) -> str:
    """The `Delayed:` or `Bounced:` line of the message sent to `recipient`."""
    mid = re.search(rf"MID (\d+) ICID \d+ RID \d+ To: <{re.escape(recipient)}>", logs)
    if mid is None:
        return ""
    found = re.search(rf"(?:Delayed|Bounced): DCID \d+ MID {mid.group(1)} .*", logs)
    return found.group(0) if found else ""


async def test_a_421_greeting_and_a_451_defer_a_554_bounces(tmp_path: Path) -> None:
    busy = Behaviour(starttls=False, greeting="421 4.3.2 mx.busy.test too busy")
    full = Behaviour(starttls=False, data_reply="451 4.3.0 Queue full")
    refusing = Behaviour(starttls=False, data_reply="554 5.7.1 Content refused")
    async with FakeMX(busy) as b, FakeMX(full) as f, FakeMX(refusing) as r:
        app = prepare(tmp_path, {BUSY: b.port, FULL: f.port, REFUSING: r.port})
        await asyncio.to_thread(app.start)
        try:
            sent = [f"u@{domain}" for domain in (BUSY, FULL, REFUSING)]
            for recipient in sent:
                await asyncio.to_thread(send, app, recipient)
            await wait_until_async(lambda: all(outcome(app.mail_logs(), to) for to in sent),
                                   timeout=20, what="an outcome for each message")
            logs = app.mail_logs()
            queued = {q.address for q in QueueAdmin(app.data).recipients()
                      if q.status == "queued"}
        finally:
            await asyncio.to_thread(app.stop)
    assert outcome(logs, sent[0]).endswith(
        "4.4.1 - Connection failed ('421', ['4.3.2 mx.busy.test too busy'])")
    assert outcome(logs, sent[1]).startswith("Delayed:") and "451" in outcome(logs, sent[1])
    assert outcome(logs, sent[2]).startswith("Bounced:") and "554" in outcome(logs, sent[2])
    assert {sent[0], sent[1]} <= queued and sent[2] not in queued
    bounced = re.search(r"Bounced: DCID \d+ MID (\d+) ", logs)
    assert bounced and f"was generated for bounce of MID {bounced.group(1)}" in logs
    assert f.messages == [] and r.messages == [] and b.messages == []
