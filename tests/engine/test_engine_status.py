"""status.json: what a real Engine publishes for the shell's `status` (engine/status.py)."""

from __future__ import annotations

import asyncio
import json
import os
import smtplib
from pathlib import Path
from typing import Any

from engine.queue.manager import QueueOptions
from engine.status import status_path
from state.model import Route, RouteHost, replace
from state.store import Store
from tests.engine.builders import config, listener
from tests.kit.engine import running_engine
from tests.kit.fakemx import Behaviour, FakeMX
from tests.kit.ports import held_port
from tests.kit.smtp import RawSmtp
from tests.kit.waiting import wait_until_async


def published(data_dir: Path) -> dict[str, Any]:
    path = status_path(data_dir)
    return json.loads(path.read_text()) if path.exists() else {}


def commit(store: Store, cfg: object) -> None:
    store.write(cfg, store.head_number(), "admin", "test", "change")  # type: ignore[arg-type]


async def test_listeners_running_and_failed_each_version_and_stopped(tmp_path: Path) -> None:
    with held_port() as busy:
        cfg = config(listener(), listener("Blocked", port=busy))
        # No periodic writes during the test: only start and each applied version publish.
        async with running_engine(tmp_path, cfg, status_interval=3600) as engine:
            port = engine.bound_port("InboundMail")
            doc = published(tmp_path)
            assert (doc["format"], doc["state"], doc["pid"]) == (1, "running", os.getpid())
            assert (doc["version"], doc["hostname"]) == (1, "mail.test")
            assert doc["updated"] >= doc["started"]
            assert doc["listeners"] == {
                "Blocked": {"address": f"127.0.0.1:{busy}", "state": "failed",
                            "reason": "Already in use"},
                "InboundMail": {"address": f"127.0.0.1:{port}", "state": "running",
                                "reason": ""},
            }
            commit(engine.store, replace(cfg, listeners=cfg.listeners[:1]))
            await wait_until_async(lambda: published(tmp_path).get("version") == 2)
            assert list(published(tmp_path)["listeners"]) == ["InboundMail"]
        doc = published(tmp_path)
        assert doc["state"] == "stopped"
        assert doc["listeners"]["InboundMail"]["state"] == "stopped"
        assert doc["gauges"]["inbound_connections"] == 0


def send(port: int | None, sender: str, recipients: list[str]) -> dict[str, tuple[int, bytes]]:
    """One message with smtplib (run it in a thread: the engine shares the test's loop)."""
    assert port is not None
    with smtplib.SMTP("127.0.0.1", port, timeout=5) as client:
        return client.sendmail(sender, recipients, b"Subject: status\r\n\r\ncount me\r\n")


async def test_counters_and_gauges_follow_real_mail(tmp_path: Path) -> None:
    behaviour = Behaviour(starttls=False, rcpt_reply={"bad@example.com": "550 5.1.1 No such user"})
    async with FakeMX(behaviour) as mx:
        route = Route(domain="example.com", hosts=(RouteHost(host="127.0.0.1", port=mx.port),))
        cfg = replace(config(), routes=(route,))
        options = QueueOptions(poll_interval=0.02)
        async with running_engine(tmp_path, cfg, outbound=options, status_interval=0.02) as engine:
            port = engine.bound_port("InboundMail")
            assert port is not None
            rcpts = ["good@example.com", "bad@example.com", "x@other.test"]
            refused = await asyncio.to_thread(send, port, "a@sender.test", rcpts)
            assert list(refused) == ["x@other.test"]  # the RAT accepts example.com only
            # The bounce for bad@ goes to sender.test, whose DNS (dead, on loopback) fails:
            # one deferral, and the DSN waits in the queue.
            await wait_until_async(
                lambda: published(tmp_path)["counters"]["soft_bounced_events"] == 1
            )
            doc = published(tmp_path)
            assert doc["counters"] == {
                "messages_received": 1, "recipients_received": 2,
                "rejected_recipients_rat": 1, "rejected_recipients_hat": 0,
                "rejected_recipients_rate_limit": 0, "rejected_recipients_limit": 0,
                "rejected_recipients_invalid": 0, "rejected_messages": 0,
                "rejected_connections": 0, "timed_out_connections": 0, "refused_commands": 0,
                "delivered_recipients": 1,
                "hard_bounced_recipients": 1, "deleted_recipients": 0, "soft_bounced_events": 1,
            }
            gauges = doc["gauges"]
            assert (gauges["active_recipients"], gauges["messages_in_queue"]) == (1, 1)
            assert doc["started"] <= gauges["oldest_message"] <= doc["updated"]
            assert [m.recipients for m in mx.messages] == [["good@example.com"]]
            client = await RawSmtp.connect(port)
            await wait_until_async(
                lambda: published(tmp_path)["gauges"]["inbound_connections"] == 1
            )
            await client.close()
            await wait_until_async(
                lambda: published(tmp_path)["gauges"]["inbound_connections"] == 0
            )


async def test_counters_start_from_zero_after_a_restart(tmp_path: Path) -> None:
    behaviour = Behaviour(starttls=False)
    async with FakeMX(behaviour) as mx:
        route = Route(domain="example.com", hosts=(RouteHost(host="127.0.0.1", port=mx.port),))
        cfg = replace(config(), routes=(route,))
        options = QueueOptions(poll_interval=0.02)
        async with running_engine(tmp_path, cfg, outbound=options, status_interval=0.02) as engine:
            await asyncio.to_thread(send, engine.bound_port("InboundMail"), "a@sender.test",
                                    ["u@example.com"])
            await wait_until_async(
                lambda: published(tmp_path)["counters"]["delivered_recipients"] == 1
            )
        async with running_engine(tmp_path, cfg, outbound=options, status_interval=0.02):
            counters = published(tmp_path)["counters"]
            assert counters["delivered_recipients"] == counters["messages_received"] == 0


async def test_a_listener_on_an_interface_this_machine_lacks_runs_disabled(tmp_path: Path) -> None:
    """In a cluster a listener set at Cluster level names an interface a machine may not
    have: that listener is disabled there (said in status and mail_logs), the others run."""
    cfg = config(listener(), listener("Elsewhere", interface="Dmz"))
    async with running_engine(tmp_path, cfg, status_interval=3600,
                              interfaces_optional=lambda: True) as engine:
        port = engine.bound_port("InboundMail")
        assert port and engine.runtime is not None and engine.runtime.version == 1
        listeners = published(tmp_path)["listeners"]
        assert listeners["Elsewhere"] == {"address": "", "state": "disabled",
                                          "reason": "no interface Dmz on this machine"}
        assert listeners["InboundMail"]["state"] == "running"
        client = await RawSmtp.connect(port)
        assert (await client.reply())[0] == 220
        await client.close()
    assert "Listener Elsewhere disabled: no interface Dmz on this machine" in (
        (tmp_path / "logs" / "mail_logs").read_text())
