"""esacli against Postfix on the same cores, mode by mode, with CPU per message.

    .venv/bin/python bench/peers.py [--modes ceiling,floor,starttls1,starttls10,plain,relay,...]
        [--rounds 3] [--messages 3000] [--concurrency 50] [--server-cores 0]
        [--client-cores 1] [--workers 1]
    .venv/bin/python bench/peers.py --modes workers,cores  # 1 worker on 1 core vs 2 on 2
    .venv/bin/python bench/peers.py --modes big,idle     # memory

Servers (bench/servers.py) are pinned to --server-cores with taskset, the load client
(bench/loadgen.py, its own process) to --client-cores; each run starts only once both
servers are idle again (spool or queue empty, under 5 % CPU), and a server's CPU for a
run is measured from before the load until it is idle again, so what the queue does
after the last 250 counts in its own side's CPU per message. Rounds interleave the
servers (esacli first in odd rounds, Postfix first in even ones). Needs root (Postfix).

Modes: starttls1 / starttls10 (STARTTLS, 1 or 10 messages per connection), plain (10
per connection, no TLS), relay (STARTTLS in, the queue, STARTTLS out to bench/tls_sink.py,
counted at the sink), ceiling (bench/tls_ceiling.py: TLS handshakes alone, asyncio and
uvloop), floor (bench/smtp_floor.py under the starttls1 load: the least an SMTP session
over STARTTLS costs in Python, no policy, log or disk), workers (esacli alone: 1 worker
on the first server core against 2 workers on two cores, the client sharing them), cores
(the same under Postfix's smtp-source, a C client cheap enough not to be the limit), big
(20 parallel 10 MB messages: peak RSS of every server process), idle (1,000 idle TLS
connections: esacli's RSS per connection).
"""

from __future__ import annotations

import argparse
import json
import resource
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.servers import Bare, Esacli, Postfix, Server, free_port, wait_port

LOADGEN = str(ROOT / "bench" / "loadgen.py")
MODES = {  # name: (tls, messages per connection)
    "starttls1": (True, 1), "starttls10": (True, 10), "plain": (False, 10),
    "relay": (True, 1),
}
ALL_MODES = ("ceiling", "floor", "starttls1", "starttls10", "plain", "relay", "big", "idle",
             "workers", "cores")
SMTP_SOURCE = "/usr/sbin/smtp-source"  # Postfix's load client, in C


