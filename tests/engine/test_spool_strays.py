"""A spool entry that is renamed or removed between the listing and its look (a worker's
`N.msg.tmp` becoming `N.msg`, under load) is no stray: system_logs warned of one
("ignored: unreadable (No such file or directory)") about once every 200 messages."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from engine import spool as spool_module
from engine.spool import Spool


def test_an_entry_gone_since_the_listing_is_no_stray(tmp_path: Path,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    spool = Spool(tmp_path / "spool")
    for name in ("7.msg.tmp", "8.msg", "junk.txt"):
        (spool.incoming_dir / name).write_bytes(b"x")
    with os.scandir(spool.incoming_dir) as listed:
        entries = list(listed)  # what a scan saw, before the files went
    for name in ("7.msg.tmp", "8.msg"):
        (spool.incoming_dir / name).unlink()
    monkeypatch.setattr(spool_module, "_entries", lambda folder: entries)
    found, strays = spool.incoming()
    assert found == [] and [(s.path.name, s.why) for s in strays] == [
        ("junk.txt", "not a spool file name")]
