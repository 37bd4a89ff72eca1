"""Remote MXs that misbehave, against delivery and the queue: nothing a peer says may lose
a message, wedge its domain's delivery or have the queue try it again at once.

- a multi-line refusal whose second line reads like a header field ("550-No such user",
  "550 Reason: unknown") bounced with a DSN that could not be built: the recipient was
  left due and delivery went round in a loop (thousands of connections a minute); the
  bounce now shows the reply on one line, escaped as mail_logs has it, and a bounce
  that cannot be made is deferred with the backoff, never due again at once;
- "250" in reply to DATA (no 354) counted as delivered though no content was sent;
- a server that answers 354 and stops reading held the connection (and its domain's
  delivery) for good: the content is written under the connection's timeout;
- a server flooding replies ahead of the commands filled memory and kept the event loop
  (every other domain's delivery) busy: reading pauses once enough replies wait.
"""

from __future__ import annotations

import asyncio
import email
import itertools
import socket
from collections.abc import AsyncIterator, Callable, Coroutine
from contextlib import asynccontextmanager
from email.message import Message
from pathlib import Path
from typing import Any, cast

import pytest
import uvloop

from engine.outbound import scheduler, wire
from engine.outbound.jobs import Job
from engine.outbound.wire import Client, Timeout
from engine.queue.admin import QueueAdmin, QueuedRecipient
from engine.queue.manager import QueueOptions
from state.model import Config, DeliverySettings, Route, RouteHost, TLSMode, replace
from tests.engine.outbound_kit import DOMAIN, FakeClock, deliver_jobs, outbound_config
from tests.kit.engine import read_mail_logs, running_engine
from tests.kit.fakemx import Behaviour, FakeMX
from tests.kit.queue import Queued, body, legacy_queue
from tests.kit.waiting import wait_until_async

MID = 800001
RETRY = 60
HEADER_LIKE = "550-No such user\r\n550 Reason: unknown"  # the 2nd line reads "Reason: ..."
SENDER = "a@sender.test"


def config_for(port: int) -> Config:
    hosts = (RouteHost(host="127.0.0.1", port=port),)
    config = outbound_config(None, tls=TLSMode.NO, max_concurrency=1)
    routes = (Route(domain=DOMAIN, hosts=hosts), Route(domain="sender.test", hosts=hosts))
    return replace(config, routes=routes, delivery=DeliverySettings(initial_retry_seconds=RETRY))


def diagnostic_code(dsn: bytes) -> str:
    """The first recipient's Diagnostic-Code of a DSN, unfolded (folding breaks before a
    space)."""
    report = email.message_from_bytes(dsn)
    [status] = [p for p in report.walk() if p.get_content_type() == "message/delivery-status"]
    blocks = cast(list[Message], status.get_payload())
    return str(blocks[1]["Diagnostic-Code"]).replace("\r\n", "").replace("\n", "")


def words(dsn: bytes) -> str:
    """The DSN's first part, the words for people."""
    parts = cast(list[Message], email.message_from_bytes(dsn).get_payload())
    return cast(bytes, parts[0].get_payload(decode=True)).decode()


def row(tmp_path: Path) -> QueuedRecipient:
    [found] = [r for r in QueueAdmin(tmp_path).recipients() if r.mid == MID]
    return found


async def test_a_multi_line_refusal_bounces_once_with_the_reply_on_one_line(
    tmp_path: Path,
) -> None:
    clock = FakeClock()
    address = f"gone@{DOMAIN}"
    behaviour = Behaviour(starttls=False, rcpt_reply={address: HEADER_LIKE + " \x1b[2J"})
    async with FakeMX(behaviour) as mx:
        legacy_queue(tmp_path, [Queued(MID, SENDER, (address,), body(MID))], clock.now())
        options = QueueOptions(mx_port=mx.port, clock=clock, poll_interval=0.02)
        async with running_engine(tmp_path, config_for(mx.port), outbound=options):
            await wait_until_async(lambda: mx.messages, timeout=10, what="the bounce")
            await wait_until_async(lambda: row(tmp_path).status == "bounced", timeout=10)
    assert mx.connections == 2  # the delivery and the bounce: no loop
    [dsn] = mx.messages
    assert dsn.sender == "" and dsn.recipients == [SENDER]
    assert diagnostic_code(dsn.data) == ("smtp; 5.1.0 - Unknown address error ('550', "
                          "['No such user\\nReason: unknown \\x1b[2J'])")
    shown = words(dsn.data)
    assert "No such user\\nReason: unknown \\x1b[2J" in shown and "\x1b" not in shown
    assert "HeaderParseError" not in read_mail_logs(tmp_path)


