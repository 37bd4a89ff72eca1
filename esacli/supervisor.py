"""The SMTP worker processes of a running appliance (DESIGN.md: every core serves SMTP).

The appliance's own process holds the shell, the SSH server and the queue; it starts N
workers (`python -m engine.worker`, engine/worker.py), each serving every listener on
the same sockets (SO_REUSEPORT). A worker that dies (a bug, kill -9) is started again,
at once the first time and after a growing pause (up to MAX_BACKOFF s) if it keeps
dying young. Workers do not poll the store: each version this process applies (its
own follower polls, and hears its own sessions' commits at once) is passed on in two
steps, so that all workers switch at one instant (engine/activation.py): `prepare N`
to each (they build it, while this process builds it too), then, once all answered, N
written to run/active, then `swap N`. N follows the committed
`listener_setup.smtp_workers` (0: one per core) unless `esacli run --workers` says.
Workers are stopped by their pid only.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import signal
import sys
import time
from pathlib import Path

from engine import activation, workerstatus
from engine.runtime import RuntimeConfig
from state.model import Config

log = logging.getLogger("esacli.supervisor")
MAX_BACKOFF = 10.0
YOUNG = 5.0  # a worker that dies sooner than this after its start is restarted later
STOP_TIMEOUT = 10.0
PREPARE_TIMEOUT = 20.0  # a worker that has not built a version by then is not waited for
PING_EVERY = 2.0  # seconds between liveness questions to each worker
# A worker whose event loop has not answered for this long is stuck (it keeps its share of
# the listeners' new connections, answering none): it is killed and started again.
# ESACLI_WORKER_HANG sets it (the tests shorten it).
def _hang_after(default: float = 30.0) -> float:
    try:
        given = float(os.environ.get("ESACLI_WORKER_HANG", default))
    except ValueError:  # a typo in the environment must not stop the appliance
        return default
    return given if given > 0 else default


HANG_AFTER = _hang_after()
STARTING = 60.0  # a new worker reads its pipe once its engine started: it may take longer


def worker_count(config: Config | None, override: int | None) -> int:
    """How many SMTP workers: the flag, else the configuration; 0 means one per core."""
    wanted = override if override is not None else (
        config.listener_setup.smtp_workers if config is not None else 0)
    return wanted or len(os.sched_getaffinity(0)) or 1


class Worker:
    def __init__(self, index: int) -> None:
        self.index = index
        self.proc: asyncio.subprocess.Process | None = None
        self.started = 0.0
        self.failures = 0  # deaths in a row, each young
        self.answers: dict[int, asyncio.Future[bool]] = {}  # version -> prepared?
        self.reader: asyncio.Task[None] | None = None
        self.answered = 0.0  # when its event loop last answered (or it started)
        self.started_up = False  # it has answered since its start

    def send(self, line: str) -> None:
        proc = self.proc
        if proc is not None and proc.stdin is not None and proc.returncode is None:
            with contextlib.suppress(OSError, RuntimeError):
                proc.stdin.write(line.encode())

    async def read_answers(self) -> None:
        assert self.proc is not None and self.proc.stdout is not None
        while line := await self.proc.stdout.readline():
            word, _, number = line.decode(errors="replace").strip().partition(" ")
            self.answered, self.started_up = time.monotonic(), True  # any line: its loop runs
            future = self.answers.get(int(number)) if number.isdigit() else None
            if future is not None and not future.done():
                future.set_result(word == "ready")
        for future in self.answers.values():  # it is gone: nobody waits for it
            if not future.done():
                future.set_result(False)

    @property
    def pid(self) -> int | None:
        return self.proc.pid if self.proc is not None else None


class Supervisor:
    def __init__(self, data_dir: Path, serial: str | None = None) -> None:
        self.data_dir = Path(data_dir)
        self.serial = serial
        self.workers: dict[int, Worker] = {}
        self.files = workerstatus.WorkerFiles(self.data_dir, cache=0.0)
        self.restarts = 0
        self._stopping = False
        self._watcher: asyncio.Task[None] | None = None
        self.active = activation.ActiveVersion(activation.path_in(self.data_dir))
        self._propagating = asyncio.Lock()
        self._tasks: set[asyncio.Future[None]] = set()

    async def start(self, count: int, version: int | None) -> None:
        self.active.write(version or 0)
        self.files.clear()
        await self.resize(count)
        self._watcher = asyncio.create_task(self._watch())

    def applied(self, runtime: RuntimeConfig, count: int) -> None:
        """This process applied a version: the workers follow (and their number)."""
        task = asyncio.ensure_future(self._follow(runtime.version, count))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _follow(self, version: int, count: int) -> None:
        if count != len(self.workers):
            await self.resize(count)
        await self.propagate(version)

    def seen(self, version: int) -> None:
        """This process found a new version and builds it: the workers build it meanwhile
        (nobody serves it before `propagate`), so a commit waits for one build, not two."""
        if version > self.active.read():
            self._prepare(self._live(), version)

    def _live(self) -> list[Worker]:
        return [w for w in self.workers.values()
                if w.proc is not None and w.proc.returncode is None]

    def _prepare(self, workers: list[Worker], version: int) -> None:
        loop = asyncio.get_running_loop()
        for worker in workers:
            if version not in worker.answers:  # asked already (`seen`): not twice
                worker.answers = {version: loop.create_future()}
                worker.send(f"prepare {version}\n")

    async def propagate(self, version: int) -> None:
        async with self._propagating:
            if version <= self.active.read():
                return
            live = self._live()
            self._prepare(live, version)
            answers = [w.answers[version] for w in live]
            if answers:
                await asyncio.wait(answers, timeout=PREPARE_TIMEOUT)
            for worker in live:
                answer = worker.answers.get(version)
                if answer is None or not answer.done() or not answer.result():
                    log.error("SMTP worker %d could not prepare version %d", worker.index, version)
            self.active.write(version)  # from now on every worker serves it
            for worker in self.workers.values():
                worker.send(f"swap {version}\n")

    async def resize(self, count: int) -> None:
        """Start or stop workers until `count` run (a stopped one finishes its connections)."""
        for index in range(count):
            if index not in self.workers:
                self.workers[index] = Worker(index)
                await self._spawn(self.workers[index])
        surplus = [w for i, w in self.workers.items() if i >= count]
        for worker in surplus:
            del self.workers[worker.index]
        await asyncio.gather(*(self._end(w) for w in surplus))

    async def _spawn(self, worker: Worker) -> None:
        command = [sys.executable, "-m", "engine.worker", "--data", str(self.data_dir),
                   "--index", str(worker.index)]
        if self.serial:
            command += ["--serial", self.serial]
        # A session of its own: a Ctrl-C on the appliance's terminal is the appliance's
        # to handle, which stops the workers in order.
        worker.proc = await asyncio.create_subprocess_exec(
            *command, stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE,
            start_new_session=True)
        worker.started = worker.answered = time.monotonic()
        worker.started_up = False
        worker.reader = asyncio.create_task(worker.read_answers())

    async def wait_ready(self, version: int | None, timeout: float = 30.0) -> bool:
        """Until every worker runs `version` (or a newer one); False at the timeout."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            summary = self.files.summary()
            running = {i: summary.versions.get(i) for i in self.workers}
            if all(v is not None and (version is None or v >= version) for v in running.values()):
                return True
            await asyncio.sleep(0.05)  # polling for a condition, with a deadline
        return False

    async def _watch(self) -> None:
        pinged = time.monotonic()
        while not self._stopping:
            if (now := time.monotonic()) - pinged >= PING_EVERY:
                # this process itself held up (its loop busy, stopped, the VM paused): the
                # workers' answers wait unread in their pipes, no worker is to blame
                self._check_alive(late=now - pinged > 3 * PING_EVERY)
                pinged = now
            waits = {asyncio.ensure_future(w.proc.wait()): w
                     for w in self.workers.values() if w.proc is not None}
            if not waits:
                await asyncio.sleep(0.2)
                continue
            done, pending = await asyncio.wait(waits, timeout=0.5,
                                               return_when=asyncio.FIRST_COMPLETED)
            for task in pending:
                task.cancel()
            for task in done:
                worker = waits[task]
                if not self._stopping and self.workers.get(worker.index) is worker:
                    await self._restart(worker, task.result())

    def _check_alive(self, late: bool = False) -> None:
        """Ask each worker's loop to answer; kill the one silent for HANG_AFTER (the watch
        then starts it again, as any worker that ended). `late`: this process's own check
        came late; every worker's silence is counted afresh from now."""
        now = time.monotonic()
        for worker in self._live():
            if late:
                worker.answered = max(worker.answered, now)
            allowed = HANG_AFTER if worker.started_up else max(HANG_AFTER, STARTING)
            if now - worker.answered > allowed:
                log.error("SMTP worker %d (pid %s) has not answered for %.0f s: stopping it",
                          worker.index, worker.pid, now - worker.answered)
                assert worker.proc is not None  # a live one
                with contextlib.suppress(ProcessLookupError):
                    worker.proc.kill()  # this worker only, by its pid
                worker.answered = now  # said once; its end restarts it
            else:
                worker.send(f"ping {int(now)}\n")

    async def _restart(self, worker: Worker, code: int) -> None:
        young = time.monotonic() - worker.started < YOUNG
        worker.failures = worker.failures + 1 if young else 0
        log.error("SMTP worker %d (pid %s) ended with status %s; starting it again",
                  worker.index, worker.pid, code)
        self.restarts += 1
        if worker.failures > 1:
            await asyncio.sleep(min(MAX_BACKOFF, 0.5 * 2 ** (worker.failures - 2)))
        if not self._stopping:
            await self._spawn(worker)

    async def stop(self) -> None:
        self._stopping = True
        if self._watcher is not None:
            self._watcher.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._watcher
        await asyncio.gather(*(self._end(w) for w in self.workers.values()))
        self.active.close()

    async def _end(self, worker: Worker) -> None:
        proc = worker.proc
        if proc is None or proc.returncode is not None:
            return
        with contextlib.suppress(ProcessLookupError):
            proc.send_signal(signal.SIGTERM)
        try:
            await asyncio.wait_for(proc.wait(), STOP_TIMEOUT)
        except TimeoutError:
            with contextlib.suppress(ProcessLookupError):
                os.kill(proc.pid, signal.SIGKILL)  # this worker only, by its pid
            await proc.wait()
        if worker.reader is not None:
            await worker.reader
