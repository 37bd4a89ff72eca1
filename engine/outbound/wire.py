"""The client end of one outbound SMTP connection: commands out, replies in, STARTTLS.

Our own, where aiosmtplib was: a message's MAIL, RCPTs and DATA go out in one write when
the server offers PIPELINING (RFC 2920 §3.1), two round trips a message where one command
at a time took three and one per recipient, and a reply is awaited under one timer, not
a task of its own. Replies are parsed as they arrive and kept in order, so the replies of
a pipelined group are read one after the other.

Every failure is a `WireError`: `Disconnected` when the connection ends, `Timeout` when
a reply (or the connection) does not come in time, or the server stops taking the
content, `Malformed` for what is not a reply. Replies the server sends ahead of the
commands that take them are read only up to `MAX_PENDING`: then reading waits.
A reply that says no is a `Reply`, for the caller to judge; TLS errors are the ssl
module's (an OSError), as the caller classifies them.
"""

from __future__ import annotations

import asyncio
import re
import ssl
from collections import deque
from typing import Any, NamedTuple, cast

MAX_LINE = 8192  # RFC 5321 §4.5.3.1.5 says 512; servers write longer, none this long
MAX_REPLY = 64 * 1024  # a multi-line reply (EHLO's), all its lines
CHUNK = 64 * 1024  # content is written this much at a time, each waiting for the socket
# The reply to the final dot (RFC 5321 §4.5.3.2.6: 10 minutes): the server may be scanning
# the message, and a client that gives up sooner sends it again, a duplicate, at the retry.
DATA_DONE_TIMEOUT = 600.0
# Replies read ahead of the commands that take them: past this many, reading pauses until
# they are taken (a server flooding replies would otherwise fill memory and the event loop).
MAX_PENDING = 1000
_CODE = re.compile(rb"[2-5][0-9][0-9]")
_LEADING_DOT = re.compile(rb"^\.", re.MULTILINE)


class WireError(Exception):
    """The connection failed (it is not used again)."""


class Disconnected(WireError):
    pass


class Timeout(WireError):
    pass


class Malformed(WireError):
    pass


class Reply(NamedTuple):
    code: int
    text: str  # the lines' texts (after the code), joined by newlines

    @property
    def ok(self) -> bool:
        return 200 <= self.code < 300

    def __str__(self) -> str:
        return f"{self.code} {self.text}"


class Envelope(NamedTuple):
    """The replies to a message's MAIL, each RCPT and DATA; None for what was not sent
    (without PIPELINING nothing follows a refused MAIL, and no DATA follows when every
    RCPT was refused)."""

    mail: Reply
    rcpts: list[Reply | None]
    data: Reply | None


