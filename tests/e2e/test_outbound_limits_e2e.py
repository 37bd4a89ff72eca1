"""Outbound limits through `esacli run` (smtproutes to fake MXs on loopback): a destination
control's concurrency cap holds however many messages wait, and a server that takes at
most 3 recipients a transaction (452 for the rest) gets the rest in further transactions
at once, not at the retry an hour later. The in-process versions are in
tests/engine/test_outbound_limits.py and test_outbound_pipelining.py."""

from __future__ import annotations

import asyncio
import smtplib
from pathlib import Path

from state import model
from tests.kit.appliance import Appliance, prepared
from tests.kit.fakemx import Behaviour, FakeMX
from tests.kit.waiting import wait_until_async

SENDER = "sender@origin.test"
CAPPED, NARROW = "capped.test", "narrow.test"
RETRY = 3600  # only the first attempt happens within the test


def prepare(tmp_path: Path, capped_port: int, narrow_port: int) -> Appliance:
    def routed(config: model.Config) -> model.Config:
        def to(port: int) -> tuple[model.RouteHost, ...]:
            return (model.RouteHost(host="127.0.0.1", port=port),)

        routes = (model.Route(domain=CAPPED, hosts=to(capped_port)),
                  model.Route(domain=NARROW, hosts=to(narrow_port)))
        entry = model.DestinationEntry(domain=CAPPED, tls=model.TLSMode.NO, max_concurrency=2,
                                       max_msgs_per_connection=1)
        destinations = model.replace(config.destinations, entries=(entry,))
        return model.replace(config, routes=routes, destinations=destinations,
                             delivery=model.DeliverySettings(initial_retry_seconds=RETRY,
                                                             max_retry_seconds=RETRY))

    return prepared(tmp_path, routed)


def send(app: Appliance, recipients: list[str]) -> None:
    with smtplib.SMTP("127.0.0.1", app.outbound, timeout=10) as client:
        client.sendmail(SENDER, recipients, b"Subject: limits\r\n\r\nhi\r\n")


async def test_concurrency_cap_and_452_follow_up(tmp_path: Path) -> None:
    plain = Behaviour(starttls=False)
    async with FakeMX(plain) as capped, FakeMX(Behaviour(starttls=False, max_rcpts=3)) as narrow:
        app = prepare(tmp_path, capped.port, narrow.port)
        await asyncio.to_thread(app.start)
        try:
            capped.release.clear()  # hold every DATA reply: connections pile up if the cap leaks
            for n in range(6):
                await asyncio.to_thread(send, app, [f"u{n}@{CAPPED}"])
            await wait_until_async(lambda: capped.in_data == 2, timeout=20,
                                   what="two deliveries held at the capped MX")
            held_open = capped.active
            many = [f"r{n}@{NARROW}" for n in range(7)]
            await asyncio.to_thread(send, app, many)
            await wait_until_async(
                lambda: sum(len(m.recipients) for m in narrow.messages) == 7, timeout=20,
                what="all 7 recipients at the narrow MX")
            capped.release.set()
            await wait_until_async(lambda: len(capped.messages) == 6, timeout=20,
                                   what="the 6 capped messages delivered")
            logs = (app.data / "logs" / "mail_logs").read_text()
        finally:
            await asyncio.to_thread(app.stop)
    assert held_open == 2
    assert capped.max_active == 2  # reached, never exceeded
    assert capped.connections == 6  # one message a connection
    assert sorted(r for m in narrow.messages for r in m.recipients) == sorted(many)
    assert [len(m.recipients) for m in narrow.messages] == [3, 3, 1]
    assert logs.count("Delayed:") == 0  # the 452s were never deferrals
