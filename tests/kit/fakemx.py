"""A fake remote MX for outbound tests: a real SMTP server on asyncio streams (loopback).

Each `Behaviour` field is one way a remote MX can treat the gateway: offer STARTTLS
or not, refuse it (454), break the handshake after its 220, inject bytes after the
220 in the same packet, serve a given certificate, answer RCPT/DATA with given
codes. Every message received is recorded with whether it came over TLS and on
which connection, so tests count deliveries and connections at the receiving end;
`active`/`max_active` count simultaneous connections, and clearing `release`
holds every DATA reply (`in_data` counts the held ones) until it is set again.
"""

from __future__ import annotations

import asyncio
import ssl
from dataclasses import dataclass, field
from typing import Self


@dataclass
class Behaviour:
    starttls: bool = True
    starttls_reply: str = "220 Ready to start TLS"
    break_handshake: bool = False  # send plain bytes instead of a TLS handshake
    inject: bytes = b""  # sent in the same packet right after the STARTTLS reply
    context: ssl.SSLContext | None = None
    rcpt_reply: dict[str, str] = field(default_factory=dict)  # address -> reply
    mail_reply: str = "250 2.1.0 Ok"
    pipelining: bool = True  # offered in EHLO (when not, commands sent ahead are counted)
    data_reply: str = "250 2.0.0 Ok: queued"
    greeting: str = "220 mx.fake ESMTP"
    tls_extensions: tuple[str, ...] = ()  # offered only after STARTTLS (e.g. REQUIRETLS)
    max_rcpts: int = 0  # recipients a transaction takes, the next ones 452 (0: no limit)
    size: int = 10240000  # EHLO's SIZE (RFC 1870); 0: SIZE not offered


@dataclass
class Received:
    sender: str
    recipients: list[str]
    data: bytes
    tls: bool
    helo_after_tls: str = ""
    connection: int = 0  # 1-based number of the connection that carried it
    mail_params: tuple[str, ...] = ()  # after MAIL FROM:<...> (e.g. REQUIRETLS)


class FakeMX:
    def __init__(self, behaviour: Behaviour, host: str = "127.0.0.1", port: int = 0) -> None:
        self.behaviour = behaviour
        self.host = host
        self.port = port
        self.messages: list[Received] = []
        self.connections = 0
        self.active = 0  # connections open right now
        self.max_active = 0
        self.in_data = 0  # sessions whose DATA reply waits for `release`
        self.release = asyncio.Event()
        self.release.set()
        self.commands: list[str] = []
        self.sent_ahead = 0  # commands that came before the reply to the one before
        self._server: asyncio.Server | None = None
        self.hold_at: int | None = None  # hold the DATA reply of this (1-based) message
        self.holding = asyncio.Event()
        self._sessions: set[asyncio.Task[None] | None] = set()

    async def __aenter__(self) -> Self:
        self._server = await asyncio.start_server(self._serve, self.host, self.port)
        self.port = self._server.sockets[0].getsockname()[1]
        return self

    async def __aexit__(self, *exc: object) -> None:
        assert self._server is not None
        self._server.close()
        await self._server.wait_closed()
        live = [t for t in self._sessions if t is not None and not t.done()]
        for task in live:  # e.g. a session held mid-DATA whose client was killed
            task.cancel()
        await asyncio.gather(*live, return_exceptions=True)

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.connections += 1
        self.active += 1
        self.max_active = max(self.max_active, self.active)
        self._sessions.add(asyncio.current_task())
        try:
            await _Session(self, reader, writer, self.connections).run()
        except (ConnectionError, ssl.SSLError, asyncio.IncompleteReadError, OSError):
            pass
        finally:
            self.active -= 1
            writer.close()