class _Replies(asyncio.Protocol):
    """The connection's protocol: bytes in, whole replies out, in order."""

    def __init__(self) -> None:
        self.transport: asyncio.Transport | None = None
        self._buffer = bytearray()
        self._lines: list[str] = []  # the lines so far of a multi-line reply
        self._code = b""  # and their code
        self._size = 0
        self._replies: deque[Reply] = deque()
        self._error: WireError | None = None
        self._waiter: asyncio.Future[None] | None = None
        self._writable: asyncio.Future[None] | None = None
        self._paused = False  # reading, while MAX_PENDING replies wait to be taken

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        # (uvloop's transports are no subclasses of asyncio's: no isinstance check)
        self.transport = cast(asyncio.Transport, transport)

    def data_received(self, data: bytes) -> None:
        self._buffer += data
        while self._error is None:
            end = self._buffer.find(b"\n")
            if end < 0:
                break
            line = bytes(self._buffer[: end + 1])
            del self._buffer[: end + 1]
            self._line(line)
        if len(self._buffer) > MAX_LINE:
            self._fail(Malformed("Response line too long"))
        if len(self._replies) >= MAX_PENDING and not self._paused and self._error is None:
            assert self.transport is not None
            self.transport.pause_reading()
            self._paused = True
        self._wake()

    def _resume(self) -> None:
        if self._paused and len(self._replies) < MAX_PENDING:
            self._paused = False
            if self.transport is not None and not self.transport.is_closing():
                self.transport.resume_reading()

    def _line(self, line: bytes) -> None:
        if len(line) > MAX_LINE or not _CODE.match(line) or line[3:4] not in b" -\r\n":
            text = line[:80].decode("ascii", "replace").rstrip()
            self._fail(Malformed(f"Malformed SMTP response line: {text!r}"))
            return
        self._size += len(line)
        if self._size > MAX_REPLY:
            self._fail(Malformed("Response too long"))
            return
        if self._lines and line[:3] != self._code:  # RFC 5321 §4.2.1: one code a reply
            self._fail(Malformed(f"Multi-line reply changes its code to {line[:3].decode()}"))
            return
        self._code = line[:3]
        self._lines.append(line[4:].strip(b" \t\r\n").decode("utf-8", "replace"))
        if line[3:4] != b"-":
            self._replies.append(Reply(int(line[:3]), "\n".join(self._lines)))
            self._lines, self._size = [], 0

    def eof_received(self) -> bool:
        self._fail(Disconnected("Unexpected EOF received"))
        return False

    def connection_lost(self, exc: Exception | None) -> None:
        self._fail(Disconnected(f"Connection lost: {exc}" if exc else "Connection lost"))
        self.transport = None
        self._wake()
        if self._writable is not None and not self._writable.done():
            self._writable.set_result(None)

    def pause_writing(self) -> None:
        if self._writable is None or self._writable.done():
            self._writable = asyncio.get_running_loop().create_future()

    def resume_writing(self) -> None:
        if self._writable is not None and not self._writable.done():
            self._writable.set_result(None)

    def fail(self, error: WireError) -> None:
        """End the connection now (abort: what is still buffered is dropped)."""
        self._fail(error)

    def _fail(self, error: WireError) -> None:
        if self._error is None:
            self._error = error
        if self.transport is not None and not isinstance(error, Disconnected):
            self.transport.abort()

    def _wake(self) -> None:
        if self._waiter is not None and not self._waiter.done() and (
                self._replies or self._error is not None):
            self._waiter.set_result(None)

    def forget_pending(self) -> None:
        """Drop whatever arrived after the last reply taken (before TLS starts: nothing
        sent in the clear may be read as if it came over TLS)."""
        self._buffer.clear()
        self._replies.clear()
        self._lines, self._size = [], 0
        self._resume()

    async def reply(self, timeout: float) -> Reply:
        if not self._replies and self._error is None:
            self._waiter = asyncio.get_running_loop().create_future()
            try:
                async with asyncio.timeout(timeout):
                    await self._waiter
            except TimeoutError:
                # A reply that comes later would be read as the next command's: the
                # connection is out of step for good, so it ends here.
                late = Timeout("Timed out waiting for server response")
                self._fail(late)
                raise late from None
            finally:
                self._waiter = None
        if self._replies:
            reply = self._replies.popleft()
            self._resume()
            return reply
        assert self._error is not None
        raise self._error

    async def writable(self) -> None:
        if self._writable is not None:
            await self._writable
        if self._error is not None:
            raise self._error


