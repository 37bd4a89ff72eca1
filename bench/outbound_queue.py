"""The outbound queue under load: cost per message against the queue's size, and
duplicates after kill -9.

    .venv/bin/python bench/outbound_queue.py backlog [--sizes 0,10000,50000] [--messages 1000]
    .venv/bin/python bench/outbound_queue.py kills [--kills 25] [--sessions 8]
    ... [--tree DIR]   run `esacli run` from another checkout (e.g. the previous version)

Real processes on loopback: `esacli run` relays partner.test to Postfix's smtp-sink
(which dumps every message it accepts to a file), smtp-source sends the load. The
bench itself only times, counts and kills, so its own work cannot shift the moment
of a kill towards a burst of replies.

backlog: the queue first holds N deferred messages (retry tomorrow; one bulk insert,
and with --files their spool files too, as the finding had them); then M new messages
are relayed. Prints msg/s, CPU ms per message of the appliance and its CPU while idle.

kills: relay load without pause; kill -9 at random (seeded) instants, restart, again;
at the end the recipients seen more than once at the sink are the duplicates. By
Little's law, duplicates per kill / delivery rate is the mean time a message spends
between the remote's 250 and our commit: the window, as the crash sees it.
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from engine.queue.store import NewMessage, QueueStore
from engine.spoolformat import encode
from state import model
from state.bootstrap import open_data_dir
from state.session import Session
from tests.kit import smtpsink
from tests.kit.ports import reserve
from tests.kit.processes import stop_process, wait_listening
from tests.kit.smtpsink import SmtpSink
from tests.kit.waiting import wait_until

DOMAIN = "partner.test"
TICK = os.sysconf("SC_CLK_TCK")


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICK  # utime + stime


def prepare(data: Path, sink_port: int, sessions: int) -> int:
    """A data dir relaying partner.test to the sink; returns the relay listener's port."""
    store, secrets = open_data_dir(data)
    session = Session(store, secrets, "bench", "console")
    config = session.candidate
    relay = reserve()
    listeners = tuple(
        model.replace(li, port=relay if li.name == "OutboundMail" else reserve())
        for li in config.listeners
    )
    route = model.Route(domain=DOMAIN, hosts=(model.RouteHost(host="127.0.0.1", port=sink_port),))
    entry = model.DestinationEntry(
        domain=DOMAIN, max_concurrency=sessions, max_msgs_per_connection=50)
    session.stage(model.replace(config, listeners=listeners, routes=(route,),
                                destinations=model.replace(config.destinations, entries=(entry,))))
    session.commit("bench")
    store.close()
    return relay


def backlog(data: Path, count: int, files: bool) -> None:
    now = time.time()
    spool = data / "spool"
    spool.mkdir(parents=True, exist_ok=True)
    rows = []
    for n in range(count):
        mid, path = 10_000_000 + n, spool / f"{10_000_000 + n}.msg"
        rcpt = f"u{n}@slow{n % 500}.test"
        if files:
            blob = encode(mid, 0, "bench", "a@sender.test", [rcpt], b"S: x\r\n\r\nx\r\n", now)
            path.write_bytes(blob)
        rows.append(NewMessage(mid, "a@sender.test", now, 100, str(path), (rcpt,)))
    store = QueueStore(data / "queue" / "queue.db")
    try:
        store.add_messages(rows, now + 86400)
    finally:
        store.close()


