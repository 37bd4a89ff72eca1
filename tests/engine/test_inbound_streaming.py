"""DATA streamed to the spool: the size limit holds while the message arrives, and the
250 after the final dot comes only once the file and its directory are fsynced."""

from __future__ import annotations

import asyncio
import os
import threading
from pathlib import Path

import pytest

from tests.engine.builders import config, hat, listener
from tests.kit.engine import running_engine
from tests.kit.smtp import RawSmtp
from tests.kit.waiting import wait_until_async

LINE = b"x" * 998 + b"\r\n"


def partial_files(data_dir: Path) -> list[Path]:
    return list((data_dir / "spool" / "incoming").glob("*.msg.tmp"))


async def in_data(port: int) -> RawSmtp:
    client = await RawSmtp.connect(port)
    await client.reply()
    await client.cmd("EHLO client.test")
    await client.cmd("MAIL FROM:<a@b.test>")
    await client.cmd("RCPT TO:<u@example.com>")
    assert (await client.cmd("DATA"))[0] == 354
    return client


async def test_an_oversized_message_is_dropped_while_it_still_arrives(tmp_path: Path) -> None:
    limit = 1_000_000
    cfg = config(listener(the_hat=hat(max_message_size=limit)))
    async with running_engine(tmp_path, cfg) as engine:
        client = await in_data(engine.bound_port("InboundMail"))  # type: ignore[arg-type]
        await client.send(b"Subject: big\r\n\r\n" + LINE * 400)  # past the buffer, in limit
        await wait_until_async(lambda: partial_files(tmp_path), what="the file being written")
        await client.send(LINE * 3000)  # 3 MB: past the limit, no final dot yet
        # refused as it arrives: its file is gone before the client has finished
        await wait_until_async(lambda: not partial_files(tmp_path), what="the file dropped")
        await client.send(LINE * 1000)  # what still comes is read and thrown away
        assert (await client.cmd("."))[0] == 552
        assert (await client.cmd("RSET"))[0] == 250  # the connection goes on
        await client.close()
        assert not engine.spool.messages()


async def test_250_only_after_the_file_and_directory_fsync(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    real_fsync = os.fsync
    held, release = threading.Event(), threading.Event()
    synced: list[str] = []

    def slow_fsync(fd: int) -> None:
        if (tmp_path / "spool" / "incoming").exists():
            held.set()
            release.wait(10)
        real_fsync(fd)
        synced.append(os.readlink(f"/proc/self/fd/{fd}") if os.path.exists(
            f"/proc/self/fd/{fd}") else "?")

    async with running_engine(tmp_path, config()) as engine:
        client = await in_data(engine.bound_port("InboundMail"))  # type: ignore[arg-type]
        monkeypatch.setattr(os, "fsync", slow_fsync)
        await client.send(b"Subject: s\r\n\r\nbody\r\n.\r\n")
        reply = asyncio.ensure_future(client.reply(timeout=15))
        await wait_until_async(held.is_set, what="the spool's fsync")
        done, _ = await asyncio.wait({reply}, timeout=0.3)  # no 250 while fsync waits
        assert not done and not synced
        release.set()
        assert (await reply)[0] == 250
        monkeypatch.setattr(os, "fsync", real_fsync)
        incoming = str(tmp_path / "spool" / "incoming")
        assert any(p.endswith(".msg.tmp") or p.endswith(".msg") for p in synced), synced
        assert incoming in synced, synced  # the directory, after the rename
        await client.close()
