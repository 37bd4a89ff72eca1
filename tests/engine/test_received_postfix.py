"""Issue 9, item 7, checked where it matters: what a real Postfix downstream stores.

A client sends through the engine (over STARTTLS to the public listener, in plain
text to a private one); the engine relays to a private Postfix (tests/kit/postfix.py)
by smtproutes, and virtual(8) writes the messages into a Maildir. Each must carry
our `Received:` line below Postfix's own, saying the inbound hop and its TLS; a
message from the private listener gets the Message-ID and Date it lacked.
"""

from __future__ import annotations

import asyncio
import email
import re
import smtplib
from collections.abc import Iterator
from email.message import Message
from pathlib import Path

import aiosmtplib
import pytest
import trustme

from engine.queue.manager import QueueOptions
from state.model import (
    Behavior,
    Certificate,
    Config,
    ListenerType,
    Policy,
    RatAction,
    RatEntry,
    Route,
    RouteHost,
    SenderGroup,
    TLSMode,
    replace,
)
from tests.engine import builders
from tests.kit.certs import client_context
from tests.kit.engine import running_engine
from tests.kit.postfix import PostfixServer, available
from tests.kit.waiting import wait_until_async

pytestmark = pytest.mark.skipif(available() is not None, reason=str(available()))

POSTFIX_IP, DOMAIN = "127.0.0.35", "postfix.test"
BARE = b"From: a@sender.test\r\nSubject: bare\r\n\r\nno id, no date\r\n"


@pytest.fixture(scope="module")
def postfix(ca: trustme.CA) -> Iterator[PostfixServer]:
    with PostfixServer.signed_by(ca, POSTFIX_IP, DOMAIN, ["u"]) as mx:
        yield mx


def gateway(cert: Certificate, postfix_port: int) -> Config:
    rat = (RatEntry(address=DOMAIN, action=RatAction.ACCEPT),
           RatEntry(address="ALL", action=RatAction.REJECT))
    public = builders.listener(the_hat=builders.hat(TLSMode.PREFERRED), rat=rat)
    relay_hat = builders.hat(
        groups=(SenderGroup(name="RELAYLIST", senders=("127.0.0.1",), policy="RELAYED"),),
        policies=(Policy(name="RELAYED", behavior=Behavior.RELAY),),
    )
    private = builders.listener("Relay", the_hat=relay_hat, type=ListenerType.PRIVATE, rat=())
    route = Route(domain=DOMAIN, hosts=(RouteHost(host=POSTFIX_IP, port=postfix_port),))
    return replace(builders.config(public, private, certificates=(cert,)), routes=(route,))


async def over_starttls(port: int, ca: trustme.CA) -> None:
    smtp = aiosmtplib.SMTP(hostname="127.0.0.1", port=port, local_hostname="client.test",
                           tls_context=client_context(ca), start_tls=True)
    await smtp.connect()
    errors, _ = await smtp.sendmail("a@sender.test", [f"u@{DOMAIN}"], BARE)
    assert errors == {}
    await smtp.quit()


def in_plain(port: int) -> None:
    with smtplib.SMTP("127.0.0.1", port, local_hostname="app.client.test", timeout=10) as smtp:
        smtp.sendmail("a@sender.test", [f"u@{DOMAIN}", f"u+copy@{DOMAIN}"], BARE)


def ours(message: Message) -> str:
    """Our Received line, unfolded: the one below Postfix's."""
    theirs, mine, *_ = message.get_all("Received")
    assert "by mx.postfix.test (Postfix)" in theirs
    return re.sub(r"\s+", " ", str(mine))


async def test_received_lines_at_a_real_postfix(
    ca: trustme.CA, postfix: PostfixServer, test_cert: Certificate, tmp_path: Path
) -> None:
    before = len(postfix.maildir_messages("u"))
    options = QueueOptions(poll_interval=30.0)
    async with running_engine(
        tmp_path, gateway(test_cert, postfix.port), outbound=options
    ) as engine:
        public, relay = engine.bound_port("InboundMail"), engine.bound_port("Relay")
        assert public is not None and relay is not None
        await over_starttls(public, ca)
        await asyncio.to_thread(in_plain, relay)
        await wait_until_async(lambda: len(postfix.maildir_messages("u")) >= before + 2, timeout=15)
    stored = [email.message_from_bytes(m) for m in postfix.maildir_messages("u")[before:]]
    by_tls = {("TLS" in ours(m)): m for m in stored}
    tls, plain = by_tls[True], by_tls[False]

    assert re.fullmatch(
        r"from client\.test \(unknown \[127\.0\.0\.1\]\) by mail\.test with ESMTPS id \d+"
        r" \(using TLSv1\.3 with cipher TLS_[A-Z0-9_]+\) for <u@postfix\.test>;"
        r" \w{3}, \d{2} \w{3} \d{4} \d\d:\d\d:\d\d [+-]\d{4}", ours(tls))
    assert re.fullmatch(  # two recipients: no "for"
        r"from app\.client\.test \(unknown \[127\.0\.0\.1\]\) by mail\.test with ESMTP id \d+;"
        r" \w{3}, \d{2} \w{3} \d{4} \d\d:\d\d:\d\d [+-]\d{4}", ours(plain))
    # The private listener added what the client left out; the public one did not
    # (Postfix may add its own, in its own name).
    assert re.fullmatch(r"<[0-9a-f]{32}\.\d+@mail\.test>", str(plain["Message-ID"]))
    assert plain["Date"] is not None
    assert "@mail.test" not in str(tls["Message-ID"])
