"""The bare asyncio TLS ceiling: a server that completes a TLS handshake and closes.

    python bench/tls_ceiling.py PORT CERT KEY [--uvloop]

No SMTP, no disk: what asyncio's TLS layer (or uvloop's) costs per connection on
this core, the bound any TLS-per-connection server in Python meets. bench/peers.py
drives it with bench/loadgen.py's `handshake` mode.
"""

from __future__ import annotations

import argparse
import asyncio
import signal
import ssl


class Closer(asyncio.Protocol):
    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        transport.close()  # called once the handshake has completed


async def serve(port: int, cert: str, key: str) -> None:
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    loop = asyncio.get_running_loop()
    server = await loop.create_server(Closer, "127.0.0.1", port, ssl=context, backlog=1024)
    stop = asyncio.Event()
    loop.add_signal_handler(signal.SIGTERM, stop.set)
    await stop.wait()
    server.close()


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("port", type=int)
    p.add_argument("cert")
    p.add_argument("key")
    p.add_argument("--uvloop", action="store_true")
    args = p.parse_args()
    if args.uvloop:
        import uvloop

        uvloop.run(serve(args.port, args.cert, args.key))
    else:
        asyncio.run(serve(args.port, args.cert, args.key))


if __name__ == "__main__":
    main()
