"""The floor of an SMTP server in Python: the least a STARTTLS session can cost here.

    python bench/smtp_floor.py PORT CERT KEY

One asyncio Protocol on uvloop, its TLS layer uvloop's: a banner, EHLO, STARTTLS,
MAIL, RCPT, DATA up to CRLF.CRLF and QUIT, each answered with a fixed reply from
`data_received`, no coroutine per connection, no parsing, no policy, no log, no disk.
Not a server to run: what bench/peers.py's `floor` mode measures esacli against, so
the figure says how much of esacli's CPU per message is the SMTP session's Python
and how much the TLS handshake and the kernel, which every Python server pays.
"""

from __future__ import annotations

import asyncio
import signal
import ssl
import sys

import uvloop

EHLO = b"250-floor.example\r\n250-PIPELINING\r\n250-8BITMIME\r\n"
REPLIES = {b"MAIL": b"250 OK\r\n", b"RCPT": b"250 OK\r\n", b"DATA": b"354 go ahead\r\n",
           b"RSET": b"250 OK\r\n", b"NOOP": b"250 OK\r\n"}


class Floor(asyncio.Protocol):
    def __init__(self, context: ssl.SSLContext) -> None:
        self.context = context
        self.transport: asyncio.Transport | None = None
        self.buffer = b""
        self.in_data = False
        self.tls = False
        self.upgrading: asyncio.Task[None] | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport  # type: ignore[assignment]
        self.transport.write(b"220 floor.example ESMTP\r\n")

    def data_received(self, data: bytes) -> None:
        self.buffer += data
        while self.transport is not None:
            end = self.buffer.find(b"\r\n.\r\n" if self.in_data else b"\r\n")
            if end < 0:
                return
            line, self.buffer = self.buffer[:end], self.buffer[end + (5 if self.in_data else 2):]
            if line[:4].upper() == b"QUIT" and not self.in_data:
                self.transport.write(b"221 bye\r\n")
                self.transport.close()
                self.transport = None
                return
            self.transport.write(self.answer(line))

    def answer(self, line: bytes) -> bytes:
        if self.in_data:
            self.in_data = False
            return b"250 queued\r\n"
        verb = line[:4].upper()
        if verb == b"EHLO":
            return EHLO + (b"250 SIZE 10000000\r\n" if self.tls else b"250 STARTTLS\r\n")
        if verb == b"STAR" and not self.tls:
            self.upgrading = asyncio.ensure_future(self.upgrade())
            return b"220 ready to start TLS\r\n"
        self.in_data = verb == b"DATA"
        return REPLIES.get(verb, b"500 unknown command\r\n")

    async def upgrade(self) -> None:
        raw, self.transport, self.tls = self.transport, None, True  # nothing read meanwhile
        assert raw is not None
        loop = asyncio.get_running_loop()
        self.transport = await loop.start_tls(raw, self, self.context, server_side=True)


async def serve(port: int, cert: str, key: str) -> None:
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    loop = asyncio.get_running_loop()
    server = await loop.create_server(lambda: Floor(context), "127.0.0.1", port, backlog=1024)
    stop = asyncio.Event()
    loop.add_signal_handler(signal.SIGTERM, stop.set)
    await stop.wait()
    server.close()


if __name__ == "__main__":
    uvloop.run(serve(int(sys.argv[1]), sys.argv[2], sys.argv[3]))
