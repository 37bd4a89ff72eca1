"""Generic test helpers: waiting on conditions, a throwaway CA, an engine runner, a raw SMTP client.

Shared by the engine tests and the end-to-end tests. Nothing here sleeps for a
fixed time: `wait_until` polls a predicate until it holds or a timeout expires.
"""

from __future__ import annotations

import asyncio
import socket
import ssl
import time
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import asynccontextmanager, contextmanager
from pathlib import Path

import trustme

from engine.service import Engine, mail_logs_path
from state import certs
from state.model import Certificate, Config
from state.secrets import Secrets
from state.store import Store
from tests.loopback import loopback_dns


async def wait_until(
    predicate: Callable[[], object], timeout: float = 5.0, interval: float = 0.01
) -> None:
    """Poll `predicate` every `interval` s until it is truthy; fail after `timeout` s."""
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError(f"condition not met within {timeout} s: {predicate}")
        await asyncio.sleep(interval)


def wait_until_sync(
    predicate: Callable[[], object], timeout: float = 5.0, interval: float = 0.01
) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError(f"condition not met within {timeout} s: {predicate}")
        time.sleep(interval)


@contextmanager
def held_port() -> Iterator[int]:
    """A loopback port another program listens on, for as long as the block runs."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen()
        yield int(sock.getsockname()[1])


def make_ca() -> trustme.CA:
    return trustme.CA(key_type=trustme.KeyType.ECDSA)


def issue_certificate(
    ca: trustme.CA, secrets: Secrets, name: str, hostnames: tuple[str, ...] = ("mail.test", "127.0.0.1")
) -> Certificate:
    """A certificate profile signed by `ca`, its key stored in the secrets area."""
    leaf = ca.issue_cert(*hostnames, key_type=trustme.KeyType.ECDSA)
    key = certs.parse_private_key(leaf.private_key_pem.bytes().decode())
    key_id = secrets.put_key(key)
    chain = tuple(blob.bytes().decode() for blob in leaf.cert_chain_pems)
    return Certificate(name=name, chain=chain, key_id=key_id)


def client_context(ca: trustme.CA) -> ssl.SSLContext:
    ctx = ssl.create_default_context()
    ca.configure_trust(ctx)
    return ctx


def read_mail_logs(data_dir: Path) -> str:
    path = mail_logs_path(data_dir)
    return path.read_text() if path.exists() else ""


def log_has(data_dir: Path, text: str) -> Callable[[], bool]:
    return lambda: text in read_mail_logs(data_dir)


@asynccontextmanager
async def running_engine(
    data_dir: Path, config: Config | None = None, **kwargs: object
) -> AsyncIterator[Engine]:
    """Start an Engine on `data_dir` (writing `config` as the first version if the store
    is empty; no validation, so port 0 is fine) and stop it on exit."""
    store = Store(data_dir)
    if config is not None and store.is_empty():
        store.write(loopback_dns(config), None, "test", "test", "test")
    engine = Engine(data_dir, store, Secrets(data_dir), **kwargs)  # type: ignore[arg-type]
    await engine.start()
    try:
        yield engine
    finally:
        await engine.stop()
        store.close()


class RawSmtp:
    """A byte-exact SMTP client on asyncio streams, for dialogues real clients refuse to do."""

    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.reader = reader
        self.writer = writer

    @classmethod
    async def connect(cls, port: int, host: str = "127.0.0.1") -> RawSmtp:
        reader, writer = await asyncio.open_connection(host, port)
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
        try:
            await self.writer.wait_closed()
        except (ConnectionError, ssl.SSLError):
            pass
