"""Log files that roll over (engine/logfiles.py): by size, by age, N kept, several
writers on one log (the engine's workers), and the shell's reader across a rollover."""

from __future__ import annotations

import asyncio
import os
import threading
from pathlib import Path

from engine.logfiles import RotatingFile, Rotation, files_of, rotation_for
from engine.maillog import MailLog
from esacli.commands.ops.logs.reading import Follower, last_lines, lines
from state.model import LogSettings

HEADER = ["first line"]


def _writer(path: Path, rotation: Rotation) -> RotatingFile:
    return RotatingFile(path, lambda: list(HEADER), rotation)


def test_rolls_over_by_size_keeps_n_and_loses_no_line(tmp_path: Path) -> None:
    path = tmp_path / "mail_logs"
    log = _writer(path, Rotation(max_size=200, keep=2))
    written = [f"line {n:03d} " + "x" * 40 for n in range(30)]
    for line in written:
        log.write(line + "\n")
    log.close()
    found = files_of(path)
    assert len(found) == 3 and found[-1] == path
    assert all(f.stat().st_size <= 200 for f in found)
    assert all(f.read_text().startswith("first line\n") for f in found)
    assert all(os.stat(f).st_mode & 0o777 == 0o600 for f in found)
    kept = [line for line in lines(path) if line.startswith("line")]
    assert kept == written[-len(kept):]  # the newest, in order, none lost in between


def test_rolls_over_by_age(tmp_path: Path) -> None:
    path = tmp_path / "system_logs"
    log = _writer(path, Rotation(max_size=10**6, max_age=60, keep=5))
    log.write("old\n")
    log._born -= 61  # the file is a minute old (no sleep)
    log.write("new\n")
    log.close()
    assert [f.read_text() for f in files_of(path)] == ["first line\nold\n", "first line\nnew\n"]


def test_two_writers_share_the_rollover(tmp_path: Path) -> None:
    """Two processes' writers (two objects, two descriptors), one writing much more than
    the other: one rolls the file over, the other notices and follows; every line lands
    once, each writer's in its order (across the other's rollover a writer may finish
    its line in the file just rolled over: CHECK_EVERY)."""
    path = tmp_path / "mail_logs"
    busy, quiet = (_writer(path, Rotation(max_size=300, keep=50)) for _ in range(2))
    for n in range(60):
        (quiet if n % 5 == 0 else busy).write(f"line {n:02d} {'y' * 30}\n")
    busy.close()
    quiet.close()
    got = [line for line in lines(path) if line.startswith("line")]
    expected = [f"line {n:02d} {'y' * 30}" for n in range(60)]
    assert sorted(got) == expected
    assert [g for g in got if int(g[5:7]) % 5 == 0] == [e for e in expected
                                                        if int(e[5:7]) % 5 == 0]
    assert [g for g in got if int(g[5:7]) % 5] == [e for e in expected if int(e[5:7]) % 5]
    assert len(files_of(path)) > 3


def test_names_sort_within_one_second(tmp_path: Path) -> None:
    path = tmp_path / "mail_logs"
    for name in ("mail_logs.@20261202T000000-10.s", "mail_logs.@20261202T000000-2.s",
                 "mail_logs.@20261202T000000.s", "mail_logs.@20261201T235959.s",
                 "mail_logs.old", "other.@20261202T000000.s", "mail_logs"):
        (tmp_path / name).write_text(name + "\n")
    assert [f.name for f in files_of(path)] == [
        "mail_logs.@20261201T235959.s", "mail_logs.@20261202T000000.s",
        "mail_logs.@20261202T000000-2.s", "mail_logs.@20261202T000000-10.s", "mail_logs"]


def test_rotation_follows_the_configured_subscription() -> None:
    logs = (LogSettings("mail_logs", max_size=20480, max_files=3, rollover_seconds=3600),)
    assert rotation_for(logs, "mail_logs") == Rotation(20480, 3600.0, 3)
    assert rotation_for(logs, "system_logs") == Rotation()  # the factory settings


def test_follower_reads_across_a_rollover(tmp_path: Path) -> None:
    path = tmp_path / "mail_logs"
    log = MailLog(path, "SN", Rotation(max_size=10 * 1024, keep=3))
    follower = Follower(path)
    first = follower.poll()
    assert first.endswith("Info: Time offset from UTC: " + first.rsplit(": ", 1)[1])
    for n in range(200):
        log.info(f"event {n:03d} " + "z" * 60)
    seen = follower.poll()
    follower.close()
    log.close()
    events = [line.split(" Info: ")[1][:9] for line in seen.splitlines() if "event" in line]
    assert events == [f"event {n:03d}" for n in range(200)]
    assert len(files_of(path)) > 1
    assert last_lines(path, 3)[-1].split(" Info: ")[1].startswith("event 199")


async def test_the_event_loops_lines_are_written_together_at_its_next_turn(
        tmp_path: Path) -> None:
    """mail_logs lines of one turn of the engine's loop are one write, at its next turn
    (or at `flush`, before an SMTP reply); another thread's are written at once."""
    path = tmp_path / "mail_logs"
    log = MailLog(path, loop=asyncio.get_running_loop())
    start = path.stat().st_size  # the header
    log.info("one")
    log.info("two")
    assert path.stat().st_size == start
    await asyncio.sleep(0)  # the loop's next turn
    assert [line.split("Info: ")[1] for line in path.read_text().splitlines()[-2:]] == [
        "one", "two"]
    thread = threading.Thread(target=log.info, args=("from a thread",))
    thread.start()
    thread.join()
    assert path.read_text().endswith("Info: from a thread\n")
    log.info("three")
    log.flush()
    assert path.read_text().endswith("Info: three\n")
    log.info("four")
    log.close()  # what is held is written first
    assert path.read_text().endswith("Info: four\n")
