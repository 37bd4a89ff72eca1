"""esacli against esacli: this checkout and another (an older commit), same load, rounds
interleaved, CPU per message of the SMTP worker alone and of the whole process tree.

    git archive OLD_COMMIT | tar -x -C /tmp/old     # a checkout of the commit to compare
    .venv/bin/python bench/versus.py /tmp/old [--mode starttls1] [--rounds 6]
        [--messages 3000] [--server-cores 0] [--client-cores 1]

Both run from this checkout's virtual environment (`python -m esacli` in each tree), one
worker each on the same core, the load client (bench/loadgen.py) on another, as in
bench/peers.py. The worker's CPU (user and system, /proc) isolates what the SMTP side
costs from the queue's work, which the whole tree's figure adds.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.peers import MODES, load, smtp_args
from bench.profile import worker_pid
from bench.servers import Esacli


def worker_cpu(pid: int) -> tuple[float, float]:
    """User and system seconds of process `pid`."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    tick = os.sysconf("SC_CLK_TCK")
    return int(fields[11]) / tick, int(fields[12]) / tick


def one_run(server: Esacli, pid: int, args: argparse.Namespace) -> dict[str, float]:
    user0, sys0 = worker_cpu(pid)
    tree0 = server.cpu()
    result = load(server.port, args, *smtp_args(args.mode, args))
    server.wait_idle()
    user, system = worker_cpu(pid)
    per = 1000 / max(1, result["messages"])  # ms per message
    return {"user": (user - user0) * per, "sys": (system - sys0) * per,
            "tree": (server.cpu() - tree0) * per,
            "rate": result["messages"] / result["seconds"]}


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument("other", type=Path, help="the checkout to compare this one with")
    p.add_argument("--mode", default="starttls1", choices=sorted(set(MODES) - {"relay"}))
    p.add_argument("--rounds", type=int, default=6)
    p.add_argument("--messages", type=int, default=3000)
    p.add_argument("--concurrency", type=int, default=50)
    p.add_argument("--server-cores", default="0")
    p.add_argument("--client-cores", default="1")
    args = p.parse_args()
    trees = {"other": args.other.resolve(), "this": ROOT}
    rows: dict[str, list[dict[str, float]]] = {name: [] for name in trees}
    with tempfile.TemporaryDirectory() as tmp:
        servers = {name: Esacli(Path(tmp) / name, args.server_cores, 1, tree_dir=tree)
                   for name, tree in trees.items()}
        try:
            pids = {name: worker_pid(servers[name], tree) for name, tree in trees.items()}
            for r in range(args.rounds):
                for name in (("other", "this") if r % 2 == 0 else ("this", "other")):
                    for server in servers.values():
                        server.wait_idle()
                    row = one_run(servers[name], pids[name], args)
                    rows[name].append(row)
                    print(f"  {args.mode:10} {name:5} worker {row['user'] + row['sys']:.2f} ms/msg"
                          f" (user {row['user']:.2f}, system {row['sys']:.2f})"
                          f"  tree {row['tree']:.2f} ms/msg  {row['rate']:.0f} msg/s", flush=True)
        finally:
            for server in servers.values():
                server.stop()
    for name, got in rows.items():
        worker = statistics.median(r["user"] + r["sys"] for r in got)
        tree = statistics.median(r["tree"] for r in got)
        rate = statistics.median(r["rate"] for r in got)
        print(f"{name:5} medians: worker {worker:.2f} ms/msg, tree {tree:.2f} ms/msg,"
              f" {rate:.0f} msg/s")


if __name__ == "__main__":
    main()
