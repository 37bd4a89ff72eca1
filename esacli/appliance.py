"""Boot the appliance: data dir, admin password, engine, SSH server; or a local console."""

from __future__ import annotations

import asyncio
import contextlib
import getpass
import logging
import os
import secrets as random
import signal
import time
from collections.abc import Mapping
from pathlib import Path

from engine.service import Engine
from esacli import cluster_run, confirm_timer, ssh, texts
from esacli.console import Console, PromptToolkitConsole
from esacli.shell import Shell
from esacli.web.service import WebService
from state import bindings, files
from state.bootstrap import open_data_dir
from state.defaults import Address
from state.secrets import Secrets
from state.session import Session
from state.store import Store

log = logging.getLogger("esacli")


class BootError(Exception):
    """The appliance cannot start; the message says why."""


def setup_logging(data_dir: Path) -> None:
    """Library and appliance diagnostics go to logs/system_logs, never to a user."""
    handler = logging.FileHandler(files.private_file(Path(data_dir) / "logs" / "system_logs"))
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(logging.INFO)
    logging.getLogger("asyncssh").setLevel(logging.WARNING)


def ensure_password(secrets: Secrets, password: str | None) -> str | None:
    """Set the given password; on first boot without one, make one. Returns a new one."""
    if password:
        secrets.set_password(password)
        return None
    if secrets.has_password():
        return None
    generated = random.token_urlsafe(12)
    secrets.set_password(generated)
    return generated


async def _wait_for_signal() -> None:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    await stop.wait()




def end_session(session: Session) -> None:
    """Drop a session's staged changes and the keys only they named; never raises."""
    try:
        session.close()
    except Exception:  # a locked store must not turn a logout into a fault
        log.exception("ending the session of %s", session.user)


def say(text: str) -> None:
    """A line on the appliance's console (its stdout)."""
    print(text, flush=True)


def first_boot_only(store: Store, addresses: Mapping[str, Address]) -> None:
    """--inbound/--outbound choose factory addresses; later boots say they did nothing."""
    current = {a.listener: a for a in bindings.addresses(store.load())}
    for name, (ip, port) in addresses.items():
        have = current.get(name)
        if have is None or (have.ip, have.port) != (ip, port):
            where = f"{have.ip}:{have.port}" if have else texts.NO_LISTENERS
            option = f"--{name.removesuffix('Mail').lower()} {ip}:{port}"
            say(texts.BOOT_FIRST_ONLY.format(option=option, listener=name, address=where))


def boot_report(engine: Engine) -> None:
    """What the engine runs: the version, and each listener's state (console and
    system_logs), so "running" is never printed for a listener that is not."""
    skipped, runtime = engine.not_applied, engine.runtime
    if skipped is not None and runtime is not None:
        say(texts.BOOT_NOT_APPLIED.format(version=skipped.version, reason=skipped.reason,
                                          applied=runtime.version))
    elif skipped is not None:
        say(texts.BOOT_NOTHING_APPLIED.format(version=skipped.version, reason=skipped.reason))
    failed = engine.failed_listeners  # (nothing is "stuck" at boot: no socket is old)
    for name, spec in sorted((runtime.listeners if runtime else {}).items()):
        ip, port = engine.bound_address(name) or (spec.ip, spec.port)
        if name in failed:
            state = texts.STATUS_FAILED.format(reason=failed[name])
            log.error("Listener %s not running: %s", name, failed[name])
        else:
            state = texts.STATUS_RUNNING
        say(texts.BOOT_LISTENER.format(name=name, address=f"{ip}:{port}", state=state))


async def run(data_dir: Path, ssh_host: str, ssh_port: int, password: str | None,
              addresses: Mapping[str, Address] | None = None,
              web: Address | None = None) -> None:
    os.umask(files.UMASK)
    store, secrets = open_data_dir(data_dir, addresses)
    setup_logging(data_dir)
    if addresses:
        first_boot_only(store, addresses)
    generated = ensure_password(secrets, password)
    if generated:
        print(f"Generated admin password (shown once): {generated}", flush=True)

    async def run_shell(console: Console, user: str) -> None:
        session = Session(store, secrets, user, "ssh")
        try:
            await Shell(console, session).run()
        finally:  # also when the connection drops mid-dialog (the task is cancelled)
            end_session(session)

    # An appliance restarted past a `commit confirmed` deadline rolls back before serving.
    confirm_timer.check_safely(store, secrets, time.time())
    engine = Engine(data_dir, store, secrets,
                    interfaces_optional=lambda: cluster_run.interfaces_optional(store))
    await engine.start()
    boot_report(engine)
    console_web = WebService(data_dir, store, secrets, override=web, say=say)
    if engine.runtime is not None:  # its line on the console before "esacli running"
        await console_web.apply(engine.runtime.config)
    web_task = asyncio.create_task(
        console_web.follow(lambda: engine.runtime.config if engine.runtime else None))
    timer = asyncio.create_task(confirm_timer.run(store, secrets))
    follower = asyncio.create_task(cluster_run.supervise(store, secrets))
    try:
        server = await ssh.start_server(ssh_host, ssh_port, data_dir, secrets, run_shell)
    except OSError as exc:
        timer.cancel()
        await _cancel(follower)
        await _cancel(web_task)
        await engine.stop()
        raise BootError(f"cannot listen for SSH on {ssh_host}:{ssh_port}: {exc.strerror}") from None
    port = server.sockets[0].getsockname()[1]
    say(texts.BOOT_RUNNING.format(host=ssh_host, port=port, data=data_dir))
    try:
        await _wait_for_signal()
    finally:
        timer.cancel()
        await _cancel(follower)
        await _cancel(web_task)
        server.close()
        await server.wait_closed()
        await engine.stop()


async def _cancel(task: asyncio.Task[None]) -> None:
    task.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await task


async def console(data_dir: Path) -> None:
    os.umask(files.UMASK)
    store, secrets = open_data_dir(data_dir)
    session = Session(store, secrets, getpass.getuser(), "console")
    try:
        await Shell(PromptToolkitConsole(), session).run()
    finally:
        end_session(session)
