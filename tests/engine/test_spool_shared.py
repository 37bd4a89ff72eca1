"""Messages received together share one spool file (engine/spool_writer.commit_together):
its records read back one by one, none of them if any is torn; the queue takes every
message in it, delivers each, and removes the file only with the last one done, also
across a restart."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
import trustme

from engine import spoolformat
from engine.errors import SpoolError
from engine.queue.manager import QueueOptions
from engine.spool import Spool
from engine.spool_writer import WRITE_INLINE, Incoming, commit_together
from engine.spoolformat import FileContents, content_of, encode
from state.model import TLSMode
from tests.engine.outbound_kit import FakeClock, outbound_config
from tests.kit.dnsserver import DnsServer
from tests.kit.engine import log_has, read_mail_logs, running_engine
from tests.kit.fakemx import Behaviour, FakeMX
from tests.kit.waiting import wait_until_async

IP = "127.0.0.23"


def record(mid: int, body: bytes, rcpt: str = "u@partner.test", when: float = 1.0) -> bytes:
    return encode(mid, 1, "InboundMail", "a@sender.test", [rcpt], body, when)


def test_a_shared_file_reads_back_record_by_record(tmp_path: Path) -> None:
    data = record(5, b"Subject: one\r\n\r\nESACLI-END 6 fake\r\n") + record(6, b"two\r\n")
    assert [body for _, body in spoolformat.parse(data) or ()] == [
        b"Subject: one\r\n\r\nESACLI-END 6 fake\r\n", b"two\r\n"]
    path = tmp_path / "5.msg"
    path.write_bytes(data)
    assert content_of(path, 6) == b"two\r\n"
    with pytest.raises(SpoolError):
        content_of(path, 7)
    path.write_bytes(data.replace(b"two", b"tw0"))  # its digest no longer matches
    with pytest.raises(SpoolError):
        content_of(path, 6)


@pytest.mark.parametrize("damage", [
    lambda d: d[:-1],  # the last record torn
    lambda d: d + b"x",  # something after the last
    lambda d: d.replace(b"two", b"tw0"),  # a digest that does not match
    lambda d: d.replace(b'"size":5', b'"size":-5'),
])
def test_a_shared_file_with_any_record_damaged_is_read_as_none(damage: object) -> None:
    data = record(5, b"one\r\n") + record(6, b"two\r\n")
    assert spoolformat.parse(damage(data)) is None  # type: ignore[operator]


def received(spool: Spool, mid: int, body: bytes) -> Incoming:
    incoming = spool.receive(mid, 1, "InboundMail", "a@sender.test", [f"u{mid}@partner.test"], 1.0)
    incoming.write(body)
    return incoming


def test_messages_in_memory_share_one_file_named_by_the_first(tmp_path: Path) -> None:
    spool = Spool(tmp_path / "spool")
    messages = [received(spool, mid, f"body {mid}\r\n".encode()) for mid in (11, 12, 13)]
    outcomes = commit_together(messages)
    shared = spool.incoming_dir / "11.msg"
    assert set(outcomes.values()) == {shared}
    assert sorted(p.name for p in spool.incoming_dir.iterdir()) == ["11.msg"]
    loaded = spool.load(shared)
    assert loaded is not None
    assert [(m.mid, m.recipients, m.content()) for m in loaded] == [
        (mid, (f"u{mid}@partner.test",), f"body {mid}\r\n".encode()) for mid in (11, 12, 13)]


def test_a_shared_file_that_cannot_be_written_fails_each_message(tmp_path: Path) -> None:
    spool = Spool(tmp_path / "spool")
    messages = [received(spool, mid, b"x\r\n") for mid in (21, 22)]
    spool.incoming_dir.rmdir()  # the disk gone from under it
    outcomes = commit_together(messages)
    assert [str(outcomes[m]).split(":")[0] for m in messages] == ["MID 21", "MID 22"]
    assert all(isinstance(o, SpoolError) for o in outcomes.values())


async def test_a_batch_shares_a_file_but_a_large_message_keeps_its_own(tmp_path: Path) -> None:
    spool = Spool(tmp_path / "spool")
    big = received(spool, 31, b"x" * WRITE_INLINE + b"\r\n")
    await big.drain()  # written to its own file as it arrived
    small = [received(spool, mid, b"small\r\n") for mid in (32, 33)]
    futures = [spool.finish(m) for m in (big, *small)]
    paths = await asyncio.gather(*futures)
    spool.close()
    assert paths[0].name == "31.msg" and paths[1] == paths[2]
    assert sorted(m.mid for m in spool.messages()) == [31, 32, 33]


@pytest.fixture(scope="module")
def dns() -> DnsServer:
    with DnsServer(hosts={"mx.partner.test": IP},
                   mx=[("partner.test", "mx.partner.test", 10)]) as server:
        yield server  # type: ignore[misc]


async def test_the_file_goes_with_the_last_of_its_messages_across_a_restart(
    ca: trustme.CA, dns: DnsServer, tmp_path: Path
) -> None:
    clock = FakeClock()
    config = outbound_config(ca, dns.port, TLSMode.PREFERRED)
    later = Behaviour(starttls=False, rcpt_reply={"later@partner.test": "451 4.3.0 try later"})
    queued = tmp_path / "spool" / "41.msg"
    async with FakeMX(later, host=IP) as mx:
        options = QueueOptions(mx_port=mx.port, clock=clock, poll_interval=0.02)
        async with running_engine(tmp_path, config, outbound=options) as engine:
            (tmp_path / "spool" / "incoming" / "41.msg").write_bytes(
                record(41, b"Subject: now\r\n\r\nx\r\n", when=clock.now())
                + record(42, b"Subject: later\r\n\r\ny\r\n", "later@partner.test", clock.now()))
            engine.queue.wake()  # type: ignore[union-attr]
            await wait_until_async(log_has(tmp_path, "Message finished MID 41 done"))
            await wait_until_async(log_has(tmp_path, "MID 42 to RID 0 - 4.0.0"))
            assert queued.exists()  # MID 42 is still to be delivered from it
        assert queued.exists()
    async with FakeMX(Behaviour(starttls=False), host=IP) as mx:
        options = QueueOptions(mx_port=mx.port, clock=clock, poll_interval=0.02)
        clock.t += 3600
        async with running_engine(tmp_path, config, outbound=options):
            await wait_until_async(log_has(tmp_path, "Message finished MID 42 done"))
            await wait_until_async(lambda: not queued.exists())
    assert [m.data for m in mx.messages] == [b"Subject: later\r\n\r\ny\r\n"]
    assert "Queue manager" not in read_mail_logs(tmp_path)  # the file taken once, whole


def test_file_contents_reads_a_shared_file_once(tmp_path: Path) -> None:
    path = tmp_path / "5.msg"
    path.write_bytes(record(5, b"one\r\n") + record(6, b"two\r\n"))
    reader = FileContents(path)
    assert reader.content(6) == b"two\r\n"
    path.unlink()  # what it holds is read already; what is handed out once is dropped
    assert reader.content(5) == b"one\r\n"
    with pytest.raises(SpoolError):
        reader.content(5)


def test_file_contents_checks_each_digest_alone(tmp_path: Path) -> None:
    path = tmp_path / "5.msg"
    path.write_bytes(record(5, b"one\r\n") + record(6, b"two\r\n").replace(b"two", b"tw0"))
    reader = FileContents(path)
    assert reader.content(5) == b"one\r\n"
    with pytest.raises(SpoolError):
        reader.content(6)


async def test_a_message_cut_off_while_its_file_is_written_leaves_nothing(
        tmp_path: Path) -> None:
    """A connection lost during DATA aborts its message on the loop while drain's thread
    may be writing the file: the abort waits for that write, and a write that starts
    after it writes nothing (no .tmp file left, no descriptor kept)."""
    spool = Spool(tmp_path / "spool")
    for late in (False, True):
        incoming = spool.receive(7, 1, "InboundMail", "a@b.test", ["u@c.test"], 1.0)
        incoming.write(b"x" * (WRITE_INLINE + 1))
        if late:  # the thread had not started yet when the abort came
            incoming.abort()
            await incoming.drain()
        else:  # the abort comes while the thread writes
            writing = asyncio.ensure_future(incoming.drain())
            await asyncio.sleep(0)
            incoming.abort()
            await writing
        assert not list((tmp_path / "spool" / "incoming").glob("*.tmp"))
        assert incoming.in_memory()  # no descriptor of its own kept