class Client:
    """One SMTP connection, from `open` (greeting read) to `close`."""

    def __init__(self, protocol: _Replies, timeout: float) -> None:
        self._protocol = protocol
        self.timeout = timeout
        self.extensions: dict[str, str] = {}  # the last EHLO's, keywords upper case
        self.ehlo_reply: Reply | None = None

    @classmethod
    async def open(cls, host: str, port: int, timeout: float) -> tuple[Client, Reply]:
        """Connect and read the greeting (whatever its code: the caller judges it)."""
        loop = asyncio.get_running_loop()
        try:
            async with asyncio.timeout(timeout):
                _, protocol = await loop.create_connection(_Replies, host, port)
        except TimeoutError:
            raise Timeout(f"Timed out connecting to {host} on port {port}") from None
        client = cls(protocol, timeout)
        try:
            greeting = await protocol.reply(timeout)
        except BaseException:
            client.close()
            raise
        return client, greeting

    @property
    def is_connected(self) -> bool:
        transport = self._protocol.transport
        return transport is not None and not transport.is_closing()

    def info(self, name: str) -> Any:
        """The transport's extra info (`sockname`, `ssl_object`), None when closed."""
        transport = self._protocol.transport
        return None if transport is None else transport.get_extra_info(name)

    def supports(self, extension: str) -> bool:
        return extension.upper() in self.extensions

    @property
    def size_limit(self) -> int:
        """The largest message the server said it takes (EHLO's SIZE, RFC 1870); 0: none."""
        value = self.extensions.get("SIZE", "")
        # RFC 1870: at most 20 digits (Python refuses to read more than 4300 at all)
        return int(value) if value.isdigit() and value.isascii() and len(value) <= 20 else 0

    def send(self, *lines: str) -> None:
        """Commands, in one write (a pipelined group, or one)."""
        if any("\r" in line or "\n" in line for line in lines):
            raise ValueError("a command holds a line break")
        transport = self._protocol.transport
        if transport is None or transport.is_closing():
            raise Disconnected("Connection lost")
        transport.write("".join(line + "\r\n" for line in lines).encode("ascii"))

    async def reply(self) -> Reply:
        return await self._protocol.reply(self.timeout)

    async def command(self, line: str) -> Reply:
        self.send(line)
        return await self.reply()

    async def hello(self, name: str, verb: str = "EHLO") -> Reply:
        reply = await self.command(f"{verb} {name}")
        if verb == "EHLO" and reply.code == 250:
            self.ehlo_reply = reply
            self.extensions = _extensions(reply.text)
        return reply

    async def starttls(self, context: ssl.SSLContext, server_hostname: str) -> Reply:
        """STARTTLS; on its 220 the TLS handshake (ssl errors raised as they come). What
        the server offered before is forgotten: EHLO again."""
        reply = await self.command("STARTTLS")
        if reply.code != 220:
            return reply
        protocol = self._protocol
        protocol.forget_pending()
        transport = protocol.transport
        if transport is None:
            raise Disconnected("Connection lost")
        self.extensions, self.ehlo_reply = {}, None
        tls = await asyncio.get_running_loop().start_tls(
            transport, protocol, context, server_hostname=server_hostname,
            ssl_handshake_timeout=self.timeout)
        if tls is None:
            raise Disconnected("Connection lost")
        protocol.transport = tls  # type: ignore[assignment]
        return reply

    async def envelope(self, mail: str, rcpts: list[str]) -> Envelope:
        """A message's MAIL, RCPTs and DATA: pipelined when the server offers it."""
        if self.supports("PIPELINING"):
            self.send(mail, *rcpts, "DATA")
            first = await self.reply()
            answers: list[Reply | None] = [await self.reply() for _ in rcpts]
            return Envelope(first, answers, await self.reply())
        first = await self.command(mail)
        if not first.ok:
            return Envelope(first, [None] * len(rcpts), None)
        answers = [await self.command(rcpt) for rcpt in rcpts]
        if not any(answer.ok for answer in answers if answer is not None):
            return Envelope(first, answers, None)
        return Envelope(first, answers, await self.command("DATA"))

    async def content(self, data: bytes) -> Reply:
        """After DATA's 354: `data` (CRLF line ends) dot-stuffed, the end of data, the
        reply (waited for DATA_DONE_TIMEOUT); written a chunk at a time as the socket
        takes it, each chunk within the connection's timeout."""
        data = _LEADING_DOT.sub(b"..", data) + b".\r\n"
        view = memoryview(data)
        for start in range(0, len(view), CHUNK):
            transport = self._protocol.transport
            if transport is None or transport.is_closing():
                raise Disconnected("Connection lost")
            transport.write(view[start : start + CHUNK])
            try:  # a server that stops reading must not hold the connection for good
                async with asyncio.timeout(self.timeout):
                    await self._protocol.writable()
            except TimeoutError:
                self._protocol.fail(Timeout("Timed out sending message content"))
                raise Timeout("Timed out sending message content") from None
        return await self._protocol.reply(max(self.timeout, DATA_DONE_TIMEOUT))

    async def quit(self, timeout: float) -> None:
        """QUIT, its reply awaited at most `timeout`; the connection closed in any case."""
        try:
            if self.is_connected:
                self.send("QUIT")
                self.timeout = min(self.timeout, timeout)
                await self.reply()
        finally:
            self.close()

    def close(self) -> None:
        transport = self._protocol.transport
        if transport is not None:
            transport.close()


def _extensions(text: str) -> dict[str, str]:
    """EHLO's keywords (upper case) and their parameters; its first line is the name."""
    found = {}
    for line in text.split("\n")[1:]:
        keyword, _, params = line.partition(" ")
        if keyword:
            found[keyword.upper()] = params.strip()
    return found
