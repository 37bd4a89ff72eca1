"""Inbound SMTP throughput and memory: esacli's engine against a bare aiosmtpd peer.

    .venv/bin/python bench/inbound.py [--messages 2000] [--concurrency 50] [--per-conn 10] [--tls]

Both servers run as subprocesses on loopback with the same certificate; one load
client drives each in turn. Prints msg/s, peak RSS and the ratios esacli/peer.
Bounded: a fixed number of messages and a wall-clock cap per run.
"""

from __future__ import annotations

import argparse
import asyncio
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.loadgen import expect, greeted
from state import model
from state.bootstrap import open_data_dir
from state.model import DnsSettings, Route, RouteHost, TLSMode
from state.session import Session
from tests.kit.ports import reserve, udp_port
from tests.kit.processes import stop_process, wait_listening

BODY = b"Subject: bench\r\n\r\n" + b"x" * 76 + b"\r\n"
BODY = BODY * (2048 // len(BODY))  # about 2 KB, a typical message




def peak_rss_kb(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    return 0


def prepare_esacli(data: Path, port: int, tls: bool) -> tuple[str, str]:
    """A data dir whose InboundMail listens on `port` with limits that don't bind the load."""
    store, secrets = open_data_dir(data)
    session = Session(store, secrets, "bench", "console")
    listeners = []
    for li in session.candidate.listeners:
        if li.name == "InboundMail":
            default = model.replace(li.hat.default, max_concurrency=10000,
                                    max_msgs_per_session=100000,
                                    tls=TLSMode.PREFERRED if tls else TLSMode.NO)
            li = model.replace(li, port=port, max_connections=10000,
                               hat=model.replace(li.hat, default=default))
        else:
            li = model.replace(li, port=reserve())
        listeners.append(li)
    # The queue drops what it takes (a /dev/null route) and never asks a DNS server off
    # this machine: a benchmark sends traffic on loopback only.
    drop_all = (Route(domain="ALL", hosts=(RouteHost(host="/dev/null"),)),)
    no_dns = DnsSettings(servers=("127.0.0.1",), port=udp_port(), timeout=0.5)
    session.stage(model.replace(session.candidate, listeners=tuple(listeners),
                                routes=drop_all, dns=no_dns))
    session.commit("bench")
    demo = session.candidate.certificates[0]
    cert = data / "bench-cert.pem"
    cert.write_text("".join(demo.chain))
    return str(cert), str(secrets.key_path(demo.key_id))


async def one_connection(port: int, count: int, tls: bool) -> int:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    await greeted(reader, writer, tls)
    for _ in range(count):
        writer.write(b"MAIL FROM:<load@bench.example>\r\n")
        await expect(reader, b"250")
        writer.write(b"RCPT TO:<user@example.com>\r\n")
        await expect(reader, b"250")
        writer.write(b"DATA\r\n")
        await expect(reader, b"354")
        writer.write(BODY + b".\r\n")
        await expect(reader, b"250")
    writer.write(b"QUIT\r\n")
    writer.close()
    return count


async def load(port: int, messages: int, concurrency: int, per_conn: int, tls: bool,
               cap: float) -> float:
    connections = messages // per_conn
    gate = asyncio.Semaphore(concurrency)

    async def run() -> int:
        async with gate:
            return await one_connection(port, per_conn, tls)

    start = time.perf_counter()
    done = await asyncio.wait_for(asyncio.gather(*(run() for _ in range(connections))), cap)
    return sum(done) / (time.perf_counter() - start)


def measure(name: str, argv: list[str], port: int, args: argparse.Namespace) -> tuple[float, int]:
    proc = subprocess.Popen(argv, stdout=subprocess.DEVNULL)
    try:
        wait_listening(port, proc=proc, timeout=20)
        rate = asyncio.run(load(port, args.messages, args.concurrency, args.per_conn,
                                args.tls, args.max_seconds))
        rss = peak_rss_kb(proc.pid)
    finally:
        stop_process(proc)
    print(f"{name:10} {rate:8.0f} msg/s   peak RSS {rss / 1024:6.1f} MB", flush=True)
    return rate, rss


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument("--messages", type=int, default=2000)
    p.add_argument("--concurrency", type=int, default=50)
    p.add_argument("--per-conn", type=int, default=10)
    p.add_argument("--tls", action="store_true", help="STARTTLS on every connection")
    p.add_argument("--max-seconds", type=float, default=120)
    args = p.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        data, spool = Path(tmp) / "esa", Path(tmp) / "bare"
        spool.mkdir()
        port = reserve()
        cert, key = prepare_esacli(data, port, args.tls)
        print(f"{args.messages} messages of {len(BODY)} bytes, c={args.concurrency}, "
              f"{args.per_conn} msg/conn, {'STARTTLS' if args.tls else 'plain'}")
        ours = measure("esacli", [sys.executable, "-m", "esacli", "run", "--data", str(data),
                                  "--ssh", "127.0.0.1:0", "--admin-password", "bench"], port, args)
        peer_port = reserve()
        peer = measure("aiosmtpd", [sys.executable, str(ROOT / "bench" / "bare_aiosmtpd.py"),
                                    str(peer_port), cert, key, str(spool)], peer_port, args)
        print(f"ratio esacli/aiosmtpd: throughput {ours[0] / peer[0]:.2f}, "
              f"peak RSS {ours[1] / max(peer[1], 1):.2f}")


if __name__ == "__main__":
    main()
