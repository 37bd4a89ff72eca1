"""Where an SMTP worker's time goes: py-spy samples the worker while the load runs.

    .venv/bin/python bench/profile.py [--mode starttls1] [--messages 2000] [--top 25]
        [--tree DIR] [--raw FILE]

One esacli worker on core 0, the load client (bench/loadgen.py) on core 1, as in
bench/peers.py; py-spy (a dev dependency; needs ptrace, so root) records the worker's
stacks; printed: the functions holding the most samples by their own time (self) and
with what they call (total), as shares of all samples. In `relay` mode the appliance
relays to bench/tls_sink.py (as in bench/peers.py) and the samples run until the sink has
every message, so `--process main` shows the deliveries. bench/README.md has the summary.
"""

from __future__ import annotations

import argparse
import collections
import signal
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.peers import LOADGEN, MODES, relay_sink
from bench.servers import Esacli, has_workers, tree

PY_SPY = str(Path(sys.executable).with_name("py-spy"))


def worker_pid(server: Esacli, checkout: Path) -> int:
    """The SMTP worker: the process of the tree running engine.worker (the appliance's
    own process in a checkout without workers)."""
    if not has_workers(checkout):
        return server.root()
    for pid in tree(server.root()):
        try:
            command = Path(f"/proc/{pid}/cmdline").read_bytes()
        except OSError:
            continue
        if b"engine.worker" in command:
            return pid
    raise SystemExit("no SMTP worker found")


def summarize(raw: Path, top: int) -> None:
    own: collections.Counter[str] = collections.Counter()
    total: collections.Counter[str] = collections.Counter()
    samples = 0
    for line in raw.read_text().splitlines():
        stack, _, count = line.rpartition(" ")
        if not count.isdigit():
            continue
        frames = [f.split(" (")[0] + " " + f.split(" (")[1].split(":")[0].rsplit("/", 1)[-1]
                  if " (" in f else f for f in stack.split(";")]
        n = int(count)
        samples += n
        own[frames[-1]] += n
        for frame in set(frames):
            total[frame] += n
    print(f"{samples} samples; self time:")
    for frame, n in own.most_common(top):
        print(f"  {n / samples:6.1%}  {frame}")
    print("total time (with callees):")
    for frame, n in total.most_common(top):
        print(f"  {n / samples:6.1%}  {frame}")


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__,
                                formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument("--mode", default="starttls1", choices=sorted(MODES))
    p.add_argument("--messages", type=int, default=2000)
    p.add_argument("--concurrency", type=int, default=50)
    p.add_argument("--top", type=int, default=25)
    p.add_argument("--raw", type=Path, help="also keep py-spy's raw stacks in this file")
    p.add_argument("--process", choices=("worker", "main"), default="worker",
                   help="the SMTP worker, or the main process (the queue, delivery, SSH)")
    p.add_argument("--tree", type=Path, default=ROOT,
                   help="another checkout to profile (the figures before a change)")
    args = p.parse_args()
    tls, per = MODES[args.mode]
    with tempfile.TemporaryDirectory() as tmp:
        sink = relay_sink(Path(tmp), "0", "1") if args.mode == "relay" else None
        server = Esacli(Path(tmp) / "p", "0", 1, tree_dir=args.tree,
                        relay=sink.port if sink else None)
        try:
            server.wait_idle()
            raw = Path(tmp) / "profile.txt"
            spy = subprocess.Popen([PY_SPY, "record", "--format", "raw", "--rate", "200", "--gil",
                                    "--nonblocking", "-o", str(raw), "--pid",
                                    str(worker_pid(server, args.tree) if args.process ==
                                        "worker" else server.root())],
                                   stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
            load = threading.Thread(target=subprocess.run, args=([
                "taskset", "-c", "1", sys.executable, LOADGEN, "smtp", str(server.port),
                "--messages", str(args.messages), "--per-conn", str(per),
                "--concurrency", str(args.concurrency), *(["--tls"] if tls else [])],),
                kwargs={"capture_output": True, "check": False})
            load.start()
            load.join()
            if sink is not None:  # the deliveries are what the main process does
                deadline = time.monotonic() + 300
                while sink.count() < args.messages and time.monotonic() < deadline:
                    time.sleep(0.05)
            spy.send_signal(signal.SIGINT)  # py-spy writes what it has on Ctrl-C
            _, errors = spy.communicate()
            if not raw.exists():
                raise SystemExit(f"py-spy wrote nothing: {errors.decode()[-2000:]}")
        finally:
            server.stop()
            if sink is not None:
                sink.stop()
            if args.raw is not None:  # to look for who calls a hot frame
                args.raw.write_bytes(raw.read_bytes())
        print(f"{args.mode}: {args.messages} messages, c={args.concurrency}")
        summarize(raw, args.top)


if __name__ == "__main__":
    main()