async def test_a_bounce_that_cannot_be_made_is_deferred_not_due_again_at_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*args: object, **kwargs: object) -> bytes:
        raise RuntimeError("no DSN")

    monkeypatch.setattr("engine.queue.results.build_dsn", broken)
    clock = FakeClock()
    address = f"gone@{DOMAIN}"
    behaviour = Behaviour(starttls=False, rcpt_reply={address: "550 5.1.1 No such user"})
    async with FakeMX(behaviour) as mx:
        legacy_queue(tmp_path, [Queued(MID, SENDER, (address,), body(MID))], clock.now())
        options = QueueOptions(mx_port=mx.port, clock=clock, poll_interval=0.02)
        async with running_engine(tmp_path, config_for(mx.port), outbound=options) as engine:
            await wait_until_async(lambda: row(tmp_path).attempts == 1, timeout=10)
            for _ in range(5):  # ticks that must not deliver it again before the retry
                await engine.queue.tick()  # type: ignore[union-attr]
    assert mx.connections == 1
    found = row(tmp_path)
    assert found.status == "queued" and found.next_attempt == clock.now() + RETRY
    assert found.reason == "4.3.0 - Internal error ('000', ['RuntimeError'])"


async def test_a_message_with_8_bit_headers_bounces_with_them_quoted_printable(
    tmp_path: Path,
) -> None:
    """A header of UTF-8 text (taken under 8BITMIME) made the bounce fail to build: the
    message was deferred again and again, never bounced, its sender never told."""
    clock = FakeClock()
    address = f"gone@{DOMAIN}"
    behaviour = Behaviour(starttls=False, rcpt_reply={address: "550 5.1.1 No such user"})
    content = "Subject: caf\u00e9 \u2603\r\n\r\nbody\r\n".encode()
    async with FakeMX(behaviour) as mx:
        legacy_queue(tmp_path, [Queued(MID, SENDER, (address,), content)], clock.now())
        options = QueueOptions(mx_port=mx.port, clock=clock, poll_interval=0.02)
        async with running_engine(tmp_path, config_for(mx.port), outbound=options):
            await wait_until_async(lambda: mx.messages, timeout=10, what="the bounce")
            await wait_until_async(lambda: row(tmp_path).status == "bounced", timeout=10)
    [dsn] = mx.messages
    assert dsn.data.isascii()
    [headers] = [p for p in email.message_from_bytes(dsn.data).walk()
                 if p.get_content_type() == "text/rfc822-headers"]
    assert headers["Content-Transfer-Encoding"] == "quoted-printable"
    assert cast(bytes, headers.get_payload(decode=True)).decode() == "Subject: caf\u00e9 \u2603\r\n"


