"""Boot the appliance: data dir, admin password, engine, SSH server; or a local console."""

from __future__ import annotations

import asyncio
import codecs
import contextlib
import getpass
import logging
import os
import secrets as random
import signal
import sys
import threading
import time
from collections.abc import Awaitable, Callable, Mapping
from pathlib import Path

import asyncssh

from engine import collector
from engine.logfiles import LogHandler, quiet_libraries, rotation_for
from engine.service import Engine, Role
from esacli import cluster_run, confirm_timer, ssh, texts
from esacli.console import Console, LineConsole
from esacli.errors import BootError
from esacli.logins import Login, Logins
from esacli.shell import Shell, run_session
from esacli.supervisor import Supervisor, worker_count
from esacli.terminal import PromptToolkitConsole
from esacli.web.service import WebService
from state import bindings, files
from state.bootstrap import open_data_dir
from state.defaults import Address
from state.editing import EditSession
from state.secrets import Secrets
from state.session import Session
from state.store import Store
from state.users import Accounts

log = logging.getLogger("esacli")


def setup_logging(data_dir: Path) -> LogHandler:
    """Library and appliance diagnostics go to logs/system_logs, never to a user; it rolls
    over as logconfig says once the engine runs a version (`run`)."""
    files.private_dir(Path(data_dir) / "logs")
    handler = LogHandler(Path(data_dir) / "logs" / "system_logs")
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(logging.INFO)
    logging.getLogger("asyncssh").setLevel(logging.WARNING)
    quiet_libraries()
    return handler


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




def end_session(session: EditSession) -> None:
    """Drop a session's staged changes and the keys only they named; never raises."""
    try:
        session.close()
    except Exception:  # a locked store must not turn a logout into a fault
        log.exception("ending the session of %s", session.user)


async def open_shell(console: Console, store: Store, secrets: Secrets, user: str,
                     source: str, *, remote: bool = False, logins: Logins | None = None,
                     login: Login | None = None) -> Shell:
    """A shell for `user`: over a standalone Session, or on a cluster member over the
    modes of the cluster (starting in Cluster mode). `remote` (an SSH login): the user's
    role decides what the session may do; the local console is the machine's owner."""
    if not cluster_run.interfaces_optional(store):  # the data dir is not a member
        session = Session(store, secrets, user, source, enforce_role=remote)
        return Shell(console, session, logins=logins, login=login)
    from esacli.cluster_modes import Modes

    modes = await Modes.open(store, secrets, user, source, enforce_role=remote)
    return Shell(console, modes.session, cluster=modes, logins=logins, login=login)


def end_shell(shell: Shell) -> None:
    """The shell's session(s) end: staged changes go; never raises."""
    end_session(shell.session)
    if shell.ctx.cluster is not None:
        try:
            shell.ctx.cluster.close()
        except Exception:
            log.exception("ending the cluster modes of %s", shell.session.user)


def say(text: str) -> None:
    """A line on the appliance's console (its stdout)."""
    print(text, flush=True)


def first_boot_only(store: Store, addresses: Mapping[str, Address]) -> None:
    """--inbound/--outbound choose factory addresses; later boots say they did nothing."""
    current = {a.listener: a for a in bindings.addresses(store.load())}
    for name, (ip, port) in addresses.items():
        have = current.get(name)
        if have is None or (have.ip, have.port) != (ip, port):
            where = f"{have.ip}:{have.port}" if have else texts.listener.NO_LISTENERS
            option = f"--{name.removesuffix('Mail').lower()} {ip}:{port}"
            say(texts.boot.BOOT_FIRST_ONLY.format(option=option, listener=name, address=where))


