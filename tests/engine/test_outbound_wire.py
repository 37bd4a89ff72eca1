"""The client end of an outbound connection (engine/outbound/wire.py) against MXs that
misbehave: what is not a reply, a reply without end, no reply at all, a reply split
across packets and replies that come together. Each is a clear error on that
connection (`smtpconn.connect` makes it a ConnectError), never a hang or a traceback.

The MX is a scripted asyncio server on loopback: `lines` are written, one packet
each, as the client's commands arrive. Every test runs on asyncio's loop and on uvloop's
(the engine's, under `esacli run`), whose transports are no subclasses of asyncio's."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable, Coroutine
from contextlib import asynccontextmanager
from typing import Any

import pytest
import uvloop

from engine.errors import ConnectError
from engine.outbound import smtpconn
from engine.outbound.resolver import Target
from engine.outbound.wire import Client

Script = Callable[[asyncio.StreamReader, asyncio.StreamWriter], object]


@asynccontextmanager
async def mx(script: Script) -> AsyncIterator[int]:
    async def serve(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            await script(reader, writer)  # type: ignore[misc]
        except ConnectionError:
            pass
        finally:
            writer.close()

    server = await asyncio.start_server(serve, "127.0.0.1", 0)
    try:
        yield server.sockets[0].getsockname()[1]
    finally:
        server.close()


Runner = Callable[[Coroutine[Any, Any, Any]], Any]


@pytest.fixture(params=["asyncio", "uvloop"])
def run(request: pytest.FixtureRequest) -> Runner:
    return uvloop.run if request.param == "uvloop" else asyncio.run  # type: ignore[return-value]


def greeting_then(*packets: bytes) -> Script:
    async def script(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        for packet in packets:
            writer.write(packet)
            await writer.drain()
            if not await reader.readline():
                return
        await reader.read()

    return script


@pytest.mark.parametrize(("packets", "why"), [
    ((b"hello there\r\n",), "Malformed SMTP response line: 'hello there'"),
    ((b"220" + b"x" * 10_000,), "Response line too long"),
    ((b"220 mx\r\n", b"250-mx\r\n" * 10_000,), "Response too long"),
    ((b"220 mx\r\n", b"25O mx\r\n"), "Malformed SMTP response line: '25O mx'"),
    ((b"220 mx\r\n", b"250mx\r\n"), "Malformed SMTP response line: '250mx'"),
])
def test_what_is_not_a_reply_fails_the_connection(run: Runner, packets: tuple[bytes, ...],
                                                  why: str) -> None:
    assert run(connect_fails(greeting_then(*packets), 5)) == why


def test_no_reply_times_out(run: Runner) -> None:
    assert run(connect_fails(greeting_then(b"220 mx\r\n", b""), 0.3)) == (
        "Timed out waiting for server response")


async def connect_fails(script: Script, timeout: float) -> str:
    async with mx(script) as port:
        with pytest.raises(ConnectError) as caught:
            await smtpconn.connect(Target("mx.test", "127.0.0.1", port), "gw.test", timeout)
    return caught.value.reason


async def split_and_joined(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    writer.write(b"22")
    await writer.drain()
    writer.write(b"0 mx ESMTP\r\n")
    await reader.readline()  # EHLO
    writer.write(b"250-mx\r\n250-PIPE")
    await writer.drain()
    writer.write(b"LINING\r\n250 SIZE 100\r\n")
    for _ in range(3):
        await reader.readline()  # MAIL, RCPT, DATA in one packet
    writer.write(b"250 2.1.0 Ok\r\n550 5.1.1 No\r\n503 5.5.1 No valid recipients\r\n")
    await reader.readline()  # QUIT
    writer.write(b"221 Bye\r\n")


def test_split_and_joined_replies_pair_with_their_commands(run: Runner) -> None:
    async def client_side() -> list[str]:
        async with mx(split_and_joined) as port:
            client, greeting = await Client.open("127.0.0.1", port, 5)
            ehlo = await client.hello("gw.test")
            assert ehlo.text == "mx\nPIPELINING\nSIZE 100" and client.supports("pipelining")
            sent = await client.envelope("MAIL FROM:<a@b.test>", ["RCPT TO:<c@d.test>"])
            await client.quit(5)
            assert not client.is_connected
        return [str(greeting), str(sent.mail), *(str(r) for r in sent.rcpts), str(sent.data)]

    assert run(client_side()) == [
        "220 mx ESMTP", "250 2.1.0 Ok", "550 5.1.1 No", "503 5.5.1 No valid recipients"]


def test_a_command_with_a_line_break_is_never_sent(run: Runner) -> None:
    async def client_side() -> str:
        async with mx(greeting_then(b"220 mx\r\n", b"250 mx\r\n")) as port:
            client, _ = await Client.open("127.0.0.1", port, 5)
            with pytest.raises(ValueError):
                client.send("MAIL FROM:<a@b.test>\r\nRCPT TO:<x@y.test>")
            reply = await client.command("EHLO gw.test")
            client.close()
        return str(reply)

    assert run(client_side()) == "250 mx"


SCAN = 1.0  # seconds the MX takes to answer the final dot


async def slow_to_take(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    """Answers the final dot only after SCAN seconds (a filter at work), longer than the
    client's timeout for every other reply."""
    writer.write(b"220 mx\r\n")
    await reader.readline()  # EHLO
    writer.write(b"250 mx\r\n")
    for reply in (b"250 2.1.0 Ok\r\n", b"250 2.1.5 Ok\r\n", b"354 go\r\n"):
        await reader.readline()  # MAIL, RCPT, DATA
        writer.write(reply)
    while await reader.readline() != b".\r\n":
        pass
    await asyncio.sleep(SCAN)  # the peer's pace (its filter), not the test waiting
    writer.write(b"250 2.0.0 queued after a scan\r\n")
    await reader.readline()


def test_the_reply_to_the_final_dot_may_take_longer_than_other_replies(run: Runner) -> None:
    async def client_side() -> str:
        async with mx(slow_to_take) as port:
            client, _ = await Client.open("127.0.0.1", port, SCAN / 4)
            await client.hello("gw.test")
            sent = await client.envelope("MAIL FROM:<a@b.test>", ["RCPT TO:<c@d.test>"])
            assert sent.data is not None and sent.data.code == 354
            reply = await client.content(b"Subject: x\r\n\r\nhi\r\n")
            client.close()
        return str(reply)

    assert run(client_side()) == "250 2.0.0 queued after a scan"