def load(port: int, args: argparse.Namespace, *extra: str,
         cores: str | None = None) -> dict[str, float]:
    done = subprocess.run(
        ["taskset", "-c", cores or args.client_cores, sys.executable, LOADGEN, *extra, str(port),
         "--concurrency", str(args.concurrency)],
        capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise SystemExit(f"load client failed: {done.stderr[-2000:]}")
    result: dict[str, float] = json.loads(done.stdout.splitlines()[-1])
    if result["errors"]:
        print(f"  ({result['errors']:.0f} client errors, first: {result['first_error']})")
    return result


class Results:
    def __init__(self) -> None:
        self.rows: dict[tuple[str, str], list[dict[str, float]]] = defaultdict(list)

    def add(self, mode: str, server: str, row: dict[str, float]) -> None:
        self.rows[(mode, server)].append(row)
        split = ", ".join(f"{role} {row[role + '_ms']:.2f}" for role in ("workers", "main")
                          if role + "_ms" in row)
        print(f"  {mode:10} {server:8} {row['rate']:8.0f} msg/s  {row['cpu_ms']:6.2f} ms CPU/msg"
              f"{f' ({split})' if split else ''}  client CPU {row['client']:4.0%}", flush=True)

    def median(self, mode: str, server: str, key: str) -> float:
        return statistics.median(r[key] for r in self.rows[(mode, server)])

    def summary(self, mode: str, ours: str = "esacli", peer: str = "postfix") -> str:
        rate = [a["rate"] / b["rate"] for a, b in
                zip(self.rows[(mode, ours)], self.rows[(mode, peer)], strict=False)]
        cpu = [a["cpu_ms"] / b["cpu_ms"] for a, b in
               zip(self.rows[(mode, ours)], self.rows[(mode, peer)], strict=False)]
        return (f"{mode:10} {ours}/{peer}: msg/s {min(rate):.2f}-{max(rate):.2f}x"
                f" (median {self.median(mode, ours, 'rate'):.0f} vs"
                f" {self.median(mode, peer, 'rate'):.0f}), CPU/msg {min(cpu):.2f}-{max(cpu):.2f}x"
                f" ({self.median(mode, ours, 'cpu_ms'):.2f} vs"
                f" {self.median(mode, peer, 'cpu_ms'):.2f} ms)")


def measured(server: Server, run: callable, messages: int) -> dict[str, float]:  # type: ignore[valid-type]
    server.wait_idle()
    cpu0, split0 = server.cpu(), server.cpu_split()
    result = run()
    server.wait_idle()
    cpu = server.cpu() - cpu0
    per = 1000 / max(1, result["messages"])
    split = {f"{role}_ms": (spent - split0.get(role, 0.0)) * per
             for role, spent in server.cpu_split().items() if role != "gone"}
    return {"rate": result["messages"] / result["seconds"], "seconds": result["seconds"],
            "cpu_ms": cpu * per, "client": result["cpu"] / result["seconds"], **split}


def smtp_args(mode: str, args: argparse.Namespace) -> list[str]:
    tls, per = MODES[mode]
    return ["smtp", "--messages", str(args.messages), "--per-conn", str(per),
            *(["--tls"] if tls else [])]


def run_modes(args: argparse.Namespace, tmp: Path, results: Results) -> None:
    modes = [m for m in args.modes if m in MODES and m != "relay"]
    if not modes:
        return
    ours = Esacli(tmp / "a", args.server_cores, args.workers)
    peer = Postfix(ours.cert, ours.key, args.server_set)
    try:
        for r in range(args.rounds):
            for mode in modes:
                order = (ours, peer) if r % 2 == 0 else (peer, ours)
                for server in order:
                    for other in order:
                        other.wait_idle()
                    row = measured(server, lambda s=server, m=mode: load(
                        s.port, args, *smtp_args(m, args)), args.messages)
                    results.add(mode, server.name, row)
    finally:
        ours.stop()
        peer.stop()


class Sink:
    def __init__(self, tmp: Path, cert: str, key: str, cores: str) -> None:
        self.count_file = tmp / "sink.count"
        self.port = free_port()
        self.proc = subprocess.Popen(["taskset", "-c", cores, sys.executable,
                                      str(ROOT / "bench" / "tls_sink.py"), str(self.port),
                                      cert, key, str(self.count_file)])
        wait_port(self.port)

    def count(self) -> int:
        try:
            return int.from_bytes(self.count_file.read_bytes()[:8], "little")
        except OSError:
            return 0

    def stop(self) -> None:
        self.proc.terminate()
        self.proc.wait()


def relay_sink(tmp: Path, server_cores: str, client_cores: str) -> Sink:
    """bench/tls_sink.py on the client's cores, with the certificate an appliance makes."""
    probe = Esacli(tmp / "probe", server_cores, 1)
    probe.stop()
    return Sink(tmp, probe.cert, probe.key, client_cores)


def relay_round(server: Server, sink: Sink, args: argparse.Namespace) -> dict[str, float]:
    def run() -> dict[str, float]:
        base, start = sink.count(), time.monotonic()
        result = load(server.port, args, *smtp_args("relay", args))
        deadline = start + 600
        while sink.count() - base < result["messages"] and time.monotonic() < deadline:
            time.sleep(0.01)
        return {**result, "seconds": time.monotonic() - start}
    return measured(server, run, args.messages)


def run_relay(args: argparse.Namespace, tmp: Path, results: Results) -> None:
    if "relay" not in args.modes:
        return
    sink = relay_sink(tmp, args.server_cores, args.client_cores)
    ours = Esacli(tmp / "r", args.server_cores, args.workers, relay=sink.port)
    peer = Postfix(ours.cert, ours.key, args.server_set, relay=sink.port)
    try:
        for r in range(args.rounds):
            for server in ((ours, peer) if r % 2 == 0 else (peer, ours)):
                ours.wait_idle()
                peer.wait_idle()
                results.add("relay", server.name, relay_round(server, sink, args))
    finally:
        ours.stop()
        peer.stop()
        sink.stop()


def run_ceiling(args: argparse.Namespace, tmp: Path, results: Results) -> None:
    if "ceiling" not in args.modes:
        return
    probe = Esacli(tmp / "c", args.server_cores, 1)
    probe.stop()
    for _ in range(args.rounds):
        for uv in (False, True):
            server = Bare("tls_ceiling.py", "ceiling", probe.cert, probe.key,
                          args.server_cores, *(["--uvloop"] if uv else []))
            try:
                row = measured(server, lambda s=server: load(
                    s.port, args, "handshake", "--messages", str(args.messages)), args.messages)
            finally:
                server.stop()
            results.add("ceiling", "uvloop" if uv else "asyncio", row)


def run_floor(args: argparse.Namespace, tmp: Path, results: Results) -> None:
    """bench/smtp_floor.py under the starttls1 load: what a session costs with no
    Python but the least (beside esacli's and Postfix's starttls1 figures)."""
    if "floor" not in args.modes:
        return
    probe = Esacli(tmp / "f", args.server_cores, 1)
    probe.stop()
    for _ in range(args.rounds):
        server = Bare("smtp_floor.py", "floor", probe.cert, probe.key, args.server_cores)
        try:
            row = measured(server, lambda s=server: load(
                s.port, args, *smtp_args("starttls1", args)), args.messages)
        finally:
            server.stop()
        results.add("floor", "floor", row)


def run_workers(args: argparse.Namespace, tmp: Path, results: Results) -> None:
    """1 worker on the first server core against 2 on cores 0-1 (the client sharing them):
    `workers` under bench/loadgen.py at one STARTTLS message per connection, `cores`
    under Postfix's smtp-source (C, plain SMTP, one message per connection), a client
    cheap enough to leave the two cores nearly whole to the servers."""
    first = args.server_cores.split(",")[0]
    setups = ((1, first, "1 worker"), (2, "0,1", "2 workers"))
    for mode in [m for m in ("workers", "cores") if m in args.modes]:
        for r in range(args.rounds):
            for count, cores, name in setups if r % 2 == 0 else setups[::-1]:
                client = args.client_cores if count == 1 else "0,1"
                server = Esacli(tmp / f"{mode}{r}{count}", cores, count)
                try:
                    row = measured(server, lambda s=server, c=client, m=mode: (
                        source_load(s.port, args, c) if m == "cores" else
                        load(s.port, args, *smtp_args("starttls1", args), cores=c)),
                        args.messages)
                finally:
                    server.stop()
                results.add(mode, name, row)


def source_load(port: int, args: argparse.Namespace, cores: str) -> dict[str, float]:
    """Postfix's smtp-source: `args.messages` plain messages of 2 KB, one per connection,
    `args.concurrency` sessions at once; its CPU from what this process has reaped."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.monotonic()
    done = subprocess.run(
        ["taskset", "-c", cores, SMTP_SOURCE, "-s", str(args.concurrency), "-m",
         str(args.messages), "-l", "2048", "-f", "load@bench.example", "-t",
         "user@example.com", f"127.0.0.1:{port}"],
        capture_output=True, text=True, check=False)
    seconds = time.monotonic() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode != 0:
        print(f"  (smtp-source failed: {done.stderr[-500:]})")
    cpu = after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime
    return {"messages": args.messages, "seconds": seconds, "cpu": cpu,
            "errors": float(done.returncode != 0)}


def peak_rss(server: Server, during: callable) -> tuple[int, int]:  # type: ignore[valid-type]
    """(RSS before, peak RSS while `during` runs), in KB, every server process summed."""
    before, peak, stop = server.rss_kb(), [0], threading.Event()

    def sample() -> None:
        while not stop.is_set():
            peak[0] = max(peak[0], server.rss_kb())
            time.sleep(0.02)

    sampler = threading.Thread(target=sample)
    sampler.start()
    try:
        during()
    finally:
        stop.set()
        sampler.join()
    return before, peak[0]


def run_memory(args: argparse.Namespace, tmp: Path) -> None:
    if "big" not in args.modes and "idle" not in args.modes:
        return
    ours = Esacli(tmp / "m", args.server_cores, args.workers)
    peer = Postfix(ours.cert, ours.key, args.server_set)
    try:
        for server in (ours, peer):
            server.wait_idle()
            if "big" in args.modes:
                before, peak = peak_rss(server, lambda s=server: load(
                    s.port, args, "smtp", "--messages", "20", "--per-conn", "1",
                    "--size", str(10 * 1024 * 1024), "--tls"))
                print(f"big        {server.name:8} 20 x 10 MB in parallel:"
                      f" RSS {before / 1024:.0f} MB -> peak {peak / 1024:.0f} MB"
                      " (every server process)", flush=True)
            server.wait_idle()
            # Postfix holds a connection with a process of its own (100 by default): 1,000
            # idle ones would wait in its listen queue, so esacli's alone are measured
            if "idle" in args.modes and server is ours:
                before, after = hold_idle(server, args)
                print(f"idle       {server.name:8} 1000 idle TLS connections: RSS"
                      f" {before / 1024:.0f} -> {after / 1024:.0f} MB,"
                      f" {(after - before) / 1000:.1f} KB each", flush=True)
    finally:
        ours.stop()
        peer.stop()


def hold_idle(server: Server, args: argparse.Namespace) -> tuple[int, int]:
    before = server.rss_kb()
    holder = subprocess.Popen(
        ["taskset", "-c", args.client_cores, sys.executable, LOADGEN, "idle", str(server.port),
         "--messages", "1000", "--concurrency", "100"],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    assert holder.stdout is not None and holder.stdin is not None
    holder.stdout.readline()  # "held N"
    time.sleep(1.0)  # let the server settle after the last handshake
    after = server.rss_kb()
    holder.stdin.close()
    holder.wait()
    return before, after


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument("--modes", default=",".join(ALL_MODES))
    p.add_argument("--rounds", type=int, default=3)
    p.add_argument("--messages", type=int, default=3000)
    p.add_argument("--concurrency", type=int, default=50)
    p.add_argument("--server-cores", default="0")
    p.add_argument("--client-cores", default="1")
    p.add_argument("--workers", type=int, default=1)
    args = p.parse_args()
    args.modes = args.modes.split(",")
    args.server_set = {int(c) for c in args.server_cores.split(",")}
    results = Results()
    print(f"{args.messages} messages of 2 KB per run, c={args.concurrency}, server cores"
          f" {args.server_cores}, client cores {args.client_cores}, esacli workers {args.workers}",
          flush=True)
    with tempfile.TemporaryDirectory() as tmp:
        for step in (run_ceiling, run_floor, run_modes, run_relay, run_workers):
            step(args, Path(tmp), results)
        run_memory(args, Path(tmp))
    print_summary(args, results)


def print_summary(args: argparse.Namespace, results: Results) -> None:
    print("\nsummary (ranges over rounds; medians in brackets)")
    for mode in [m for m in args.modes if m in MODES]:
        print(results.summary(mode))
    if "ceiling" in args.modes:
        ceiling = results.median("ceiling", "asyncio", "rate")
        print(f"ceiling    bare asyncio TLS {ceiling:.0f} handshakes/s, uvloop"
              f" {results.median('ceiling', 'uvloop', 'rate'):.0f}")
        if ("starttls1", "esacli") in results.rows:
            share = results.median("starttls1", "esacli", "rate") / ceiling
            print(f"starttls1  esacli at {share:.0%} of the bare asyncio TLS ceiling")
    if "floor" in args.modes:
        print_floor(results)
    for mode in [m for m in ("workers", "cores") if m in args.modes]:
        print(results.summary(mode, "2 workers", "1 worker"))


def print_floor(results: Results) -> None:
    floor = results.median("floor", "floor", "cpu_ms")
    print(f"floor      the least Python SMTP session over STARTTLS: {floor:.2f} ms CPU/msg,"
          f" {results.median('floor', 'floor', 'rate'):.0f} msg/s")
    for name in ("esacli", "postfix"):
        if ("starttls1", name) in results.rows:
            print(f"floor      starttls1 {name} {results.median('starttls1', name, 'cpu_ms'):.2f}"
                  f" ms CPU/msg: {results.median('starttls1', name, 'cpu_ms') / floor:.1f}x"
                  " the floor")


if __name__ == "__main__":
    main()
