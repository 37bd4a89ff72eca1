"""What the administrator asks of the queue, carried out by a running engine
(engine/queue/requests.py): deleted recipients are dropped and their message finished,
bounced ones get a DSN, redirected ones go to the host given; suspenddel holds a
domain's delivery until resumed. The clock stands still: nothing is retried by itself."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path

import pytest
import trustme

from engine.queue.admin import QueueAdmin
from engine.queue.manager import QueueOptions
from engine.queue.store import BOUNCED, DROPPED, QUEUED
from state import operations
from state.model import DeliverySettings, replace
from tests.engine.outbound_kit import FakeClock, outbound_config
from tests.engine.test_queue_admin import attempts, spool
from tests.kit.dnsserver import DnsServer
from tests.kit.engine import log_has, running_engine
from tests.kit.fakemx import Behaviour, FakeMX
from tests.kit.waiting import wait_until_async

PARTNER_IP = "127.0.0.43"
OTHER_IP = "127.0.0.44"
TRY_LATER = "451 4.3.0 try later"


@pytest.fixture(scope="module")
def dns() -> Iterator[DnsServer]:
    with DnsServer(
        hosts={"mx.partner.test": PARTNER_IP, "relay.other.test": OTHER_IP},
        mx=[("partner.test", "mx.partner.test", 10)],
    ) as server:
        yield server


def status(admin: QueueAdmin, address: str) -> str:
    return next((r.status for r in admin.recipients() if r.address == address), "")


async def test_delete_bounce_redirect_and_suspended_delivery(
    ca: trustme.CA, dns: DnsServer, tmp_path: Path
) -> None:
    clock = FakeClock()
    partner = Behaviour(rcpt_reply={f"{u}@partner.test": TRY_LATER for u in "uvwxy"})
    config = replace(outbound_config(ca, dns.port), delivery=DeliverySettings(
        initial_retry_seconds=600, max_retry_seconds=600))
    async with (
        FakeMX(partner, host=PARTNER_IP) as mx,
        FakeMX(Behaviour(), host=OTHER_IP, port=mx.port) as relay,
        running_engine(tmp_path, config, outbound=QueueOptions(
            mx_port=mx.port, clock=clock, poll_interval=0.02)) as engine,
    ):
        admin = QueueAdmin(tmp_path, clock.now)
        mids = {u: await spool(engine, clock, [f"{u}@partner.test"]) for u in "uvw"}
        for u in "uvw":
            await wait_until_async(lambda u=u: attempts(admin, f"{u}@partner.test") == 1)

        assert admin.matching(domain="partner.test") == 3
        assert admin.matching(sender="A@Sender.test") == 3 and admin.matching(sender="b@x") == 0
        rows = admin.recipients()
        first = rows[0].mid
        deleted = admin.request("delete", domain="partner.test", sender=None)
        assert deleted == 3
        await wait_until_async(lambda: all(status(admin, f"{u}@partner.test") == DROPPED
                                           for u in "uvw"))
        await wait_until_async(log_has(tmp_path, f"Message finished MID {first} done"))
        logged = engine.maillog.path.read_text()
        assert f"MID {mids['u']} RID [0] deleted by administrator" in logged
        assert not list((tmp_path / "spool").glob(f"{mids['u']}.msg"))
        assert admin.matching() == 0

        bounced = await spool(engine, clock, ["x@partner.test"])
        await wait_until_async(lambda: attempts(admin, "x@partner.test") == 1)
        assert admin.request("bounce") == 1
        await wait_until_async(lambda: status(admin, "x@partner.test") == BOUNCED)
        await wait_until_async(log_has(tmp_path, f"Bounced: DCID 0 MID {bounced} to RID 0 - "
                                                 "5.3.0 - Bounced by administrator"))
        await wait_until_async(lambda: any(r.address == "a@sender.test"  # the DSN
                                           for r in admin.recipients()))

        # suspenddel partner.test: a new message stays queued, untried
        store = engine.store
        operations.apply_now(store, "op", "suspenddel",
                             operations.set_delivery(["partner.test"], True))
        await wait_until_async(lambda: engine.runtime is not None
                               and engine.runtime.version == store.head_number())
        tried = mx.connections
        held = await spool(engine, clock, ["y@partner.test"])
        await wait_until_async(lambda: status(admin, "y@partner.test") == QUEUED)
        for _ in range(5):
            await engine.queue.tick()  # type: ignore[union-attr]
        assert mx.connections == tried and attempts(admin, "y@partner.test") == 0

        assert admin.request("redirect", domain="partner.test", target="relay.other.test") == 1
        operations.apply_now(store, "op", "resumedel", operations.set_delivery(None, False))
        operations.apply_now(store, "op", "resumedel",
                             operations.set_delivery(["partner.test"], False))
        await wait_until_async(lambda: [m.recipients for m in relay.messages]
                               == [["y@partner.test"]], timeout=15)
        assert f"MID {held} RID [0] redirected to relay.other.test" in (
            await asyncio.to_thread(engine.maillog.path.read_text))


async def test_a_delivery_run_starts_no_message_asked_of(
    ca: trustme.CA, dns: DnsServer, tmp_path: Path
) -> None:
    """deleterecipients while the domain's delivery holds five messages (the first in the
    remote's DATA): the four not started are deleted, not sent after it, and no
    connection is opened for them; only the one already in the remote's hands may go out."""
    clock = FakeClock()
    # one message a connection: the next would be on a new one
    config = outbound_config(ca, dns.port, max_concurrency=1, max_msgs_per_connection=1)
    async with (
        FakeMX(Behaviour(), host=PARTNER_IP) as mx,
        running_engine(tmp_path, config, outbound=QueueOptions(
            mx_port=mx.port, clock=clock, poll_interval=0.02)) as engine,
    ):
        admin, store = QueueAdmin(tmp_path, clock.now), engine.store
        operations.apply_now(store, "op", "suspenddel",
                             operations.set_delivery(["partner.test"], True))
        await wait_until_async(lambda: engine.runtime is not None
                               and engine.runtime.version == store.head_number())
        for n in range(5):
            await spool(engine, clock, [f"u{n}@partner.test"])
        await wait_until_async(lambda: admin.matching(domain="partner.test") == 5)
        mx.release.clear()  # the remote holds its reply to the first DATA
        operations.apply_now(store, "op", "resumedel",
                             operations.set_delivery(["partner.test"], False))
        await wait_until_async(lambda: mx.in_data == 1)
        assert admin.request("delete", domain="partner.test") == 5
        mx.release.set()
        await wait_until_async(lambda: sum(status(admin, f"u{n}@partner.test") == DROPPED
                                           for n in range(5)) == 4)
        assert len(mx.messages) == 1
        assert mx.connections == 1  # none opened for the four it no longer sends
