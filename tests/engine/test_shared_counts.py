"""Connection and recipient counts seen by every SMTP worker (engine/inbound/shared.py)."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

from engine.inbound.shared import SharedCounts, Table
from engine.inbound.tracker import HourlyRate

ADDRESS = ("127.0.0.1", 25)


def test_each_worker_sees_the_others_counts(tmp_path: Path) -> None:
    first, second = SharedCounts(tmp_path, ADDRESS, 0), SharedCounts(tmp_path, ADDRESS, 1)
    try:
        first.opened("192.0.2.1")
        first.opened("192.0.2.1")
        second.opened("192.0.2.1")
        second.opened("198.51.100.7")
        for counts in (first, second):
            assert counts.total() == 4
            assert counts.from_ip("192.0.2.1") == 3 and counts.from_ip("203.0.113.9") == 0
        second.opened("192.0.2.1", -1)
        second.rates.add("192.0.2.1")
        first.rates.add("192.0.2.1")
        assert first.from_ip("192.0.2.1") == 2 and first.total() == 3
        assert first.rates.used("192.0.2.1") == second.rates.used("192.0.2.1") == 2
    finally:
        first.close()
        second.close()


def test_a_dead_workers_table_counts_nothing_and_its_heir_starts_at_zero(
        tmp_path: Path) -> None:
    ended = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                           capture_output=True, text=True, check=True)
    dead = Table(tmp_path / "conns-127.0.0.1-25.1", writer=True)
    dead.write("192.0.2.1", 5, 0, 0.0)
    dead.map[:8] = int(ended.stdout).to_bytes(8, "little")  # as if that process wrote it
    dead.close()
    mine = SharedCounts(tmp_path, ADDRESS, 0)
    try:
        assert mine.from_ip("192.0.2.1") == 0  # its writer is gone
        heir = SharedCounts(tmp_path, ADDRESS, 1)
        assert heir.own.pid == os.getpid() and heir.own.read("192.0.2.1") == (0, 0, 0.0)
        heir.close()
    finally:
        mine.close()


def test_many_addresses_fit(tmp_path: Path) -> None:
    counts = SharedCounts(tmp_path, ADDRESS, 0)
    try:
        for n in range(7_000):  # past the compaction point: the closed ones go
            ip = f"10.{n // 65536}.{n // 256 % 256}.{n % 256}"
            counts.opened(ip)
            counts.opened(ip, -1)
        counts.opened("192.0.2.1")
        assert counts.from_ip("192.0.2.1") == 1 and counts.total() == 1
    finally:
        counts.close()


def test_more_live_addresses_than_the_table_holds_cost_little_each(tmp_path: Path) -> None:
    """20,000 addresses with a recipient this hour (more than its slots): each insert stays
    cheap (the compaction once recursed, each address past 6,144 doubling its cost), open
    connections are never dropped, and the newest windows are kept."""
    counts = SharedCounts(tmp_path, ADDRESS, 0)
    try:
        counts.opened("192.0.2.1")  # held open throughout
        started = time.process_time()
        for n in range(20_000):
            counts.rates.add(f"10.{n // 65536}.{n // 256 % 256}.{n % 256}")
        spent = time.process_time() - started
        assert spent < 5.0, f"{spent:.1f} s of CPU for 20,000 addresses"
        assert counts.from_ip("192.0.2.1") == 1
        assert counts.rates.used("10.0.78.31") == 1  # the last one in
    finally:
        counts.close()


def test_the_single_workers_hourly_counts_prune_in_amortised_time() -> None:
    clock = [0.0]
    rates = HourlyRate(lambda: clock[0])
    started = time.process_time()
    for n in range(40_000):  # all inside one hour: nothing to prune
        rates.add(f"10.{n // 65536}.{n // 256 % 256}.{n % 256}")
    assert time.process_time() - started < 5.0
    assert rates.used("10.0.0.1") == 1