def boot_report(engine: Engine) -> None:
    """What the engine runs: the version, and each listener's state (console and
    system_logs), so "running" is never printed for a listener that is not."""
    skipped, runtime = engine.not_applied, engine.runtime
    if skipped is not None and runtime is not None:
        say(texts.boot.BOOT_NOT_APPLIED.format(version=skipped.version, reason=skipped.reason,
                                          applied=runtime.version))
    elif skipped is not None:
        say(texts.boot.BOOT_NOTHING_APPLIED.format(version=skipped.version, reason=skipped.reason))
    failed = engine.failed_listeners  # (nothing is "stuck" at boot: no socket is old)
    for name, spec in sorted((runtime.listeners if runtime else {}).items()):
        ip, port = engine.bound_address(name) or (spec.ip, spec.port)
        if name in failed:
            state = texts.ops.STATUS_FAILED.format(reason=failed[name])
            log.error("Listener %s not running: %s", name, failed[name])
        else:
            state = texts.ops.STATUS_SUSPENDED if spec.suspended else texts.ops.STATUS_RUNNING
        say(texts.boot.BOOT_LISTENER.format(name=name, address=f"{ip}:{port}", state=state))


def _prepare(data_dir: Path, password: str | None,
             addresses: Mapping[str, Address] | None) -> tuple[Store, Secrets, LogHandler]:
    """The data dir opened (made on a first boot), logging set up, the admin password."""
    os.umask(files.UMASK)
    store, secrets = open_data_dir(data_dir, addresses)
    handler = setup_logging(data_dir)
    if addresses:
        first_boot_only(store, addresses)
    generated = ensure_password(secrets, password)
    if generated:
        print(f"Generated admin password (shown once): {generated}", flush=True)
    return store, secrets, handler


def _shell_runner(store: Store, secrets: Secrets,
                  logins: Logins) -> Callable[[Console, str, str, bool], Awaitable[int]]:
    async def run_shell(console: Console, user: str, address: str, terminal: bool) -> int:
        login = logins.start(user, address, "cli" if terminal else "batch")
        try:
            # a remote login: the user's role decides what the session may do (state.users)
            shell = await open_shell(console, store, secrets, user, "ssh", remote=True,
                                     logins=logins, login=login)
        except BaseException:
            logins.end(login)
            raise
        try:
            return await run_session(shell, user)
        finally:  # also when the connection drops mid-dialog (the task is cancelled)
            end_shell(shell)
            logins.end(login)
    return run_shell


async def _companions(data_dir: Path, store: Store, secrets: Secrets, engine: Engine,
                      web: Address | None) -> list[asyncio.Task[None]]:
    """What runs beside the engine: the web console, the commit-confirmed timer, the
    cluster follower."""
    console_web = WebService(data_dir, store, secrets, override=web, say=say)
    if engine.runtime is not None:  # its line on the console before "esacli running"
        await console_web.apply(engine.runtime.config)
    web_task = asyncio.create_task(
        console_web.follow(lambda: engine.runtime.config if engine.runtime else None))
    timer = asyncio.create_task(confirm_timer.run(store, secrets))
    follower = asyncio.create_task(cluster_run.supervise(store, secrets))
    return [timer, follower, web_task]


async def start_engine(data_dir: Path, store: Store, secrets: Secrets,
                       workers: int | None) -> tuple[Engine, Supervisor]:
    """The queue's engine in this process, then the SMTP workers (once they all run the
    version this process applied, the listeners' states are known for the boot report)."""
    engine = Engine(data_dir, store, secrets, role=Role.QUEUE,
                    interfaces_optional=lambda: cluster_run.interfaces_optional(store))
    await engine.start()
    supervisor = Supervisor(data_dir, engine.serial)
    runtime = engine.runtime
    await supervisor.start(worker_count(runtime.config if runtime else None, workers),
                           runtime.version if runtime else None)
    engine.versions.on_seen.append(supervisor.seen)
    engine.on_applied.append(
        lambda applied: supervisor.applied(applied, worker_count(applied.config, workers)))
    if not await supervisor.wait_ready(engine.runtime.version if engine.runtime else None):
        log.error("SMTP workers not all running the applied version after 30 s")
    return engine, supervisor


