"""SMTP clients for tests: a byte-exact one on asyncio streams (RawSmtp) for dialogues
real clients refuse to have, and smtplib one-liners for the usual questions."""

from __future__ import annotations

import asyncio
import contextlib
import smtplib
import ssl
import time

MUST_STARTTLS = (530, b"5.7.0 Must issue a STARTTLS command first")


class RawSmtp:
    """A byte-exact SMTP client on asyncio streams, for dialogues real clients refuse to do."""

    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.reader = reader
        self.writer = writer

    @classmethod
    async def connect(cls, port: int, host: str = "127.0.0.1",
                      source: str | None = None) -> RawSmtp:
        local = (source, 0) if source else None
        reader, writer = await asyncio.open_connection(host, port, local_addr=local)
        return cls(reader, writer)

    async def reply(self, timeout: float = 5.0) -> tuple[int, list[str]]:
        """One (possibly multi-line) reply: its code and its lines (without CRLF)."""
        lines: list[str] = []
        while True:
            raw = await asyncio.wait_for(self.reader.readline(), timeout)
            if not raw:
                raise ConnectionError("connection closed; got " + repr(lines))
            line = raw.decode().rstrip("\r\n")
            lines.append(line)
            if len(line) < 4 or line[3] != "-":
                return int(line[:3]), lines

    async def send(self, data: bytes | str) -> None:
        self.writer.write(data.encode() if isinstance(data, str) else data)
        await self.writer.drain()

    async def cmd(self, line: str) -> tuple[int, list[str]]:
        await self.send(line + "\r\n")
        return await self.reply()

    async def starttls(self, ctx: ssl.SSLContext, server_hostname: str = "mail.test") -> None:
        await self.writer.start_tls(ctx, server_hostname=server_hostname)

    async def closed_by_peer(self, timeout: float = 5.0) -> bool:
        """True once the server has closed the connection (EOF)."""
        data = await asyncio.wait_for(self.reader.read(), timeout)
        return data == b""

    async def close(self) -> None:
        self.writer.close()
        with contextlib.suppress(ConnectionError, ssl.SSLError):
            await self.writer.wait_closed()


def send_mail(port: int, sender: str = "a@partner.example") -> float:
    """One message through a listener, up to its 250 after DATA; the seconds it took."""
    start = time.monotonic()
    with smtplib.SMTP("127.0.0.1", port, timeout=10) as client:
        refused = client.sendmail(sender, ["user@example.com"], b"Subject: t\r\n\r\nhi\r\n")
    assert refused == {}
    return time.monotonic() - start


def starttls_offered(port: int) -> bool:
    with smtplib.SMTP("127.0.0.1", port, timeout=5) as client:
        client.ehlo("probe.example")
        return client.has_extn("starttls")


def smtp_works(port: int) -> bool:
    """The listener greets and answers EHLO."""
    with smtplib.SMTP("127.0.0.1", port, timeout=10) as client:
        return client.ehlo()[0] == 250