async def test_an_expired_message_whose_bounce_fails_does_not_stop_the_queue(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The bounce at the queue lifetime ran outside any guard: a message whose bounce
    could not be made stopped every tick before it started a single delivery."""
    def broken(*args: object, **kwargs: object) -> bytes:
        raise RuntimeError("no DSN")

    monkeypatch.setattr("engine.queue.results.build_dsn", broken)
    clock = FakeClock()
    async with FakeMX(Behaviour(starttls=False)) as mx:
        old = Queued(MID, SENDER, (f"old@{DOMAIN}",), body(MID))
        legacy_queue(tmp_path, [old], clock.now() - 100 * 3600)  # past the 72 h lifetime
        legacy_queue(tmp_path, [Queued(MID + 1, SENDER, (f"new@{DOMAIN}",), body(MID + 1))],
                     clock.now())
        options = QueueOptions(mx_port=mx.port, clock=clock, poll_interval=0.02)
        async with running_engine(tmp_path, config_for(mx.port), outbound=options):
            await wait_until_async(lambda: mx.messages, timeout=10, what="the new message")
            await wait_until_async(lambda: row(tmp_path).attempts == 1, timeout=10)
    assert [m.recipients for m in mx.messages] == [[f"new@{DOMAIN}"]]
    found = row(tmp_path)
    assert found.status == "queued" and found.next_attempt == clock.now() + RETRY
    assert found.reason == "4.3.0 - Internal error ('000', ['RuntimeError'])"


# -- scripted MXs -------------------------------------------------------------------
Script = Callable[[asyncio.StreamReader, asyncio.StreamWriter], Coroutine[Any, Any, None]]


@asynccontextmanager
async def scripted(script: Script, receive_buffer: int | None = None) -> AsyncIterator[int]:
    """A loopback server running `script` on each connection; its port."""
    sock = socket.socket()
    if receive_buffer is not None:  # (set before listen: accepted sockets inherit it)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, receive_buffer)
    sock.bind(("127.0.0.1", 0))
    tasks: set[asyncio.Task[None]] = set()

    async def serve(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        assert task is not None
        tasks.add(task)
        try:
            await script(reader, writer)
        except (ConnectionError, asyncio.IncompleteReadError):
            pass
        finally:
            writer.close()

    server = await asyncio.start_server(serve, sock=sock)
    try:
        yield sock.getsockname()[1]
    finally:
        server.close()
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)


def answering(data_reply: bytes, *, read_content: bool = True) -> Script:
    """220, EHLO (no PIPELINING), MAIL and RCPT taken, DATA answered with `data_reply`;
    after a 354 the content is read (or, not `read_content`, never read at all)."""
    async def script(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        writer.write(b"220 hostile ESMTP\r\n")
        while line := await reader.readline():
            verb = line[:4].upper()
            if verb == b"DATA":
                writer.write(data_reply)
                await writer.drain()
                if data_reply.startswith(b"354"):
                    if not read_content:
                        await asyncio.Event().wait()
                    while (await reader.readline()) not in (b".\r\n", b""):
                        pass
                    writer.write(b"250 2.0.0 queued\r\n")
            elif verb == b"QUIT":
                writer.write(b"221 bye\r\n")
                return
            else:
                writer.write(b"250 hostile\r\n")
            await writer.drain()

    return script


def routed(port: int) -> Config:
    config = outbound_config(None, tls=TLSMode.NO)
    return replace(config, routes=(Route(domain=DOMAIN, hosts=(
        RouteHost(host="127.0.0.1", port=port),)),))


def job(content: bytes = b"Subject: t\r\n\r\nhi\r\n") -> Job:
    return Job(MID, SENDER, [0], [f"u@{DOMAIN}"], lambda: content, len(content))


@pytest.mark.parametrize("reply", [b"250 2.0.0 sure\r\n", b"334 what\r\n"])
async def test_a_positive_reply_to_data_without_354_is_no_delivery(
    tmp_path: Path, reply: bytes
) -> None:
    async with scripted(answering(reply)) as port:
        [result] = await deliver_jobs(routed(port), DOMAIN, port, tmp_path, [job()])
    assert result.status == "deferred"
    assert result.reply == (
        f"4.4.2 - Connection lost ('000', ['Unexpected reply to DATA: {reply[:3].decode()}'])")


async def test_a_refusal_of_data_still_bounces(tmp_path: Path) -> None:
    async with scripted(answering(b"554 5.7.1 no\r\n")) as port:
        [result] = await deliver_jobs(routed(port), DOMAIN, port, tmp_path, [job()])
    assert result.status == "bounced"


Runner = Callable[[Coroutine[Any, Any, Any]], Any]


@pytest.fixture(params=["asyncio", "uvloop"])
def run(request: pytest.FixtureRequest) -> Runner:
    return uvloop.run if request.param == "uvloop" else asyncio.run  # type: ignore[return-value]


def resetting(rset_reply: bytes) -> tuple[Script, list[int]]:
    """RCPT to bad@ refused, RSET answered `rset_reply`; each connection's number kept
    with each message it took."""
    taken: list[int] = []
    connections = itertools.count(1)

    async def script(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        number = next(connections)
        writer.write(b"220 hostile ESMTP\r\n")
        while line := await reader.readline():
            verb = line[:4].upper()
            if verb == b"RCPT":
                writer.write(b"550 5.1.1 no such user\r\n" if b"bad@" in line else b"250 ok\r\n")
            elif verb == b"RSET":
                writer.write(rset_reply)
            elif verb == b"DATA":
                writer.write(b"354 go\r\n")
                while (await reader.readline()) not in (b".\r\n", b""):
                    pass
                taken.append(number)
                writer.write(b"250 2.0.0 queued\r\n")
            elif verb == b"QUIT":
                writer.write(b"221 bye\r\n")
                return
            else:
                writer.write(b"250 hostile\r\n")
            await writer.drain()

    return script, taken


async def test_a_refused_rset_ends_the_connection(tmp_path: Path) -> None:
    """The RSET after a refused message was answered by nobody's check: a connection
    whose RSET failed (or whose reply came too late, then read as MAIL's) was used
    again, out of step, and a recipient the server took was bounced."""
    script, taken = resetting(b"500 5.5.1 not now\r\n")
    first = Job(MID, SENDER, [0], [f"bad@{DOMAIN}"], lambda: b"S: t\r\n\r\nx\r\n")
    second = Job(MID + 1, SENDER, [0], [f"good@{DOMAIN}"], lambda: b"S: t\r\n\r\nx\r\n")
    async with scripted(script) as port:
        results = await deliver_jobs(routed(port), DOMAIN, port, tmp_path, [first, second])
    assert [r.status for r in results] == ["bounced", "delivered"]
    assert taken == [2]  # on a new connection


def test_a_reply_after_its_timeout_is_never_read_as_the_next_one(run: Runner) -> None:
    async def late(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        writer.write(b"220 hostile ESMTP\r\n")
        await reader.readline()  # RSET: answered only once the client has gone on
        await reader.readline()
        writer.write(b"250 late rset\r\n250 for the next\r\n")
        await writer.drain()
        await reader.read()

    async def scenario() -> tuple[bool, str]:
        async with scripted(late) as port:
            client, _ = await Client.open("127.0.0.1", port, 0.3)
            with pytest.raises(Timeout):
                await client.command("RSET")
            connected = client.is_connected
            try:
                got = str(await client.command("NOOP"))
            except wire.WireError as error:
                got = type(error).__name__
            client.close()
            return connected, got

    connected, got = run(scenario())
    assert not connected and got in ("Disconnected", "Timeout")


def test_a_multi_line_reply_that_changes_its_code_is_malformed(run: Runner) -> None:
    async def mixed(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        writer.write(b"220 hostile ESMTP\r\n")
        await reader.readline()
        writer.write(b"550-5.1.1 no such user\r\n250 ok\r\n")
        await writer.drain()
        await reader.read()

    async def scenario() -> str:
        async with scripted(mixed) as port:
            client, _ = await Client.open("127.0.0.1", port, 5)
            try:
                with pytest.raises(wire.Malformed) as failed:
                    await client.command("RCPT TO:<u@x.test>")
            finally:
                client.close()
            return str(failed.value)

    assert run(scenario()) == "Multi-line reply changes its code to 250"


def test_a_size_of_thousands_of_digits_is_no_limit(run: Runner) -> None:
    async def huge(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        writer.write(b"220 hostile ESMTP\r\n")
        await reader.readline()
        writer.write(b"250-hostile\r\n250 SIZE " + b"9" * 5000 + b"\r\n")
        await writer.drain()
        await reader.read()

    async def scenario() -> int:
        async with scripted(huge) as port:
            client, _ = await Client.open("127.0.0.1", port, 5)
            await client.hello("gateway.test")
            limit = client.size_limit  # int() of 5,000 digits raised ValueError
            client.close()
            return limit

    assert run(scenario()) == 0


def test_a_server_that_stops_reading_the_content_times_out(run: Runner) -> None:
    content = (b"x" * 998 + b"\r\n") * 16_000  # 16 MB: more than both ends' buffers hold

    async def scenario() -> tuple[str, bool, float]:
        async with scripted(answering(b"354 go\r\n", read_content=False), 4096) as port:
            client, _ = await Client.open("127.0.0.1", port, 0.5)
            await client.hello("gateway.test")
            sent = await client.envelope("MAIL FROM:<a@sender.test>", ["RCPT TO:<u@x.test>"])
            assert sent.data is not None and sent.data.code == 354
            start = asyncio.get_running_loop().time()
            with pytest.raises(Timeout) as failed:
                async with asyncio.timeout(20):  # (the test's own bound, not the client's)
                    await client.content(content)
            took = asyncio.get_running_loop().time() - start
            connected = client.is_connected
            client.close()
            return str(failed.value), connected, took

    why, connected, took = run(scenario())
    assert why == "Timed out sending message content"
    assert not connected  # aborted: nothing left buffered for a peer that never reads
    assert took < 10


def test_the_bounce_reply_escape_is_the_mail_logs_one() -> None:
    # (pure: the DSN builder alone, with what a hostile reply can hold)
    failure = scheduler.Failure(f"u@{DOMAIN}", "5.1.0", "smtp; a\nB: c\r\x00\x9b\u202e")
    dsn = scheduler.build_dsn("gw.test", SENDER, [failure], b"Subject: s\r\n\r\n", 0, 0, MID)
    assert diagnostic_code(dsn) == (
        "smtp; a\\nB: c\\r\\x00\\x9b\\u202e")


def test_replies_flooded_ahead_of_the_commands_are_not_all_read(run: Runner) -> None:
    async def flooding(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        writer.write(b"220 hostile ESMTP\r\n")
        await reader.readline()
        for _ in range(2000):  # bounded: 16 M replies, far more than the client may keep
            writer.write(b"250 ok\r\n" * 8192)
            await writer.drain()

    async def scenario() -> tuple[int, list[int]]:
        async with scripted(flooding) as port:
            client, _ = await Client.open("127.0.0.1", port, 5)
            replies = client._protocol._replies  # (what it keeps: white box, on purpose)
            first = await client.command("EHLO gateway.test")
            deadline = asyncio.get_running_loop().time() + 3
            while asyncio.get_running_loop().time() < deadline:  # the flood keeps coming
                await asyncio.sleep(0.05)
            kept = len(replies)
            taken = [(await client.reply()).code for _ in range(3000)]  # reading goes on
            client.close()
            return kept, [first.code, *set(taken)]

    kept, codes = run(scenario())
    assert kept <= wire.MAX_PENDING + 256 * 1024 // 8  # one read (256 KB at most) past the mark
    assert codes == [250, 250]


def test_a_long_reply_is_cut_in_the_bounce_so_its_lines_stay_within_998() -> None:
    reply = "smtp; 5.1.0 - Unknown address error ('550', ['" + "L" * 7000 + "'])"
    failure = scheduler.Failure(f"u@{DOMAIN}", "5.1.0", reply)
    dsn = scheduler.build_dsn("gw.test", SENDER, [failure], b"Subject: s\r\n\r\n", 0, 0, MID)
    assert max(len(line) for line in dsn.splitlines()) <= 998
    assert diagnostic_code(dsn) == reply[: scheduler.DIAGNOSTIC_MAX - 3] + "..."
