"""Issue 8, item 14: nothing in the data directory is readable by other users.

Found with `ls -l` after a day of use: queue.db (addresses), mail_logs, system_logs,
config.db and status.json were 0644 in a 0755 directory. The appliance fixture writes
its first versions from the test process (umask 022), as an older release would have;
booting makes the directory 0700 and takes group and other access off every file,
and whatever the engine writes afterwards (spool, queue, logs, SQLite -wal/-shm side
files, status) is created private.
"""

from __future__ import annotations

import os
import smtplib
import stat
from pathlib import Path

from tests.kit.appliance import Appliance
from tests.kit.ssh import ssh_exec
from tests.kit.waiting import wait_until


def loose(data: Path) -> list[str]:
    """Everything under `data` that its group or others may read, write or enter."""
    found = []
    for folder, dirs, files in os.walk(data):
        for name in dirs + files:
            path = Path(folder) / name
            mode = stat.S_IMODE(path.lstat().st_mode)
            if mode & 0o077:
                found.append(f"{path.relative_to(data)} {mode:o}")
    return found


def test_the_data_directory_and_everything_in_it_are_private(appliance: Appliance) -> None:
    data = appliance.data
    with smtplib.SMTP("127.0.0.1", appliance.inbound, timeout=10) as client:
        client.sendmail("a@partner.example", ["user@example.com"], b"Subject: hi\r\n\r\nhi\r\n")
    done = ssh_exec(appliance, "dnsconfig", stdin="setup\n\n3\n\ncommit\nDNS timeout 3\n")
    assert "Changes committed: " in done.stdout, done.stdout
    wait_until(lambda: (data / "status.json").exists() and not loose(data), timeout=5,
               what="every file to be private")
    assert stat.S_IMODE(data.stat().st_mode) == 0o700
    for name in ("config.db", "status.json", "queue/queue.db", "logs/mail_logs",
                 "logs/system_logs", "spool/counters.json"):
        assert stat.S_IMODE((data / name).stat().st_mode) == 0o600, name
    side_files = list(data.rglob("*.db-*"))  # SQLite -wal and -shm while open
    assert side_files and all(stat.S_IMODE(p.stat().st_mode) == 0o600 for p in side_files)
    assert loose(data) == []
