"""The peer: a bare aiosmtpd server that writes and fsyncs each message in a thread.

    python bench/bare_aiosmtpd.py PORT CERT KEY SPOOLDIR

It is the floor of what our engine adds (HAT, policy, logs, spool format) on
top of the same library; `bench/inbound.py` runs it beside the engine.
"""

from __future__ import annotations

import asyncio
import itertools
import os
import signal
import ssl
import sys
from pathlib import Path

from aiosmtpd.smtp import SMTP, Envelope, Session

_ids = itertools.count(1)


def _write(path: Path, data: bytes) -> None:
    with open(path, "wb") as f:
        f.write(data)
        f.flush()
        os.fsync(f.fileno())


class Handler:
    def __init__(self, spool: Path) -> None:
        self.spool = spool

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        mid = next(_ids)
        await asyncio.to_thread(_write, self.spool / f"{mid}.msg", envelope.original_content or b"")
        return f"250 ok:  Message {mid} accepted"


async def main(port: int, cert: str, key: str, spool: Path) -> None:
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert, key)
    handler = Handler(spool)
    loop = asyncio.get_running_loop()
    server = await loop.create_server(
        lambda: SMTP(handler, tls_context=context, hostname="bare.example"), "127.0.0.1", port
    )
    stop = asyncio.Event()
    loop.add_signal_handler(signal.SIGTERM, stop.set)
    print("ready", flush=True)
    await stop.wait()
    server.close()


if __name__ == "__main__":
    asyncio.run(main(int(sys.argv[1]), sys.argv[2], sys.argv[3], Path(sys.argv[4])))
