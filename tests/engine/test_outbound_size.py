"""A message larger than the SIZE the server's EHLO gives (RFC 1870 §6) bounces without
being sent (the whole message went over the wire before the server's 552); one within it
is delivered on the same connection. MAIL declares SIZE= and, for 8-bit content,
BODY=8BITMIME where the server offers them."""

from __future__ import annotations

import email
from pathlib import Path

from engine.queue.manager import QueueOptions
from state.model import Config, DeliverySettings, Route, RouteHost, TLSMode, replace
from tests.engine.outbound_kit import DOMAIN, FakeClock, outbound_config
from tests.kit.engine import running_engine
from tests.kit.fakemx import Behaviour, FakeMX
from tests.kit.queue import Queued, body, legacy_queue
from tests.kit.waiting import wait_until_async

BIG, SMALL = 720001, 720002
LIMIT = 2000
SENDER = "a@sender.test"


def config_for(port: int) -> Config:
    hosts = (RouteHost(host="127.0.0.1", port=port),)
    config = outbound_config(None, tls=TLSMode.NO, max_concurrency=1)
    routes = (Route(domain=DOMAIN, hosts=hosts), Route(domain="sender.test", hosts=hosts))
    return replace(config, routes=routes, delivery=DeliverySettings(initial_retry_seconds=3600))


async def test_a_message_over_the_servers_size_bounces_unsent(tmp_path: Path) -> None:
    clock = FakeClock()
    big = body(BIG) + b"x" * (2 * LIMIT) + b"\r\n"
    async with FakeMX(Behaviour(starttls=False, size=LIMIT)) as mx:
        legacy_queue(tmp_path, [Queued(BIG, SENDER, (f"u@{DOMAIN}",), big),
                                Queued(SMALL, SENDER, (f"v@{DOMAIN}",), body(SMALL))],
                     clock.now())
        options = QueueOptions(mx_port=mx.port, clock=clock, poll_interval=0.02)
        async with running_engine(tmp_path, config_for(mx.port), outbound=options):
            await wait_until_async(lambda: len(mx.messages) == 2, timeout=10,
                                   what="the small message and the bounce of the big one")
    small, bounce = sorted(mx.messages, key=lambda m: m.sender == "")
    assert small.recipients == [f"v@{DOMAIN}"]
    assert bounce.sender == "" and bounce.recipients == [SENDER]
    assert "5.3.4" in str(email.message_from_bytes(bounce.data))
    assert sum(1 for c in mx.commands if c.startswith("MAIL FROM:<a@sender.test>")) == 1


async def test_mail_declares_the_size_where_the_server_offers_size(tmp_path: Path) -> None:
    """RFC 1870 §6: SIZE=<octets> on MAIL where EHLO offered SIZE, nothing where it did not."""
    clock = FakeClock()
    declared = []
    for offered in (LIMIT * 10, 0):
        spool = tmp_path / str(offered)
        async with FakeMX(Behaviour(starttls=False, size=offered)) as mx:
            legacy_queue(spool, [Queued(SMALL, SENDER, (f"v@{DOMAIN}",), body(SMALL))], clock.now())
            options = QueueOptions(mx_port=mx.port, clock=clock, poll_interval=0.02)
            async with running_engine(spool, config_for(mx.port), outbound=options):
                await wait_until_async(lambda: len(mx.messages) == 1, timeout=10,
                                       what="the message delivered")
        [message] = mx.messages
        declared.append((message.mail_params, len(message.data)))
    (offered_params, size), (plain_params, _) = declared
    assert offered_params == (f"SIZE={size}",)
    assert plain_params == ()


async def test_8_bit_content_declares_body_8bitmime_where_the_server_offers_it(
    tmp_path: Path,
) -> None:
    """RFC 6152: BODY=8BITMIME on MAIL for content that is not 7-bit (the fake MX offers
    8BITMIME); none for 7-bit content."""
    clock = FakeClock()
    eight = "Subject: caf\u00e9\r\n\r\n\u2603\r\n".encode()
    async with FakeMX(Behaviour(starttls=False, size=0)) as mx:
        legacy_queue(tmp_path, [Queued(BIG, SENDER, (f"u@{DOMAIN}",), eight),
                                Queued(SMALL, SENDER, (f"v@{DOMAIN}",), body(SMALL))],
                     clock.now())
        options = QueueOptions(mx_port=mx.port, clock=clock, poll_interval=0.02)
        async with running_engine(tmp_path, config_for(mx.port), outbound=options):
            await wait_until_async(lambda: len(mx.messages) == 2, timeout=10,
                                   what="both messages delivered")
    params = {m.recipients[0]: m.mail_params for m in mx.messages}
    assert params == {f"u@{DOMAIN}": ("BODY=8BITMIME",), f"v@{DOMAIN}": ()}
