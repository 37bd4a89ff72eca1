"""Nothing in the queue stops mail (issue 9, items 2 and 3), as found, against
`esacli run`: a poisoned message at the head of a domain's batch, stray files in the
spool. The bad message is put in the queue directly, as an older version left it:
the inbound side now refuses such addresses."""

from __future__ import annotations

import asyncio
import smtplib
from collections import Counter
from pathlib import Path

from engine.queue.admin import QueueAdmin
from tests.kit.appliance import Appliance
from tests.kit.fakemx import Behaviour, FakeMX
from tests.kit.queue import DOMAIN, Queued, body, legacy_queue, relay_appliance
from tests.kit.waiting import wait_until_async

FIRST = 600000


def statuses(app: Appliance) -> dict[int, str]:
    return {r.mid: r.status for r in QueueAdmin(app.data).recipients()}


async def test_a_nul_in_mail_from_bounces_that_message_and_the_forty_behind_it_go(
    tmp_path: Path,
) -> None:
    async with FakeMX(Behaviour(starttls=False)) as mx:
        app = relay_appliance(tmp_path / "data", mx.port, per_conn=50)
        bad = Queued(FIRST, "bad\0@sender.test", (f"u0@{DOMAIN}",), body(FIRST))
        good = [Queued(FIRST + i, "a@sender.test", (f"u{i}@{DOMAIN}",), body(FIRST + i))
                for i in range(1, 41)]
        legacy_queue(app.data, [bad, *good])  # the bad one oldest: first in the batch
        await asyncio.to_thread(app.start)
        try:
            await wait_until_async(lambda: len(mx.messages) >= 40, timeout=30)
            await wait_until_async(lambda: statuses(app).get(FIRST) == "bounced", timeout=10)
            logs = app.mail_logs()
        finally:
            await asyncio.to_thread(app.stop)
    counts = Counter(m.recipients[0] for m in mx.messages)
    assert counts == Counter({f"u{i}@{DOMAIN}": 1 for i in range(1, 41)})
    assert mx.connections == 1  # all forty on one connection, the bad one never sent
    assert not any("bad" in m.sender for m in mx.messages)
    assert (f"Bounced: DCID 0 MID {FIRST} to RID 0 - 5.1.7 - Bad sender address syntax"
            " ('000', ['address contains a control character'])") in logs
    assert "\0" not in logs
    assert set(statuses(app).values()) == {"delivered", "bounced"}
    assert not list((app.data / "spool").glob("*.msg"))  # all done: every file removed


def send(app: Appliance, n: int) -> None:
    with smtplib.SMTP("127.0.0.1", app.outbound, timeout=10) as client:
        content = f"Subject: new {n}\r\n\r\nhi\r\n".encode()
        client.sendmail("a@sender.test", [f"n{n}@{DOMAIN}"], content)


async def test_stray_spool_files_are_left_alone_reported_once_and_mail_flows(
    tmp_path: Path,
) -> None:
    async with FakeMX(Behaviour(starttls=False)) as mx:
        app = relay_appliance(tmp_path / "data", mx.port)
        spool = app.data / "spool"
        (spool / "incoming").mkdir(parents=True)
        strays = {
            spool / "².msg": b"not a MID", spool / "foo.tmp": b"", spool / "notes": b"x",
            spool / "\x1b[2J.msg": b"a terminal escape in the name",
            spool / "incoming" / "³.msg": b"x", spool / "incoming" / "foo.tmp": b"x",
            spool / "incoming" / "999999.msg": b"ESACLI-SPOOL 1 {torn",
        }
        for path, data in strays.items():
            path.write_bytes(data)
        (spool / "incoming" / "7.msg").mkdir()  # a directory by a message's name
        await asyncio.to_thread(app.start)
        try:
            await asyncio.to_thread(send, app, 1)
            await wait_until_async(lambda: len(mx.messages) == 1, timeout=15)
            late = spool / "incoming" / "\r.msg"
            late.write_bytes(b"dropped in while the queue runs")
            await wait_until_async(lambda: "'incoming/\\r.msg'" in app.system_logs(), timeout=10)
            for n in (2, 3):  # many polls later: still flowing, still reported only once
                await asyncio.to_thread(send, app, n)
                await wait_until_async(lambda n=n: len(mx.messages) == n, timeout=15)
        finally:
            await asyncio.to_thread(app.stop)
        text = app.system_logs()
    names = ["².msg", "foo.tmp", "notes", "\\x1b[2J.msg", "incoming/³.msg",
             "incoming/foo.tmp", "incoming/999999.msg", "incoming/7.msg", "incoming/\\r.msg"]
    for name in names:
        assert text.count(f"Spool file '{name}' ignored") == 1, (name, text)
    assert "incoming/999999.msg' ignored: damaged" in text
    assert "\x1b" not in text and "\r" not in text
    assert all(path.exists() for path in [*strays, late])  # never removed: the admin's call
    assert [m.recipients for m in mx.messages] == [[f"n{n}@{DOMAIN}"] for n in (1, 2, 3)]