class _Session:
    def __init__(
        self, mx: FakeMX, reader: asyncio.StreamReader, writer: asyncio.StreamWriter, number: int
    ) -> None:
        self.mx, self.b, self.number = mx, mx.behaviour, number
        self.reader, self.writer = reader, writer
        self.tls = False
        self.sender = ""
        self.rcpts: list[str] = []
        self.helo = ""
        self.params: tuple[str, ...] = ()
        self.in_mail = False  # a MAIL was accepted and its transaction is open

    async def say(self, line: str, extra: bytes = b"") -> None:
        self.writer.write(line.encode() + b"\r\n" + extra)
        await self.writer.drain()

    async def run(self) -> None:
        await self.say(self.b.greeting)
        while True:
            raw = await self.reader.readline()
            if not raw:
                return
            line = raw.decode(errors="replace").rstrip("\r\n")
            self.mx.commands.append(line)
            if not self.b.pipelining and self.reader._buffer:  # (a StreamReader's own)
                self.mx.sent_ahead += 1
            if not await self.handle(line):
                return

    async def handle(self, line: str) -> bool:
        verb = line[:4].upper()
        if verb == "EHLO":
            self.helo = line[5:]
            ext = ["250-mx.fake", *(["250-PIPELINING"] if self.b.pipelining else []),
                   "250-8BITMIME"]
            if self.b.starttls and not self.tls:
                ext.append("250-STARTTLS")
            if self.tls:
                ext += [f"250-{name}" for name in self.b.tls_extensions]
            ext += [f"250-SIZE {self.b.size}"] if self.b.size else []
            ext[-1] = "250 " + ext[-1][4:]
            await self.say("\r\n".join(ext))
        elif verb == "HELO":
            await self.say("250 mx.fake")
        elif verb == "STAR":
            return await self.starttls()
        elif verb == "MAIL":
            path, _, params = line[10:].partition(">")
            self.sender, self.rcpts, self.params = path.strip("<> "), [], tuple(params.split())
            self.in_mail = self.b.mail_reply.startswith("250")
            await self.say(self.b.mail_reply)
        elif verb == "RCPT":
            await self.rcpt(line[8:].strip("<> "))
        elif verb == "DATA":
            await self.data()
        elif verb == "RSET":
            self.sender, self.rcpts, self.in_mail = "", [], False
            await self.say("250 2.0.0 Ok")
        elif verb == "QUIT":
            await self.say("221 2.0.0 Bye")
            return False
        else:
            await self.say("250 2.0.0 Ok")
        return True

    async def rcpt(self, address: str) -> None:
        reply = self.b.rcpt_reply.get(address, "250 2.1.5 Ok")
        if not self.in_mail:
            reply = "503 5.5.1 Error: need MAIL command"
        elif self.b.max_rcpts and len(self.rcpts) >= self.b.max_rcpts:
            reply = "452 4.5.3 Too many recipients"
        if reply.startswith("250"):
            self.rcpts.append(address)
        await self.say(reply)

    async def starttls(self) -> bool:
        if not self.b.starttls or self.tls:
            await self.say("502 5.5.1 not available")
            return True
        await self.say(self.b.starttls_reply, self.b.inject)
        if not self.b.starttls_reply.startswith("220"):
            return True
        if self.b.break_handshake or self.b.context is None:
            await self.reader.read(1)  # the client's ClientHello has begun
            self.writer.write(b"this is not TLS at all\r\n" * 4)
            await self.writer.drain()
            return False
        await self.writer.start_tls(self.b.context)
        self.tls = True
        self.sender, self.rcpts, self.in_mail = "", [], False
        return True

    async def data(self) -> None:
        if not self.rcpts:
            await self.say("503 5.5.1 No valid recipients")
            return
        await self.say("354 End data with <CR><LF>.<CR><LF>")
        body = bytearray()
        while True:
            raw = await self.reader.readline()
            if not raw:
                raise ConnectionError("EOF in DATA")
            if raw == b".\r\n":
                break
            body += raw[1:] if raw.startswith(b"..") else raw
        if self.mx.hold_at == len(self.mx.messages) + 1:
            self.mx.holding.set()
            await asyncio.Event().wait()  # never answered: the sender is killed meanwhile
        if not self.mx.release.is_set():
            self.mx.in_data += 1
            await self.mx.release.wait()
            self.mx.in_data -= 1
        await self.say(self.b.data_reply)
        if self.b.data_reply.startswith("250"):
            self.mx.messages.append(
                Received(
                    self.sender, list(self.rcpts), bytes(body), self.tls,
                    connection=self.number, mail_params=self.params,
                )
            )
        self.sender, self.rcpts, self.in_mail = "", [], False
