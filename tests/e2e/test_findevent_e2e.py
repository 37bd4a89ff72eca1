"""`findevent` over OpenSSH against `esacli run`, for what a delivery makes of a message:
a connection refused before any `Delivery start` brings its DCID's lines (those saying
why), and the bounce the appliance generates is tied to the bounced message (`MID b was
generated for bounce of MID m`), found by its recipient, the original sender."""

from __future__ import annotations

import asyncio
import re
import smtplib
from pathlib import Path

from engine.queue.admin import QueueAdmin
from state import model
from tests.kit.appliance import Appliance, prepared
from tests.kit.fakemx import Behaviour, FakeMX
from tests.kit.ports import reserve
from tests.kit.ssh import no_traceback, ssh_exec
from tests.kit.waiting import wait_until

CLOSED, PARTNER = "closed.example", "partner.example"
SENDER, REFUSED = "alice@gateway.example", f"nobody@{PARTNER}"
RETRY = 3600  # one attempt each within the test


def prepare(tmp_path: Path, mx_port: int, closed_port: int) -> Appliance:
    def routed(config: model.Config) -> model.Config:
        routes = (model.Route(domain=CLOSED, hosts=(model.RouteHost("127.0.0.1", closed_port),)),
                  model.Route(domain=PARTNER, hosts=(model.RouteHost("127.0.0.1", mx_port),)))
        return model.replace(config, routes=routes, delivery=model.DeliverySettings(
            initial_retry_seconds=RETRY, max_retry_seconds=RETRY))

    return prepared(tmp_path, routed)


def send(app: Appliance, recipient: str) -> None:
    with smtplib.SMTP("127.0.0.1", app.outbound, timeout=10) as client:
        client.sendmail(SENDER, [recipient], b"Subject: findevent\r\n\r\nhi\r\n")


def mid_of(app: Appliance, address: str) -> int:
    return next(r.mid for r in QueueAdmin(app.data).recipients() if r.address == address)


def findevent(app: Appliance, args: str) -> list[str]:
    found = ssh_exec(app, f"findevent {args} mail_logs")
    assert found.returncode == 0, found.stdout + found.stderr
    no_traceback(found.stdout, "findevent")
    return found.stdout.strip("\n").split("\n")


async def test_findevent_follows_failed_connections_and_generated_bounces(
        tmp_path: Path) -> None:
    closed_port = reserve()
    behaviour = Behaviour(starttls=False, rcpt_reply={REFUSED: "550 5.1.1 No such user"})
    async with FakeMX(behaviour) as mx:
        app = prepare(tmp_path, mx.port, closed_port)
        await asyncio.to_thread(app.start)
        try:
            await asyncio.to_thread(check, app, closed_port)
        finally:
            await asyncio.to_thread(app.stop)


def check(app: Appliance, closed_port: int) -> None:
    send(app, f"u@{CLOSED}")
    send(app, REFUSED)
    admin = QueueAdmin(app.data)

    def settled() -> bool:  # the deferral, the bounce, and the bounce's own deferral
        tried = [r for r in admin.recipients() if r.attempts or r.status != "queued"]
        return len(tried) >= 3

    wait_until(settled, 20, "the deferral, the bounce and its DSN's deferral")
    deferred = findevent(app, f"-m {mid_of(app, f'u@{CLOSED}')}")
    failed = [line for line in deferred if f"port {closed_port} failed: Connection refused" in line]
    assert len(failed) == 1 and re.search(r" DCID \d+ connection to ", failed[0]), deferred

    bounced = mid_of(app, REFUSED)
    dsn = mid_of(app, SENDER)
    generated = f"Info: MID {dsn} was generated for bounce of MID {bounced}"
    assert any(line.endswith(generated) for line in findevent(app, f"-m {bounced}"))
    by_recipient = findevent(app, f"-t ^<{SENDER}>$")
    assert [line.split("Info: ", 1)[1] for line in by_recipient[:3]] == [
        generated.removeprefix("Info: "), f"MID {dsn} ICID 0 From: <>",
        f"MID {dsn} ICID 0 RID 0 To: <{SENDER}>"]
    assert f"MID {dsn} queued for delivery" in by_recipient[3]
