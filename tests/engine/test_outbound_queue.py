"""The queue manager end to end inside one engine: spool -> MX, retries with a
controllable clock, bounces (DSN) for 5xx and at the queue lifetime, no bounce for a
bounce, injection after the STARTTLS 220, the required-TLS alert."""

from __future__ import annotations

import asyncio
import email
import smtplib
from collections.abc import Iterator
from pathlib import Path

import pytest
import trustme

from engine.queue import manager as manager_module
from engine.queue.manager import QueueOptions
from engine.service import Engine
from state.model import (
    AlertRecipient,
    Alerts,
    Certificate,
    DeliverySettings,
    RatAction,
    RatEntry,
    TLSMode,
    replace,
)
from state.secrets import Secrets
from tests.engine import builders
from tests.engine.outbound_kit import FakeClock, outbound_config
from tests.kit.certs import server_context
from tests.kit.dnsserver import DnsServer
from tests.kit.engine import log_has, read_mail_logs, running_engine
from tests.kit.fakemx import Behaviour, FakeMX
from tests.kit.waiting import wait_until_async

IP = "127.0.0.21"
SENDER_IP = "127.0.0.22"


@pytest.fixture(scope="module")
def dns() -> Iterator[DnsServer]:
    with DnsServer(
        hosts={"mx.partner.test": IP, "mx.sender.test": SENDER_IP},
        mx=[("partner.test", "mx.partner.test", 10), ("sender.test", "mx.sender.test", 10),
            ("nomail.test", ".", 0)],
    ) as server:
        yield server


async def spool(engine: Engine, sender: str, rcpts: list[str], body: bytes) -> int:
    assert engine._counters is not None
    mid = engine._counters.next_mid()
    await engine.spool.store(mid, 1, "InboundMail", sender, rcpts, body, engine.queue.clock.now())  # type: ignore[union-attr]
    engine.queue.wake()  # type: ignore[union-attr]
    return mid


def options(port: int, clock: FakeClock) -> QueueOptions:
    return QueueOptions(mx_port=port, clock=clock, poll_interval=0.02)


async def test_delivers_with_crlf_and_dot_stuffing(
    ca: trustme.CA, dns: DnsServer, tmp_path: Path
) -> None:
    clock = FakeClock()
    async with FakeMX(Behaviour(context=server_context(ca, "mx.partner.test")), host=IP) as mx:
        config = outbound_config(ca, dns.port, TLSMode.REQUIRED_VERIFY)
        async with running_engine(tmp_path, config, outbound=options(mx.port, clock)) as engine:
            body = b"Subject: x\n\n.leading dot\rbare cr\nbare lf\r\n"
            mid = await spool(engine, "a@sender.test", ["u1@partner.test", "u2@partner.test"], body)
            await wait_until_async(log_has(tmp_path, f"Message finished MID {mid} done"))
    assert len(mx.messages) == 1 and mx.messages[0].tls
    assert mx.messages[0].recipients == ["u1@partner.test", "u2@partner.test"]
    assert mx.messages[0].data == b"Subject: x\r\n\r\n.leading dot\r\nbare cr\r\nbare lf\r\n"
    assert not (tmp_path / "spool" / f"{mid}.msg").exists()


async def test_retry_then_bounce_at_lifetime(
    ca: trustme.CA, dns: DnsServer, tmp_path: Path
) -> None:
    clock = FakeClock()
    behaviour = Behaviour(rcpt_reply={"u@partner.test": "451 4.3.0 try later"})
    async with (
        FakeMX(behaviour, host=IP) as mx,
        FakeMX(Behaviour(), host=SENDER_IP, port=mx.port) as back,
    ):
        config = replace(outbound_config(ca, dns.port), delivery=DeliverySettings(
            queue_lifetime_hours=1, initial_retry_seconds=60, max_retry_seconds=600))
        async with running_engine(tmp_path, config, outbound=options(mx.port, clock)) as engine:
            mid = await spool(
                engine, "a@sender.test", ["u@partner.test"], b"Subject: r\r\n\r\nx\r\n"
            )
            await wait_until_async(log_has(tmp_path, f"Delayed: DCID 1 MID {mid} to RID 0 - 4.0.0"))
            assert engine.queue.store.attempts(mid, 0) == 1  # type: ignore[union-attr]
            clock.t += 59
            engine.queue.wake()  # type: ignore[union-attr]
            await engine.queue.tick()  # type: ignore[union-attr]
            assert mx.connections == 1  # not yet due
            clock.t += 1
            engine.queue.wake()  # type: ignore[union-attr]
            await wait_until_async(lambda: engine.queue.store.attempts(mid, 0) == 2)  # type: ignore[union-attr]
            assert mx.connections == 2
            clock.t += 3600
            engine.queue.wake()  # type: ignore[union-attr]
            await wait_until_async(lambda: len(back.messages) == 1)
            await wait_until_async(log_has(tmp_path, f"Message finished MID {mid} done"))
    assert f"Bounced: DCID 0 MID {mid} to RID 0 - 5.4.7" in read_mail_logs(tmp_path)
    dsn = back.messages[0]
    assert dsn.sender == "" and dsn.recipients == ["a@sender.test"]
    parsed = email.message_from_bytes(dsn.data)
    assert parsed.get_content_type() == "multipart/report"
    assert parsed.get_param("report-type") == "delivery-status"
    assert b"Final-Recipient: rfc822; u@partner.test" in dsn.data
    assert b"Action: failed" in dsn.data and b"Status: 5.4.7" in dsn.data


