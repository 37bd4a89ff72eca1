"""What hoststatus reads of a domain in queue.db (engine/queue/hosts.py), through the
store's writes and QueueAdmin.host: the latest failure is the last written whatever the
MIDs, up/down is the latest connection attempt's, attempts count per day over the window
asked for, and a queue an older release wrote (no such tables) still gives its last error."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from engine.queue.admin import QueueAdmin, queue_db
from engine.queue.hosts import DAY, KEEP_DAYS, HostState
from engine.queue.store import BOUNCED, DELIVERED, QueueStore

NOW = 1764669600.0
DOMAIN = "partner.example"


def store_in(tmp_path: Path) -> QueueStore:
    return QueueStore(queue_db(tmp_path))


def test_latest_failure_is_the_last_written_not_the_highest_mid(tmp_path: Path) -> None:
    store = store_in(tmp_path)
    try:
        store.add_message(9, "a@x.example", NOW, 10, "9.msg", (f"new@{DOMAIN}",), NOW)
        store.add_message(2, "a@x.example", NOW, 10, "2.msg", (f"old@{DOMAIN}",), NOW)
        store.set_final(9, [0], BOUNCED, "5.1.2 - Bad destination host")
        store.defer(2, [0], NOW + 60, "4.4.1 - Connection failed")
        assert QueueAdmin(tmp_path).host(DOMAIN, 0).error == "4.4.1 - Connection failed"
        store.set_final(2, [0], DELIVERED, "")  # a delivery is no error: the last one stays
        assert QueueAdmin(tmp_path).host(DOMAIN, 0).error == "4.4.1 - Connection failed"
    finally:
        store.close()


def test_up_down_follows_the_latest_attempt_counted_per_day(tmp_path: Path) -> None:
    store = store_in(tmp_path)
    admin = QueueAdmin(tmp_path)
    try:
        assert admin.host(DOMAIN, 0) == HostState(None, "", 0)
        store.connection(DOMAIN, False, NOW - 40 * DAY)  # outside any 30-day window
        store.connection(DOMAIN, True, NOW - 2 * DAY)
        store.connection(DOMAIN, False, NOW)
        assert admin.host(DOMAIN, NOW - 30 * DAY) == HostState(False, "", 2)
        store.connection(DOMAIN, True, NOW + 1)
        assert admin.host(DOMAIN, NOW - 30 * DAY) == HostState(True, "", 3)
        assert admin.host("other.example", 0) == HostState(None, "", 0)
        with sqlite3.connect(queue_db(tmp_path)) as db:  # older days are not kept
            days = [d for (d,) in db.execute("SELECT day FROM host_days")]
        assert min(days) >= int(NOW // DAY) - KEEP_DAYS
    finally:
        store.close()


def test_a_queue_from_before_the_hosts_tables(tmp_path: Path) -> None:
    store = store_in(tmp_path)
    try:
        store.add_message(3, "a@x.example", NOW, 10, "3.msg", (f"u@{DOMAIN}",), NOW)
        store.defer(3, [0], NOW + 60, "4.0.0 - Temporary error")
    finally:
        store.close()
    with sqlite3.connect(queue_db(tmp_path)) as db:
        db.executescript("DROP TABLE hosts; DROP TABLE host_days;")
    assert QueueAdmin(tmp_path).host(DOMAIN, 0) == HostState(None, "4.0.0 - Temporary error", 0)
    assert QueueAdmin(tmp_path / "nowhere").host(DOMAIN, 0) == HostState(None, "", 0)