class Rig:
    """smtp-sink, the appliance and smtp-source, each its own process."""

    def __init__(self, tmp: Path, tree: Path, sessions: int, clients: int) -> None:
        self.tree, self.sessions, self.clients = tree, sessions, clients
        self.data = tmp / "data"
        self.sink = SmtpSink().start()
        self.relay = prepare(self.data, self.sink.port, sessions)
        self.app: subprocess.Popen[bytes] | None = None
        self.sources: list[subprocess.Popen[bytes]] = []

    def start(self) -> None:
        self.app = subprocess.Popen(
            [sys.executable, "-m", "esacli", "run", "--data", str(self.data),
             "--ssh", "127.0.0.1:0", "--admin-password", "bench"],
            cwd=self.tree, stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL)
        wait_listening(self.relay, proc=self.app, timeout=30)

    def kill(self) -> None:
        assert self.app is not None
        os.kill(self.app.pid, signal.SIGKILL)
        self.app.wait()
        for source in self.sources:  # the load stops with it; a new one follows the restart
            if source.poll() is None:
                source.terminate()
                source.wait()

    def send(self, messages: int) -> subprocess.Popen[bytes]:
        source = subprocess.Popen(
            ["smtp-source", "-s", str(self.clients), "-m", str(messages), "-l", "2048", "-N",
             "-f", "load@sender.test", "-t", f"m{len(self.sources)}@{DOMAIN}",
             f"127.0.0.1:{self.relay}"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        self.sources.append(source)  # -N numbers from 0 again: the "m<k>" keeps them apart
        return source

    def drained(self) -> bool:
        spool = self.data / "spool"
        return not any(spool.glob("*.msg")) and not any(spool.glob("incoming/*.msg"))

    def count(self) -> int:
        return self.sink.count()

    def received(self) -> list[str]:
        return self.sink.recipients()

    def close(self) -> None:
        for proc in [*self.sources, self.app]:
            stop_process(proc)
        self.sink.stop()


def run_backlog(args: argparse.Namespace) -> None:
    print(f"{args.messages} new messages of 2 KB, {args.clients} sessions in, {args.sessions} out, "
          f"backlog {'with' if args.files else 'without'} spool files, tree {args.tree}")
    print(f"{'deferred':>9} {'msg/s':>7} {'CPU ms/msg':>11} {'idle CPU %':>11}")
    for size in (int(s) for s in args.sizes.split(",")):
        with tempfile.TemporaryDirectory() as tmp:
            rig = Rig(Path(tmp), args.tree, args.sessions, args.clients)
            try:
                backlog(rig.data, size, args.files)
                rig.start()
                assert rig.app is not None
                time.sleep(1.0)  # let start-up finish before the idle figure
                idle0, t0 = cpu_seconds(rig.app.pid), time.monotonic()
                time.sleep(2.0)
                idle = (cpu_seconds(rig.app.pid) - idle0) / (time.monotonic() - t0)
                cpu0, start = cpu_seconds(rig.app.pid), time.monotonic()
                rig.send(args.messages)
                wait_until(lambda r=rig: r.count() >= args.messages, args.max_seconds,
                         "the deliveries")
                elapsed = time.monotonic() - start
                cpu = cpu_seconds(rig.app.pid) - cpu0
            finally:
                rig.close()
        print(f"{size:>9} {args.messages / elapsed:>7.0f} {cpu / args.messages * 1000:>11.2f}"
              f" {idle * 100:>11.1f}", flush=True)


def run_kills(args: argparse.Namespace) -> None:
    instants = random.Random(args.seed)
    with tempfile.TemporaryDirectory() as tmp:
        rig = Rig(Path(tmp), args.tree, args.sessions, args.clients)
        try:
            up, delivered = 0.0, 0  # while the appliance ran, for the rate
            for _ in range(args.kills):
                rig.start()
                rig.send(10**7)
                started, mark = time.monotonic(), rig.count()
                wait_until(lambda m=mark: rig.count() >= m + 50, 60, "the load")  # flowing again
                time.sleep(instants.uniform(0.05, 0.5))
                rig.kill()
                up += time.monotonic() - started
                delivered += rig.count() - mark
            rig.start()
            for source in rig.sources:
                source.terminate()
                source.wait()
            wait_until(rig.drained, args.max_seconds, "the queue to drain")
            received = rig.received()
        finally:
            rig.close()
    counts = Counter(received)
    duplicates = sum(n - 1 for n in counts.values())
    rate = delivered / max(up, 1e-9)
    print(f"tree {args.tree}, {args.clients} sessions in, {args.sessions} out:"
          f" {args.kills} kills, {len(counts)} messages, {duplicates} duplicates"
          f" ({duplicates / args.kills:.2f} per kill), ~{rate:.0f} deliveries/s while up;"
          f" window by Little's law ~{duplicates / args.kills / rate * 1000:.1f} ms")


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument("mode", choices=("backlog", "kills"))
    p.add_argument("--tree", type=Path, default=ROOT, help="checkout whose esacli runs")
    p.add_argument("--sessions", type=int, default=8, help="outbound connections at once")
    p.add_argument("--clients", type=int, default=8, help="smtp-source sessions at once")
    p.add_argument("--sizes", default="0,10000,50000")
    p.add_argument("--files", action="store_true", help="write the backlog's spool files too")
    p.add_argument("--messages", type=int, default=1000)
    p.add_argument("--kills", type=int, default=25)
    p.add_argument("--seed", type=int, default=9)
    p.add_argument("--max-seconds", type=float, default=300)
    args = p.parse_args()
    if not smtpsink.available() or not shutil.which("smtp-source"):
        raise SystemExit("needs smtp-sink and smtp-source (Debian package postfix)")
    (run_backlog if args.mode == "backlog" else run_kills)(args)


if __name__ == "__main__":
    main()
