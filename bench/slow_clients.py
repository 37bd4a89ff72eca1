"""A normal client's delivery time while slow clients fill `esacli run`'s InboundMail.

    .venv/bin/python bench/slow_clients.py [--held 1000] [--deliveries 20]

The appliance runs with its factory limits (1,000 connections, 10 per address) and
timeouts. `--held` connections from 100 loopback addresses are opened and held (half
idle after the banner, half sending one byte every 5 s) for `--hold-seconds`; then a
normal client delivers `--deliveries` messages, one connection each. Prints the median delivery
time without and with the flood, their ratio, the refusals, and the appliance's RSS
per held connection. Bounded: a fixed number of connections and a cap per phase.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from state import model
from state.bootstrap import open_data_dir
from state.session import Session
from tests.kit.ports import reserve, udp_port
from tests.kit.processes import wait_listening
from tests.kit.waiting import wait_until_async

MESSAGE = b"Subject: bench\r\n\r\nthrough the flood\r\n.\r\n"


def prepare(data: Path, port: int) -> None:
    store, secrets = open_data_dir(data)
    session = Session(store, secrets, "bench", "console")
    listeners = tuple(model.replace(li, port=port if li.name == "InboundMail" else reserve())
                      for li in session.candidate.listeners)
    drop_all = (model.Route(domain="ALL", hosts=(model.RouteHost(host="/dev/null"),)),)
    no_dns = model.DnsSettings(servers=("127.0.0.1",), port=udp_port(), timeout=0.5)
    session.stage(model.replace(session.candidate, listeners=listeners, routes=drop_all,
                                dns=no_dns))
    session.commit("bench")
    store.close()


def rss_kb(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


async def hold(port: int, source: str, trickle: bool, held: list[asyncio.StreamWriter]) -> None:
    sock = socket.socket()
    sock.bind((source, 0))
    sock.setblocking(False)
    await asyncio.get_running_loop().sock_connect(sock, ("127.0.0.1", port))
    reader, writer = await asyncio.open_connection(sock=sock)
    if not (await reader.readline()).startswith(b"220"):
        writer.close()
        return
    held.append(writer)
    with contextlib.suppress(ConnectionError):
        for byte in b"EHLO slow.client.test\r\n":
            if trickle:
                writer.write(bytes([byte]))
            with contextlib.suppress(TimeoutError):
                if await asyncio.wait_for(reader.readline(), 5.0):
                    return  # closed by the appliance with its 421


async def deliver(port: int) -> float | None:
    """Seconds from connect to the 250 after DATA; None when refused."""
    start = time.perf_counter()
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    try:
        for line in (None, b"EHLO normal.test\r\n", b"MAIL FROM:<n@normal.test>\r\n",
                     b"RCPT TO:<user@example.com>\r\n", b"DATA\r\n", MESSAGE):
            if line is not None:
                writer.write(line)
            reply = await reader.readline()
            while reply[3:4] == b"-":
                reply = await reader.readline()
            if reply[:1] not in (b"2", b"3"):
                return None
        return time.perf_counter() - start
    finally:
        writer.close()


async def deliveries(port: int, count: int) -> tuple[float, int]:
    times = [await deliver(port) for _ in range(count)]
    done = [t for t in times if t is not None]
    return (statistics.median(done) if done else float("nan")), count - len(done)


async def run(port: int, pid: int, args: argparse.Namespace) -> None:
    quiet, refused_quiet = await deliveries(port, args.deliveries)
    before = rss_kb(pid)
    held: list[asyncio.StreamWriter] = []
    sources = [f"127.0.1.{1 + n}" for n in range(100)]
    start = time.perf_counter()
    tasks = []
    for n in range(args.held):
        tasks.append(asyncio.create_task(hold(port, sources[n % 100], n % 2 == 1, held)))
        if n % 50 == 49:  # no more at once than the TCP queue of 50
            batch_end = n - 50
            await wait_until_async(lambda: len(held) > batch_end, 30)  # noqa: B023
    await wait_until_async(lambda: len(held) >= args.held, 30)
    opened = time.perf_counter() - start
    await asyncio.sleep(args.hold_seconds)  # an attacker holds: let the flood age a little
    during = rss_kb(pid)
    cut = sum(task.done() for task in tasks)  # closed by the appliance while held
    flooded, refused = await deliveries(port, args.deliveries)
    for task in tasks:
        task.cancel()
    for writer in held:
        writer.close()
    print(f"held {len(held)} slow connections in {opened:.1f} s, {cut} of them closed by"
          f" the appliance within {args.hold_seconds:.0f} s;"
          f" RSS {before / 1024:.1f} -> {during / 1024:.1f} MB"
          f" ({(during - before) / max(1, len(held)):.1f} KB per connection)")
    print(f"normal delivery, median of {args.deliveries}: quiet {quiet * 1000:.1f} ms"
          f" ({refused_quiet} refused), flooded {flooded * 1000:.1f} ms ({refused} refused)")
    print(f"ratio flooded/quiet: {flooded / quiet:.2f}")


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument("--held", type=int, default=1000)
    p.add_argument("--deliveries", type=int, default=20)
    p.add_argument("--hold-seconds", type=float, default=2.0,
                   help="how long the flood is held before the normal client tries")
    args = p.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        data, port = Path(tmp) / "esa", reserve()
        prepare(data, port)
        proc = subprocess.Popen([sys.executable, "-m", "esacli", "run", "--data", str(data),
                                 "--ssh", "127.0.0.1:0", "--admin-password", "bench"],
                                stdout=subprocess.DEVNULL)
        try:
            wait_listening(port, proc=proc, timeout=20)
            asyncio.run(run(port, proc.pid, args))
        finally:
            proc.send_signal(signal.SIGTERM)
            proc.wait(timeout=20)


if __name__ == "__main__":
    main()
