"""Slow and idle clients on real sockets, with the timeouts scaled down by configuration.

Each test is a finding of issue 9 as it was found: a client that never says EHLO,
trickles one byte at a time, sends NOOP forever, or sends DATA slowly but steadily
(that one must finish), and a listener near its limit.
"""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

from engine.service import Engine
from state.model import Config, ListenerSetup, SmtpTimeouts, replace
from tests.engine.builders import config, listener
from tests.kit.engine import log_has, read_mail_logs, running_engine
from tests.kit.smtp import RawSmtp
from tests.kit.waiting import wait_until_async

TIMEOUT = "421 4.4.2 Timeout exceeded, closing connection"
INJECTION = "421 Timed out waiting for successful message injection, disconnecting."
EVICTED = "421 4.4.2 Too many concurrent connections, closing the idlest one"


def scaled(cfg: Config | None = None, **timeouts: float) -> Config:
    """`cfg` with the given SMTP timeouts (seconds) and long defaults for the others."""
    long = SmtpTimeouts(greeting=30.0, command=30.0, data_block=30.0, injection=30.0,
                        stress=30.0, stress_injection=30.0, evict_idle=0.001)
    setup = ListenerSetup(timeouts=replace(long, **timeouts))
    return replace(cfg or config(), listener_setup=setup)


def port(engine: Engine) -> int:
    found = engine.bound_port("InboundMail")
    assert found is not None
    return found


async def greeted(engine: Engine, ehlo: bool = True) -> RawSmtp:
    client = await RawSmtp.connect(port(engine))
    assert (await client.reply())[0] == 220
    if ehlo:
        assert (await client.cmd("EHLO client.test"))[0] == 250
    return client


async def last_words(client: RawSmtp) -> tuple[int, list[str]]:
    """The reply the server closes with, then its EOF."""
    reply = await client.reply(timeout=10)
    assert await client.closed_by_peer(timeout=10)
    await client.close()
    return reply


async def test_a_client_that_never_says_ehlo_is_closed(tmp_path: Path) -> None:
    async with running_engine(tmp_path, scaled(greeting=0.3)) as engine:
        client = await greeted(engine, ehlo=False)
        assert await last_words(client) == (421, [TIMEOUT])
        await wait_until_async(log_has(tmp_path, "ICID 1 close"))
        assert engine.inbound_counts.timed_out_connections == 1
    assert "ICID 1 Receiving Failed: Timeout waiting for HELO/EHLO" in read_mail_logs(tmp_path)


async def test_one_byte_at_a_time_does_not_hold_the_greeting(tmp_path: Path) -> None:
    async with running_engine(tmp_path, scaled(greeting=0.5)) as engine:
        client = await greeted(engine, ehlo=False)

        async def trickle() -> None:
            for byte in b"EHLO slow.client.test":
                await client.send(bytes([byte]))
                await asyncio.sleep(0.05)  # the client's pace, not a wait for us

        sending = asyncio.create_task(trickle())
        assert await last_words(client) == (421, [TIMEOUT])
        assert not sending.done()  # cut while still trickling
        sending.cancel()
    assert "Timeout waiting for HELO/EHLO" in read_mail_logs(tmp_path)


async def test_noop_forever_ends_at_the_injection_timeout(tmp_path: Path) -> None:
    async with running_engine(tmp_path, scaled(command=0.5, injection=1.0)) as engine:
        client = await greeted(engine)
        answered = 0
        while True:
            await asyncio.sleep(0.1)  # well inside the command timeout each time
            code, lines = await client.cmd("NOOP")
            if code != 250:
                break
            answered += 1
        assert (code, lines) == (421, [INJECTION])
        assert await client.closed_by_peer()
        await client.close()
        assert answered >= 3  # each NOOP was answered; none counted as progress
    assert "Timed out waiting for successful message injection" in read_mail_logs(tmp_path)