async def run(data_dir: Path, ssh_host: str, ssh_port: int, password: str | None,
              addresses: Mapping[str, Address] | None = None,
              web: Address | None = None, workers: int | None = None) -> None:
    store, secrets, handler = _prepare(data_dir, password, addresses)
    # An appliance restarted past a `commit confirmed` deadline rolls back before serving.
    confirm_timer.check_safely(store, secrets, time.time())
    engine, supervisor = await start_engine(data_dir, store, secrets, workers)
    handler.rotation = lambda: rotation_for(
        engine.runtime.config.logs if engine.runtime else (), "system_logs")
    boot_report(engine)
    tasks = await _companions(data_dir, store, secrets, engine, web)
    try:
        accounts = Accounts(secrets, store.load)
        server = await ssh.start_server(ssh_host, ssh_port, data_dir, accounts,
                                        _shell_runner(store, secrets, Logins.of(data_dir)))
    except OSError as exc:
        await _stop(tasks, engine, supervisor)
        raise BootError(f"cannot listen for SSH on {ssh_host}:{ssh_port}: {exc.strerror}") from None
    port = server.sockets[0].getsockname()[1]
    collector.settle()
    say(texts.boot.BOOT_RUNNING.format(host=ssh_host, port=port, data=data_dir))
    try:
        await _wait_for_signal()
    finally:
        await _stop(tasks, engine, supervisor, server)


async def _stop(tasks: list[asyncio.Task[None]], engine: Engine, supervisor: Supervisor,
                server: asyncssh.SSHAcceptor | None = None) -> None:
    for task in tasks:
        await _cancel(task)
    if server is not None:
        ssh.tell_every_session(texts.shell.SHUTTING_DOWN)
        server.close()
        await server.wait_closed()
    await supervisor.stop()  # first: nothing new is accepted while the queue stops
    await engine.stop()


async def _cancel(task: asyncio.Task[None]) -> None:
    task.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await task


async def console(data_dir: Path) -> int:
    """A shell on this process's terminal; with piped input, the batch shell (as
    `ssh -T`): commands are read to the end of the input. Returns the exit status."""
    os.umask(files.UMASK)
    store, secrets = open_data_dir(data_dir)
    setup_logging(data_dir)
    user = getpass.getuser()
    logins = Logins.of(data_dir)
    login = logins.start(user, "console", "console")
    try:
        return await _console_session(store, secrets, user, logins)
    finally:
        logins.end(login)


async def _console_session(store: Store, secrets: Secrets, user: str, logins: Logins) -> int:
    # Signals from elsewhere (kill -INT, a piped session's terminal) must not end or
    # stop the console and lose the session's pending changes.
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGQUIT, signal.SIGTSTP):
        loop.add_signal_handler(sig, lambda: None)
    if sys.stdin.isatty():
        terminal = PromptToolkitConsole()
        # Raw for the whole session, not only at prompts: keys typed while a command
        # runs wait for the next prompt (where Ctrl-C leaves the dialog) instead of
        # being signals, or flow control (Ctrl-S froze the screen).
        with terminal.input.raw_mode():
            return await _console_shell(terminal, store, secrets, user, logins)
    lines = LineConsole(_print)
    _read_stdin(lines)
    return await _console_shell(lines, store, secrets, user, logins)


async def _console_shell(console: Console, store: Store, secrets: Secrets, user: str,
                         logins: Logins) -> int:
    shell = await open_shell(console, store, secrets, user, "console", logins=logins)
    try:
        return await run_session(shell, user)
    finally:
        end_shell(shell)


def _print(text: str) -> None:
    sys.stdout.write(text)
    sys.stdout.flush()


def _read_stdin(lines: LineConsole) -> None:
    """Feed standard input to `lines` from a thread (a pipe or a plain file alike)."""
    loop = asyncio.get_running_loop()
    decoder = codecs.getincrementaldecoder("utf-8")(errors="replace")

    def pump() -> None:
        while chunk := os.read(sys.stdin.fileno(), 1 << 16):
            loop.call_soon_threadsafe(lines.feed, decoder.decode(chunk))
        loop.call_soon_threadsafe(lines.feed, decoder.decode(b"", final=True))
        loop.call_soon_threadsafe(lines.close)

    threading.Thread(target=pump, name="esacli-stdin", daemon=True).start()
