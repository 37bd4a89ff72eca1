"""Commits reaching the running engine, listener reconciliation, the spool on disk."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

import pytest

from engine.errors import RuntimeBuildError
from engine.runtime import build_runtime
from engine.service import Engine
from engine.spool import Spool
from state.model import Certificate, Config, TLSMode, replace
from state.secrets import Secrets
from state.store import Store
from tests.engine.builders import config, hat, listener
from tests.kit.engine import log_has, read_mail_logs, running_engine
from tests.kit.ports import held_port
from tests.kit.smtp import RawSmtp
from tests.kit.waiting import wait_until_async

MUST = "530 5.7.0 Must issue a STARTTLS command first"


def commit(store: Store, cfg: Config) -> int:
    return store.write(cfg, store.head_number(), "admin", "test", "change").number


def with_hat_tls(cfg: Config, mode: TLSMode) -> Config:
    return replace(cfg, listeners=(replace(cfg.listeners[0], hat=hat(mode)),))


async def greet(port: int) -> RawSmtp:
    client = await RawSmtp.connect(port)
    assert (await client.reply())[0] == 220
    return client


async def test_policy_swap_keeps_open_connections_on_their_version(
    tmp_path: Path, test_cert: Certificate
) -> None:
    cfg = config(listener(the_hat=hat(TLSMode.NO)), certificates=(test_cert,))
    # Polling off: the in-process subscription alone must deliver the commit,
    # made from another thread as the shell does.
    async with running_engine(tmp_path, cfg, poll_interval=3600) as engine:
        port = engine.bound_port("InboundMail")
        old = await greet(port)
        await asyncio.to_thread(commit, engine.store, with_hat_tls(cfg, TLSMode.REQUIRED))
        await wait_until_async(lambda: engine.runtime is not None and engine.runtime.version == 2)
        new = await greet(port)
        await new.cmd("EHLO c")
        assert await new.cmd("MAIL FROM:<a@b.test>") == (530, [MUST])
        _, ehlo = await old.cmd("EHLO c")
        assert not any("STARTTLS" in line for line in ehlo)
        assert (await old.cmd("MAIL FROM:<a@b.test>"))[0] == 250
        assert (await old.cmd("RCPT TO:<u@example.com>"))[0] == 250
        assert (await old.cmd("DATA"))[0] == 354
        assert (await old.cmd("Subject: x\r\n\r\nold policy\r\n."))[0] == 250
        for client in (old, new):
            await client.close()


async def test_commit_from_another_store_is_applied_within_a_second(tmp_path: Path) -> None:
    cfg = config()
    async with running_engine(tmp_path, cfg) as engine:
        other = Store(tmp_path)  # as another process on the same data dir would
        try:
            started = time.monotonic()
            commit(other, replace(cfg, listeners=(*cfg.listeners, listener("Second"))))
            await wait_until_async(lambda: engine.bound_port("Second") is not None, timeout=1.0)
            assert time.monotonic() - started < 1.0
        finally:
            other.close()
        client = await greet(engine.bound_port("Second"))
        await client.close()


async def test_port_in_use_is_logged_and_other_listeners_run(tmp_path: Path) -> None:
    with held_port() as busy:
        cfg = config(listener(), listener("Blocked", port=busy))
        async with running_engine(tmp_path, cfg) as engine:
            assert engine.failed_listeners == {"Blocked": "Already in use"}
            client = await greet(engine.bound_port("InboundMail"))
            await client.close()
        assert (
            f"Info: Listener Blocked cannot bind to 127.0.0.1:{busy}: Already in use"
            in read_mail_logs(tmp_path)
        )
        assert "SMTP listener InboundMail starting" in read_mail_logs(tmp_path)


async def test_removed_listener_stops_accepting_but_sessions_finish(tmp_path: Path) -> None:
    cfg = config(listener(), listener("Gone"))
    async with running_engine(tmp_path, cfg) as engine:
        gone_port = engine.bound_port("Gone")
        session = await greet(gone_port)
        commit(engine.store, replace(cfg, listeners=cfg.listeners[:1]))
        await wait_until_async(lambda: engine.bound_port("Gone") is None)
        with pytest.raises(OSError):
            await RawSmtp.connect(gone_port)
        await session.cmd("EHLO c")
        assert (await session.cmd("MAIL FROM:<a@b.test>"))[0] == 250
        await session.close()


async def test_bad_version_keeps_the_old_runtime(tmp_path: Path) -> None:
    cfg = config()
    async with running_engine(tmp_path, cfg) as engine:
        broken = replace(cfg, listeners=(replace(cfg.listeners[0], interface="Nowhere"),))
        commit(engine.store, broken)
        await wait_until_async(log_has(tmp_path, "Critical: Configuration version 2 not applied"))
        assert engine.runtime is not None and engine.runtime.version == 1
        client = await greet(engine.bound_port("InboundMail"))
        await client.close()


def test_runtime_build_reports_every_error(tmp_path: Path) -> None:
    cfg = config(
        listener("A", interface="Nowhere"),
        listener("B", the_hat=hat(TLSMode.PREFERRED), certificate="Missing"),
    )
    with pytest.raises(RuntimeBuildError) as caught:
        build_runtime(cfg, 7, Secrets(tmp_path))
    assert len(caught.value.errors) == 2
    assert "listener A: interface Nowhere" in caught.value.errors[0]
    assert "listener B: certificate Missing" in caught.value.errors[1]


def test_runtime_build_reports_the_outbound_half_with_the_listeners(tmp_path: Path) -> None:
    cfg = config(listener("A", interface="Nowhere"))
    cfg = replace(cfg, destinations=replace(cfg.destinations, client_certificate="Missing"))
    with pytest.raises(RuntimeBuildError) as caught:
        build_runtime(cfg, 7, Secrets(tmp_path))
    assert caught.value.errors == ["listener A: interface Nowhere does not exist",
                                   "outbound TLS: certificate Missing does not exist"]


async def test_spool_ignores_torn_files(tmp_path: Path) -> None:
    spool = Spool(tmp_path / "spool")
    path = await spool.store(7, 3, "InboundMail", "a@b.test", ["u@example.com"], b"body\r\n", 1.0)
    good = path.read_bytes()
    (tmp_path / "spool" / "8.msg").write_bytes(good[:-3])  # torn: end marker cut
    (tmp_path / "spool" / "9.msg").write_bytes(good.replace(b"body", b"bodY"))  # bad digest
    (tmp_path / "spool" / "10.msg.tmp").write_bytes(good)  # never renamed
    [message] = Spool(tmp_path / "spool").messages()
    assert (message.mid, message.icid, message.recipients) == (7, 3, ("u@example.com",))
    assert message.content() == b"body\r\n"
    assert not (tmp_path / "spool" / "10.msg.tmp").exists()  # cleaned at start


async def test_engine_stop_closes_open_connections(tmp_path: Path) -> None:
    async with Engine.from_config(tmp_path, config()) as engine:
        client = await greet(engine.bound_port("InboundMail"))
    assert await asyncio.wait_for(client.closed_by_peer(), 5)
    await client.close()
