"""Listener reconciliation when addresses change, and the boot that skips a bad version."""

from __future__ import annotations

from pathlib import Path

from engine.service import Engine
from state.model import Config, Interface, replace
from state.secrets import Secrets
from state.store import Store
from tests.engine.builders import config, listener
from tests.engine.test_engine_lifecycle import commit, greet
from tests.kit.engine import log_has, read_mail_logs, running_engine
from tests.kit.ports import held_port, reserve
from tests.kit.waiting import wait_until_async


def moved(cfg: Config, **fields: object) -> Config:
    return replace(cfg, listeners=(replace(cfg.listeners[0], **fields),))


async def accepts(port: int) -> bool:
    try:
        client = await greet(port)
    except OSError:
        return False
    await client.close()
    return True


async def test_a_renamed_listener_keeps_its_socket_and_connections(tmp_path: Path) -> None:
    cfg = config(listener(port=reserve()))
    async with running_engine(tmp_path, cfg) as engine:
        port = engine.bound_port("InboundMail")
        open_session = await greet(port)
        commit(engine.store, moved(cfg, name="Renamed"))
        await wait_until_async(lambda: engine.bound_port("Renamed") == port)
        assert engine.bound_port("InboundMail") is None
        assert await accepts(port)
        await open_session.cmd("EHLO c")
        assert (await open_session.cmd("MAIL FROM:<a@b.test>"))[0] == 250
        await open_session.close()
    assert "SMTP listener Renamed starting" not in read_mail_logs(tmp_path)  # never rebound


async def test_a_listener_that_cannot_move_keeps_serving_on_its_old_socket(
        tmp_path: Path) -> None:
    cfg = config(listener(port=reserve()))
    async with running_engine(tmp_path, cfg) as engine:
        old = engine.bound_port("InboundMail")
        with held_port() as busy:
            commit(engine.store, moved(cfg, port=busy, max_connections=7))
            await wait_until_async(lambda: "InboundMail" in engine.stuck_listeners)
            assert engine.stuck_listeners == {"InboundMail": f"127.0.0.1:{busy}: Already in use"}
            assert engine.bound_address("InboundMail") == ("127.0.0.1", old)
            assert engine.failed_listeners == {}
            assert await accepts(old)  # and under the new version's settings
            running = engine._listeners.running["InboundMail"]  # type: ignore[union-attr]
            assert running.current()[1].max_connections == 7
            assert running.current()[0].version == 2
        await wait_until_async(log_has(tmp_path, f"cannot bind to 127.0.0.1:{busy}: Already in use;"
                                           f" still listening on 127.0.0.1:{old}"))
        target = reserve()
        commit(engine.store, moved(cfg, port=target))  # the next version tries again
        await wait_until_async(lambda: engine.bound_port("InboundMail") == target)
        assert engine.stuck_listeners == {}
        assert not await accepts(old)


async def test_moving_to_the_wildcard_on_the_same_port_hands_the_port_over(
        tmp_path: Path) -> None:
    port = reserve()
    cfg = config(listener(port=port))
    everywhere = replace(
        cfg, interfaces=(*cfg.interfaces, Interface("All", "0.0.0.0", "mail.test"))
    )
    async with running_engine(tmp_path, cfg) as engine:
        commit(engine.store, moved(everywhere, interface="All"))
        await wait_until_async(lambda: engine.bound_address("InboundMail") == ("0.0.0.0", port))
        assert engine.stuck_listeners == {}
        assert await accepts(port)


async def test_boot_runs_the_newest_version_that_can_be_applied(tmp_path: Path) -> None:
    store = Store(tmp_path)
    good = config(listener(port=reserve()))
    store.write(good, None, "admin", "test", "good")
    commit(store, moved(good, tcp_queue=10**20))  # as an older release could commit it
    commit(store, moved(good, interface="Nowhere"))
    engine = Engine(tmp_path, store, Secrets(tmp_path))
    await engine.start()
    try:
        assert engine.runtime is not None and engine.runtime.version == 1
        assert engine.not_applied is not None and engine.not_applied.version == 3
        assert "interface Nowhere does not exist" in engine.not_applied.reason
        logs = read_mail_logs(tmp_path)
        assert "Critical: Configuration version 3 not applied" in logs
        assert "Critical: Configuration version 2 not applied: listener InboundMail: tcp_queue" \
               " 100000000000000000000: The value must be an integer from 1 to 65535." in logs
        assert await accepts(engine.bound_port("InboundMail") or 0)
        commit(store, moved(good, max_connections=9))
        await wait_until_async(lambda: engine.runtime is not None and engine.runtime.version == 4)
        assert engine.not_applied is None
    finally:
        await engine.stop()
        store.close()


async def test_a_boot_with_no_applicable_version_still_starts(tmp_path: Path) -> None:
    store = Store(tmp_path)
    store.write(moved(config(listener()), interface="Nowhere"), None, "admin", "test", "bad")
    engine = Engine(tmp_path, store, Secrets(tmp_path))
    await engine.start()
    try:
        assert engine.runtime is None and engine.running_listeners == []
        assert engine.not_applied is not None and engine.not_applied.version == 1
    finally:
        await engine.stop()
        store.close()