async def test_5xx_bounces_at_once_and_bounces_never_bounce(
    ca: trustme.CA, dns: DnsServer, tmp_path: Path
) -> None:
    clock = FakeClock()
    behaviour = Behaviour(rcpt_reply={"gone@partner.test": "550 5.1.1 No such user"})
    config = outbound_config(ca, dns.port)
    async with (
        FakeMX(behaviour, host=IP) as mx,
        FakeMX(Behaviour(), host=SENDER_IP, port=mx.port) as back,
        running_engine(tmp_path, config, outbound=options(mx.port, clock)) as engine,
    ):
        mid = await spool(
            engine, "a@sender.test", ["gone@partner.test", "ok@partner.test"], b"S: 1\r\n\r\nx\r\n"
        )
        null = await spool(engine, "", ["gone@partner.test"], b"S: 2\r\n\r\nx\r\n")
        nomx = await spool(engine, "", ["x@nomail.test"], b"S: 3\r\n\r\nx\r\n")
        await wait_until_async(lambda: len(back.messages) == 1)
        for m in (mid, null, nomx):
            await wait_until_async(log_has(tmp_path, f"Message finished MID {m} done"))
    text = read_mail_logs(tmp_path)
    assert (
        f"MID {mid} to RID 0 - 5.1.0 - Unknown address error ('550', ['5.1.1 No such user'])"
        in text
    )
    assert f"Bounced: DCID 0 MID {nomx} to RID 0 - 5.1.2 - Bad destination host" in text
    assert [m.recipients for m in mx.messages] == [["ok@partner.test"]]
    assert len(back.messages) == 1  # one DSN for the first; none for the null-sender messages
    assert b"gone@partner.test" in back.messages[0].data


async def test_injection_after_starttls_is_ignored(
    ca: trustme.CA, dns: DnsServer, tmp_path: Path
) -> None:
    clock = FakeClock()
    inject = b"250-mx.fake\r\n250 AUTH PLAIN\r\n"
    behaviour = Behaviour(context=server_context(ca, "mx.partner.test"), inject=inject)
    async with FakeMX(behaviour, host=IP) as mx:
        config = outbound_config(ca, dns.port, TLSMode.REQUIRED)
        async with running_engine(tmp_path, config, outbound=options(mx.port, clock)) as engine:
            mid = await spool(engine, "a@sender.test", ["u@partner.test"], b"S: i\r\n\r\nx\r\n")
            await wait_until_async(log_has(tmp_path, f"Message finished MID {mid} done"))
    assert len(mx.messages) == 1 and mx.messages[0].tls
    after = mx.commands[mx.commands.index("STARTTLS") + 1:]
    assert after[0].startswith("EHLO ")  # EHLO again, over TLS, before anything else
    assert after[1].startswith("MAIL FROM:")


async def test_required_tls_failure_alerts_once_per_hour(
    ca: trustme.CA, dns: DnsServer, tmp_path: Path
) -> None:
    clock = FakeClock()
    async with FakeMX(Behaviour(starttls=False), host=IP) as mx, \
            FakeMX(Behaviour(), host=SENDER_IP, port=mx.port) as mailbox:
        config = outbound_config(ca, dns.port, TLSMode.REQUIRED)
        config = replace(
            config,
            destinations=replace(config.destinations, tls_failure_alert=True),
            alerts=Alerts(
                recipients=(
                    AlertRecipient("admin@sender.test", ("System",), ("Warning",)),
                    AlertRecipient("crit@sender.test", ("All",), ("Critical",)),
                )
            ),
        )
        async with running_engine(tmp_path, config, outbound=options(mx.port, clock)) as engine:
            mid = await spool(engine, "a@sender.test", ["u@partner.test"], b"S: a\r\n\r\nx\r\n")
            await wait_until_async(lambda: len(mailbox.messages) == 1)
            clock.t += 120  # retried and failed again within the hour: no second alert
            engine.queue.wake()  # type: ignore[union-attr]
            await wait_until_async(lambda: engine.queue.store.attempts(mid, 0) == 2)  # type: ignore[union-attr]
            await engine.queue.tick()  # type: ignore[union-attr]
            assert len(mailbox.messages) == 1
            clock.t += 3600
            engine.queue.wake()  # type: ignore[union-attr]
            await wait_until_async(lambda: len(mailbox.messages) == 2)
    alert = mailbox.messages[0]
    assert alert.recipients == ["admin@sender.test"]
    assert b"partner.test" in alert.data and b"STARTTLS command not supported" in alert.data
    assert b"Warning <System>" in alert.data