async def test_a_slow_data_sender_over_six_minutes_finishes(tmp_path: Path) -> None:
    """RFC 5321 §4.5.3.2.6 at 1/100 scale: a line every 2 s (20 ms) for 6 minutes (3.6 s),
    against a 5-minute command and injection timeout (3 s) and 3 minutes per block (1.8 s)."""
    cfg = scaled(command=3.0, injection=3.0, data_block=1.8)
    lines = [f"line {n:03d} " + "x" * 60 for n in range(180)]
    async with running_engine(tmp_path, cfg) as engine:
        client = await greeted(engine)
        assert (await client.cmd("MAIL FROM:<slow@sender.test>"))[0] == 250
        assert (await client.cmd("RCPT TO:<u@example.com>"))[0] == 250
        started = time.monotonic()
        assert (await client.cmd("DATA"))[0] == 354
        await client.send("Subject: slow\r\n\r\n")
        for line in lines:
            await asyncio.sleep(0.02)
            await client.send(line + "\r\n")
        code, reply = await client.cmd(".")
        took = time.monotonic() - started
        assert code == 250 and "accepted" in reply[0]
        assert took > 3.0  # longer than the command and injection timeouts
        await client.cmd("QUIT")
        await client.close()
        [message] = engine.spool.messages()
        assert message.content().endswith(("\r\n".join(lines) + "\r\n").encode())


async def test_a_stalled_data_block_is_cut_and_its_mid_says_so(tmp_path: Path) -> None:
    async with running_engine(tmp_path, scaled(data_block=0.3)) as engine:
        client = await greeted(engine)
        await client.cmd("MAIL FROM:<a@b.test>")
        await client.cmd("RCPT TO:<u@example.com>")
        assert (await client.cmd("DATA"))[0] == 354
        await client.send("Subject: stalled\r\n\r\nfirst line\r\n")
        assert await last_words(client) == (421, [TIMEOUT])
        await wait_until_async(log_has(tmp_path, "ICID 1 close"))
        assert engine.spool.messages() == []
    log = read_mail_logs(tmp_path)
    assert "ICID 1 Receiving Failed: Timeout waiting for message data" in log
    assert "Message aborted MID 1 Receiving aborted: timeout" in log


async def test_near_the_limit_idle_connections_get_the_short_timeout(tmp_path: Path) -> None:
    """8 of 10 is pressure: the 30 s greeting becomes the 0.3 s stress timeout, and the
    oldest idle connections are closed until fewer than 7 are open (pressure is over)."""
    cfg = scaled(config(listener(max_connections=10)), stress=0.3)
    async with running_engine(tmp_path, cfg) as engine:
        clients = [await greeted(engine, ehlo=False) for _ in range(8)]
        for client in clients[:2]:
            assert await last_words(client) == (421, [TIMEOUT])
        for client in clients[2:]:  # the others have their full greeting time again
            assert (await client.cmd("EHLO client.test"))[0] == 250
            await client.close()
        assert engine.inbound_counts.timed_out_connections == 2


async def test_at_the_limit_a_new_client_displaces_the_idlest(tmp_path: Path) -> None:
    cfg = scaled(config(listener(max_connections=3)))
    async with running_engine(tmp_path, cfg) as engine:
        idle = [await greeted(engine, ehlo=False) for _ in range(2)]
        busy = await greeted(engine)
        await busy.cmd("MAIL FROM:<a@b.test>")
        await busy.cmd("RCPT TO:<u@example.com>")
        assert (await busy.cmd("DATA"))[0] == 354
        await busy.send("Subject: busy\r\n\r\nsending\r\n")  # progress: data arrives
        newcomer = await greeted(engine)  # its 220, although the listener was full
        assert await last_words(idle[0]) == (421, [EVICTED])
        await busy.send("done\r\n")
        assert (await busy.cmd("."))[0] == 250
        second = await RawSmtp.connect(port(engine))  # evicts the next idlest: idle[1]
        assert (await second.reply())[0] == 220
        assert await last_words(idle[1]) == (421, [EVICTED])
        for client in (busy, newcomer, second):
            await client.close()
        assert engine.inbound_counts.timed_out_connections == 2
    assert "Closed at the connection limit as the idlest connection" in read_mail_logs(tmp_path)
