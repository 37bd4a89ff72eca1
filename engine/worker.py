"""An SMTP worker process: `python -m engine.worker --data DIR --index N [--serial S]`.

The appliance (esacli/supervisor.py) starts one per core. Each binds every listener
with SO_REUSEPORT, follows the store itself (engine/versions.py) and hands each
accepted message over through spool/incoming/ to the one process that owns the queue.
It does not poll the store: its supervisor, which does, wakes it. Its standard input is
a pipe from the supervisor: `prepare N` builds version N and stages it (answered
`ready N` or `failed N` on standard output), `swap N` reconciles the listeners with it,
`ping N` is answered `pong N` by the event loop (the supervisor's liveness check); in
between, the supervisor's one write to run/active makes every worker serve N from the
same instant (engine/activation.py). The end of that input (the supervisor is gone, even
by kill -9) stops the worker; so does SIGTERM: the listeners close, open connections
end.

The event loop is uvloop's when it is installed (ESACLI_LOOP=asyncio to turn it off):
its sockets, timers and TLS layer are compiled, which speeds every SMTP command and
STARTTLS (engine/inbound/starttls.py; engine/tls.AlertingSSLObject sends the TLS alert of
a refused handshake, which uvloop's own layer would drop), see bench/README.md.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
import os
import signal
import sys
import threading
from collections.abc import Callable, Coroutine
from pathlib import Path
from typing import Any

from engine import collector, logfiles
from engine.service import Engine, Role
from state import files
from state.cluster import local
from state.secrets import Secrets
from state.store import Store

log = logging.getLogger("engine.worker")


def _read_commands(loop: asyncio.AbstractEventLoop, lines: asyncio.Queue[str | None]) -> None:
    """The supervisor's pipe, read on a thread (None once it ends)."""
    def pump() -> None:
        for line in sys.stdin:
            loop.call_soon_threadsafe(lines.put_nowait, line.strip())
        loop.call_soon_threadsafe(lines.put_nowait, None)

    threading.Thread(target=pump, name="supervisor-pipe", daemon=True).start()


async def serve(data_dir: Path, index: int, serial: str | None) -> None:
    os.umask(files.UMASK)
    store, secrets = Store(data_dir), Secrets(data_dir)
    engine = Engine(data_dir, store, secrets, serial=serial, role=Role.SMTP, worker=index,
                    interfaces_optional=lambda: local.is_clustered(data_dir))
    loop = asyncio.get_running_loop()
    lines: asyncio.Queue[str | None] = asyncio.Queue()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, lines.put_nowait, None)
    await engine.start()
    collector.settle()
    _read_commands(loop, lines)
    pending: set[asyncio.Task[None]] = set()
    try:
        while (line := await lines.get()) is not None:
            command, _, number = line.partition(" ")
            if not number.isdigit():
                continue
            if command == "ping":  # answered from the event loop: a stuck one cannot
                sys.stdout.write(f"pong {number}\n")
                sys.stdout.flush()
            elif command == "prepare":
                task = asyncio.create_task(_prepare(engine, int(number)))
                pending.add(task)
                task.add_done_callback(pending.discard)
            elif command == "swap":
                await engine.versions.swap(int(number))
    finally:
        await engine.stop()
        store.close()


async def _prepare(engine: Engine, number: int) -> None:
    ready = await engine.prepare(number)
    sys.stdout.write(f"{'ready' if ready else 'failed'} {number}\n")
    sys.stdout.flush()
    if ready and engine.active is not None and engine.active.read() >= number:
        # slower than the supervisor waited: its `swap` came first and found nothing
        await engine.versions.swap(number)


def setup_logging(data_dir: Path, index: int) -> None:
    """system_logs, shared with the appliance's process (appended line by line)."""
    handler = logging.FileHandler(files.private_file(Path(data_dir) / "logs" / "system_logs"))
    handler.setFormatter(logging.Formatter(
        f"%(asctime)s %(levelname)s %(name)s[worker {index}]: %(message)s"))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(logging.INFO)
    logfiles.quiet_libraries()


def runner() -> Callable[[Coroutine[Any, Any, None]], None]:
    if os.environ.get("ESACLI_LOOP", "uvloop") != "asyncio":
        with contextlib.suppress(ImportError):
            import uvloop

            return uvloop.run  # type: ignore[no-any-return]
    return asyncio.run


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="engine.worker")
    p.add_argument("--data", type=Path, required=True)
    p.add_argument("--index", type=int, default=0)
    p.add_argument("--serial")
    args = p.parse_args(argv)
    setup_logging(args.data, args.index)
    try:
        runner()(serve(args.data, args.index, args.serial))
    except Exception:  # a bug: said in system_logs; the supervisor starts another
        log.exception("SMTP worker %d stopped", args.index)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
