"""The load client of bench/peers.py, run as a process of its own (pinned to its own core).

    python bench/loadgen.py smtp PORT --messages N --concurrency C --per-conn K [--tls] [--size B]
    python bench/loadgen.py handshake PORT --messages N --concurrency C

`smtp`: EHLO (STARTTLS, EHLO again), then K times MAIL/RCPT/DATA, QUIT; `handshake`: a
TLS connection opened and closed (the bare TLS ceiling); `idle`: N connections opened
with STARTTLS and EHLO, then held ("held N" on stdout) until stdin ends. Prints one JSON
line: messages acknowledged, errors, seconds until the last reply, and this client's CPU
seconds, so the bench can say whether the client was the limit. uvloop is used when it
is installed: its TLS layer is compiled, which keeps the client cheaper than the servers
it measures.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import resource
import ssl
import sys
import time

CLIENT_TLS = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
CLIENT_TLS.check_hostname, CLIENT_TLS.verify_mode = False, ssl.CERT_NONE


def body(size: int) -> bytes:
    line = b"x" * 76 + b"\r\n"
    head = b"Subject: bench\r\nFrom: load@bench.example\r\n\r\n"
    return head + line * max(1, (size - len(head)) // len(line))


async def expect(reader: asyncio.StreamReader, code: bytes) -> None:
    while True:
        line = await reader.readline()
        if not line.startswith(code):
            raise RuntimeError(f"expected {code!r}, got {line[:80]!r}")
        if line[3:4] != b"-":
            return


async def greeted(reader: asyncio.StreamReader, writer: asyncio.StreamWriter,
                  tls: bool) -> None:
    """The banner, EHLO, and with `tls` STARTTLS and EHLO again."""
    await expect(reader, b"220")
    writer.write(b"EHLO bench.example\r\n")
    await expect(reader, b"250")
    if tls:
        writer.write(b"STARTTLS\r\n")
        await expect(reader, b"220")
        await writer.start_tls(CLIENT_TLS)
        writer.write(b"EHLO bench.example\r\n")
        await expect(reader, b"250")


async def smtp_connection(port: int, count: int, tls: bool, data: bytes, rcpt: bytes) -> int:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    try:
        await greeted(reader, writer, tls)
        for _ in range(count):
            writer.write(b"MAIL FROM:<load@bench.example>\r\nRCPT TO:<" + rcpt + b">\r\nDATA\r\n")
            await expect(reader, b"250")
            await expect(reader, b"250")
            await expect(reader, b"354")
            writer.write(data)
            await expect(reader, b"250")
        writer.write(b"QUIT\r\n")
        await writer.drain()
    finally:
        writer.close()
    return count


async def handshake(port: int) -> int:
    _, writer = await asyncio.open_connection("127.0.0.1", port, ssl=CLIENT_TLS)
    writer.close()
    return 1


async def hold(args: argparse.Namespace) -> dict[str, float]:
    gate = asyncio.Semaphore(args.concurrency)
    writers: list[asyncio.StreamWriter] = []

    async def one() -> None:
        async with gate:
            reader, writer = await asyncio.open_connection("127.0.0.1", args.port)
            await expect(reader, b"220")
            writer.write(b"EHLO bench.example\r\n")
            await expect(reader, b"250")
            writer.write(b"STARTTLS\r\n")
            await expect(reader, b"220")
            await writer.start_tls(CLIENT_TLS)
            writer.write(b"EHLO bench.example\r\n")
            await expect(reader, b"250")
            writers.append(writer)

    await asyncio.gather(*(one() for _ in range(args.messages)))
    print(f"held {len(writers)}", flush=True)
    await asyncio.to_thread(sys.stdin.read)
    for writer in writers:
        writer.close()
    return {"messages": len(writers), "errors": 0, "seconds": 0.0, "cpu": 0.0,
            "first_error": ""}


async def run(args: argparse.Namespace) -> dict[str, float]:
    if args.mode == "idle":
        return await hold(args)
    gate = asyncio.Semaphore(args.concurrency)
    data = body(args.size) + b".\r\n"
    per_conn = args.per_conn if args.mode == "smtp" else 1
    errors: list[str] = []

    async def one() -> int:
        async with gate:
            try:
                if args.mode == "handshake":
                    return await handshake(args.port)
                return await smtp_connection(args.port, per_conn, args.tls, data,
                                             args.rcpt.encode())
            except (OSError, RuntimeError, ssl.SSLError, asyncio.IncompleteReadError) as exc:
                errors.append(f"{type(exc).__name__}: {exc}")
                return 0

    start = time.perf_counter()
    done = await asyncio.wait_for(
        asyncio.gather(*(one() for _ in range(args.messages // per_conn))), args.max_seconds)
    elapsed = time.perf_counter() - start
    cpu = os.times()
    return {"messages": sum(done), "errors": len(errors), "seconds": elapsed,
            "cpu": cpu.user + cpu.system, "first_error": errors[0] if errors else ""}


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument("mode", choices=("smtp", "handshake", "idle"))
    p.add_argument("port", type=int)
    p.add_argument("--messages", type=int, default=2000)
    p.add_argument("--concurrency", type=int, default=50)
    p.add_argument("--per-conn", type=int, default=1)
    p.add_argument("--tls", action="store_true")
    p.add_argument("--size", type=int, default=2048)
    p.add_argument("--rcpt", default="user@example.com")
    p.add_argument("--max-seconds", type=float, default=300)
    p.add_argument("--no-uvloop", action="store_true")
    args = p.parse_args()
    _soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    runner = asyncio.run
    if not args.no_uvloop:
        try:
            import uvloop

            runner = uvloop.run
        except ImportError:
            pass
    print(json.dumps(runner(run(args))), flush=True)


if __name__ == "__main__":
    main()
