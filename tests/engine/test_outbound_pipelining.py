"""Delivery pipelines MAIL, the RCPTs and DATA when the MX offers PIPELINING (RFC 2920)
and sends one command at a time when it does not; either way each reply is paired
with its command: refused recipients, a refused sender and a refused DATA land on the
right recipients, and the connection stays in step for the next message on it.

Real deliveries: dnsmasq for the MX, the fake MX (tests/kit/fakemx.py) on loopback."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from engine.outbound.jobs import Job
from tests.engine.outbound_kit import deliver_jobs, outbound_config
from tests.kit.dnsserver import DnsServer
from tests.kit.fakemx import Behaviour, FakeMX

IP = "127.0.0.61"
DOMAIN = "pipe.test"
MX = "mx.pipe.test"
GONE = f"gone@{DOMAIN}"


@pytest.fixture(scope="module")
def dns() -> Iterator[DnsServer]:
    with DnsServer(hosts={MX: IP}, mx=[(DOMAIN, MX, 10)]) as server:
        yield server


def job(mid: int, *local: str) -> Job:
    addresses = [f"{name}@{DOMAIN}" if "@" not in name else name for name in local]
    return Job(mid, "a@gateway.test", list(range(len(addresses))), addresses,
               lambda: f"Subject: {mid}\r\n\r\n.dot\r\n".encode())


async def deliver(tmp_path: Path, dns: DnsServer, behaviour: Behaviour,
                  *jobs: Job) -> tuple[list[tuple[str, str]], FakeMX]:
    config = outbound_config(None, dns.port, domain=DOMAIN)
    async with FakeMX(behaviour, host=IP) as mx:
        results = await deliver_jobs(config, DOMAIN, mx.port, tmp_path, list(jobs))
    return [(r.status, r.reply) for r in results], mx


@pytest.mark.parametrize("pipelining", [True, False])
async def test_refused_recipients_and_the_next_message_on_the_connection(
    tmp_path: Path, dns: DnsServer, pipelining: bool
) -> None:
    behaviour = Behaviour(starttls=False, pipelining=pipelining,
                          rcpt_reply={GONE: "550 5.1.1 No such user"})
    results, mx = await deliver(tmp_path, dns, behaviour,
                                job(1, "u1", GONE, "u2"), job(2, GONE), job(3, "u3"))
    assert [status for status, _ in results] == [
        "bounced", "delivered", "delivered", "bounced", "delivered"]
    assert "No such user" in results[0][1] and "No such user" in results[3][1]
    assert [(m.recipients, m.data, m.connection) for m in mx.messages] == [
        ([f"u1@{DOMAIN}", f"u2@{DOMAIN}"], b"Subject: 1\r\n\r\n.dot\r\n", 1),
        ([f"u3@{DOMAIN}"], b"Subject: 3\r\n\r\n.dot\r\n", 1)]
    verbs = [c.split(":")[0].split()[0] for c in mx.commands]
    # the second message's DATA goes out only pipelined, and then its 503 resets it
    middle = ["MAIL", "RCPT", "DATA", "RSET"] if pipelining else ["MAIL", "RCPT", "RSET"]
    assert verbs == ["EHLO", "MAIL", "RCPT", "RCPT", "RCPT", "DATA", *middle,
                     "MAIL", "RCPT", "DATA", "QUIT"]
    assert mx.sent_ahead == 0  # (counted only when PIPELINING is not offered)


@pytest.mark.parametrize("pipelining", [True, False])
async def test_a_refused_sender_refuses_every_recipient(
    tmp_path: Path, dns: DnsServer, pipelining: bool
) -> None:
    behaviour = Behaviour(starttls=False, pipelining=pipelining,
                          mail_reply="452 4.3.1 Insufficient system storage")
    results, mx = await deliver(tmp_path, dns, behaviour, job(1, "u1", "u2"))
    assert [status for status, _ in results] == ["deferred", "deferred"]
    assert all("Insufficient system storage" in reply for _, reply in results)
    assert mx.messages == [] and mx.sent_ahead == 0
    sent = [c.split(":")[0].split()[0] for c in mx.commands]
    assert sent == (["EHLO", "MAIL", "RCPT", "RCPT", "DATA", "RSET", "QUIT"] if pipelining
                    else ["EHLO", "MAIL", "RSET", "QUIT"])


async def test_a_refused_data_defers_the_accepted_recipients(
    tmp_path: Path, dns: DnsServer
) -> None:
    behaviour = Behaviour(starttls=False, data_reply="451 4.3.0 Queue full",
                          rcpt_reply={GONE: "550 5.1.1 No such user"})
    results, mx = await deliver(tmp_path, dns, behaviour, job(1, "u1", GONE))
    assert [status for status, _ in results] == ["bounced", "deferred"]
    assert "Queue full" in results[1][1]
    assert mx.messages == []
