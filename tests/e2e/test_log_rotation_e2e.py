"""mail_logs rolls over under a mail load (logconfig committed: 10K files, keep 3), and
`findevent`, `grep` and `tail` over real SSH read across the rolled-over files: a message
whose lines lie in two files is shown whole, in order."""

from __future__ import annotations

import re
import smtplib
from pathlib import Path

from engine.logfiles import files_of
from state import model
from state.edit.logs import put_log
from tests.kit.appliance import Appliance, prepared, running
from tests.kit.ssh import ssh_exec
from tests.kit.waiting import wait_until

SIZE = 10 * 1024
KEEP = 3
MESSAGES = 100  # some 700 bytes of lines each: more rollovers than files kept


def small_logs(config: model.Config) -> model.Config:
    """Small files; delivery held (suspenddel), so the log stands still once the load ends."""
    held = model.replace(config, delivery=model.replace(config.delivery, suspended=True))
    return put_log(held, model.LogSettings("mail_logs", max_size=SIZE, max_files=KEEP))


PER_SESSION = 10  # the default policy's messages per session


def load(app: Appliance) -> None:
    """MESSAGES messages, PER_SESSION to a connection (so a message's connection lines,
    too, may lie in other files than its own)."""
    for first in range(0, MESSAGES, PER_SESSION):
        with smtplib.SMTP("127.0.0.1", app.inbound, timeout=10) as client:
            for n in range(first, first + PER_SESSION):
                body = f"Subject: load {n:02d}\r\nMessage-ID: <m{n}@load.example>\r\n\r\nhi\r\n"
                assert client.sendmail(f"s{n}@partner.example", ["user@example.com"],
                                       body.encode()) == {}


def file_lines(path: Path) -> list[list[str]]:
    return [f.read_text().splitlines() for f in files_of(path)]


def settled(path: Path) -> list[list[str]] | None:
    """The files once every connection they show opening has its close line: the worker
    writes `ICID n close` after the client's QUIT is answered, so it may still be on its
    way when the load ends."""
    files = file_lines(path)
    text = "\n".join(line for lines in files for line in lines)
    opened = set(re.findall(r"New SMTP ICID (\d+) ", text))
    closed = set(re.findall(r"ICID (\d+) close", text))
    return files if opened and opened <= closed else None


def straddling(files: list[list[str]]) -> int:
    """A MID whose own lines (`MID n ...`) lie in two files."""
    where: dict[int, set[int]] = {}
    for index, lines in enumerate(files):
        for line in lines:
            for mid in re.findall(r" MID (\d+) ", line):
                where.setdefault(int(mid), set()).add(index)
    return next(mid for mid, found in sorted(where.items()) if len(found) > 1)


def test_findevent_shows_a_message_across_two_rolled_over_files(tmp_path: Path) -> None:
    with running(prepared(tmp_path, small_logs)) as app:
        load(app)
        path = app.data / "logs" / "mail_logs"
        files = wait_until(lambda: settled(path), what="every connection's close line")
        assert len(files) == KEEP + 1, [f.name for f in files_of(path)]
        for lines in files:  # each file starts as the appliance's do (§9)
            assert lines[0].endswith("Info: Begin Logfile"), lines[:3]
        # the SMTP workers and the queue's process append to one file: between one's size
        # check and its write another's line may land (a line each at most)
        assert all(f.stat().st_size <= SIZE + 1024 for f in files_of(path))
        mid = straddling(files)
        everything = [line for lines in files for line in lines]
        own = [line for line in everything if re.search(rf" MID {mid}\b", line)]

        found = ssh_exec(app, f"findevent -m {mid} mail_logs")
        assert found.returncode == 0, found.stderr
        shown = found.stdout.strip("\n").split("\n")
        assert [line for line in shown if re.search(rf" MID {mid}\b", line)] == own
        icid = re.search(rf"Start MID {mid} ICID (\d+)", "\n".join(own))
        assert icid is not None
        assert any(f"New SMTP ICID {icid.group(1)} " in line for line in shown)
        assert shown == [line for line in everything if line in shown]  # in log order
        assert f"MID {mid} Subject 'load " in found.stdout
        assert f"MID {mid} Message-ID '<m" in found.stdout

        sender = next(re.search(r"From: <(s\d+)@", line) for line in own if "From: " in line)
        assert sender is not None
        by_sender = ssh_exec(app, f"findevent -f ^<{sender.group(1)}@ mail_logs")
        assert by_sender.returncode == 0, by_sender.stderr
        assert by_sender.stdout == found.stdout

        count = ssh_exec(app, "grep -c -e ready mail_logs")
        kept = sum(1 for line in everything if " ready " in line)
        assert count.stdout == f"\n{kept} matching lines.\n\n"
        bad = ssh_exec(app, "grep -e ( mail_logs")
        assert bad.returncode != 0
        assert bad.stdout.startswith("\nInvalid regular expression: ")