async def test_a_null_sender_is_received_and_relayed_as_null(
    ca: trustme.CA, dns: DnsServer, tmp_path: Path, secrets: Secrets, test_cert: Certificate,
) -> None:
    """`MAIL FROM:<>` (a bounce from elsewhere) goes out as `MAIL FROM:<>`, once."""
    relay = builders.listener(rat=(RatEntry(address="ALL", action=RatAction.ACCEPT),))
    config = replace(outbound_config(ca, dns.port), listeners=(relay,),
                     interfaces=builders.config().interfaces, certificates=(test_cert,))

    def send(port: int) -> None:  # a blocking client, off the engine's event loop
        with smtplib.SMTP("127.0.0.1", port, timeout=5) as client:
            client.sendmail("<>", ["u@partner.test"], b"Subject: bounce\r\n\r\nx\r\n")

    async with FakeMX(Behaviour(), host=IP) as mx, running_engine(
        tmp_path, config, outbound=options(mx.port, FakeClock())
    ) as engine:
        port = engine.bound_port("InboundMail")
        assert port is not None
        await asyncio.to_thread(send, port)
        await wait_until_async(lambda: len(mx.messages) == 1)
        await wait_until_async(log_has(tmp_path, "Message finished MID"))
    assert [(m.sender, m.recipients) for m in mx.messages] == [("", ["u@partner.test"])]
    log = read_mail_logs(tmp_path)
    assert "From: <>" in log and "ready" in log and "bytes from <>" in log
    assert log.count("Delivery start DCID") == 1


async def test_a_version_whose_outbound_half_cannot_be_built_is_not_applied(
    ca: trustme.CA, dns: DnsServer, tmp_path: Path,
) -> None:
    """All or nothing, as for a bad listener: the old version keeps delivering."""
    clock = FakeClock()
    config = outbound_config(ca, dns.port)
    broken = replace(config, hostname="other.test",
                     destinations=replace(config.destinations, client_certificate="Missing"))
    async with FakeMX(Behaviour(), host=IP) as mx, \
            running_engine(tmp_path, config, outbound=options(mx.port, clock)) as engine:
        engine.store.write(broken, 1, "admin", "test", "change")
        await wait_until_async(log_has(tmp_path, "Critical: Configuration version 2 not applied:"
                                           " outbound TLS: certificate Missing does not exist"))
        assert engine.runtime is not None and engine.runtime.version == 1
        mid = await spool(engine, "a@sender.test", ["u@partner.test"], b"Subject: v\r\n\r\nx\r\n")
        await wait_until_async(log_has(tmp_path, f"Message finished MID {mid} done"))
    assert len(mx.messages) == 1 and "EHLO gateway.test" in mx.commands


async def test_a_failing_delivery_is_deferred_with_backoff(
    ca: trustme.CA, dns: DnsServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A bug in one delivery must neither lose the mail nor retry it in a hot loop."""
    runs: list[str] = []

    async def broken_run(self: object, jobs: list[object]) -> None:
        runs.append("run")
        raise RuntimeError("bug")

    monkeypatch.setattr(manager_module.DomainDelivery, "run", broken_run)
    clock = FakeClock()
    async with running_engine(tmp_path, outbound_config(ca, dns.port),
                              outbound=options(25, clock)) as engine:
        mid = await spool(engine, "a@sender.test", ["u@partner.test"], b"Subject: b\r\n\r\nx\r\n")
        await wait_until_async(log_has(tmp_path, f"MID {mid} to RID 0 - 4.3.0 - Internal error"))
        store = engine.queue.store  # type: ignore[union-attr]
        assert store.attempts(mid, 0) == 1
        assert store.due(clock.now()) == []  # waits for its retry, not due again at once
        assert [r.mid for r in store.due(clock.now() + 60)] == [mid]
    assert runs == ["run"]
