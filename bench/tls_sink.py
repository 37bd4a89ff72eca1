"""A STARTTLS SMTP sink for the relay bench: accepts and discards, counts messages.

    python bench/tls_sink.py PORT CERT KEY COUNTFILE

Offers STARTTLS and PIPELINING, answers 250 to each message and writes the number of
messages received so far into COUNTFILE (8 bytes, rewritten in place), which
bench/peers.py reads. uvloop is used when installed (its TLS layer is compiled), so
the sink costs less than the relays it measures.
"""

from __future__ import annotations

import asyncio
import os
import signal
import ssl
import struct
import sys

EHLO = (b"250-sink.bench\r\n250-PIPELINING\r\n250-8BITMIME\r\n250-SIZE 1073741824\r\n"
        b"250 STARTTLS\r\n")
EHLO_TLS = b"250-sink.bench\r\n250-PIPELINING\r\n250-8BITMIME\r\n250 SIZE 1073741824\r\n"


class Sink:
    def __init__(self, context: ssl.SSLContext, count_fd: int) -> None:
        self.context, self.count_fd, self.count = context, count_fd, 0

    def received(self) -> None:
        self.count += 1
        os.pwrite(self.count_fd, struct.pack("<q", self.count), 0)

    async def serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        tls = False
        writer.write(b"220 sink.bench ESMTP\r\n")
        try:
            while line := await reader.readline():
                verb = line[:4].upper()
                if verb == b"EHLO":
                    writer.write(EHLO_TLS if tls else EHLO)
                elif verb == b"STAR":
                    writer.write(b"220 go ahead\r\n")
                    await writer.drain()
                    await writer.start_tls(self.context)
                    tls = True
                elif verb == b"DATA":
                    writer.write(b"354 go\r\n")
                    while await reader.readline() not in (b".\r\n", b""):
                        pass
                    self.received()
                    writer.write(b"250 ok queued\r\n")
                elif verb == b"QUIT":
                    writer.write(b"221 bye\r\n")
                    break
                else:
                    writer.write(b"250 ok\r\n")
                if not reader._buffer:  # type: ignore[attr-defined]  # pipelined: answer at once
                    await writer.drain()
        except (OSError, ssl.SSLError):
            pass
        finally:
            writer.close()


async def main(port: int, cert: str, key: str, count_file: str) -> None:
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    fd = os.open(count_file, os.O_RDWR | os.O_CREAT, 0o600)
    sink = Sink(context, fd)
    server = await asyncio.start_server(sink.serve, "127.0.0.1", port, backlog=1024)
    stop = asyncio.Event()
    asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, stop.set)
    await stop.wait()
    server.close()


if __name__ == "__main__":
    try:
        import uvloop

        run = uvloop.run
    except ImportError:
        run = asyncio.run
    run(main(int(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4]))
