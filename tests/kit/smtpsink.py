"""Postfix's smtp-sink (Debian package postfix) as a loopback sink: a process of its
own that accepts every message and dumps each transaction to a file, so what it
received can be counted without the sink sharing a CPU or an event loop with the
test that drives it.

    with SmtpSink() as sink:
        ...  # deliver to 127.0.0.1:sink.port
        sink.recipients()  # one entry per recipient accepted, duplicates included
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

from tests.kit.ports import reserve
from tests.kit.processes import Started, stop_process, wait_listening

SMTP_SINK = shutil.which("smtp-sink") or "/usr/sbin/smtp-sink"


def available() -> bool:
    return os.access(SMTP_SINK, os.X_OK)


class SmtpSink(Started):
    def __init__(self) -> None:
        self.port = reserve()
        # Outside pytest's 0700 tree: as root, smtp-sink writes its dumps as nobody.
        self.root = Path(tempfile.mkdtemp(prefix="esacli-sink-"))
        self.root.chmod(0o777)
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self) -> SmtpSink:
        user = ["-u", "nobody"] if os.geteuid() == 0 else []
        self.proc = subprocess.Popen(
            [SMTP_SINK, *user, "-d", f"{self.root}/%H%M%S.", f"127.0.0.1:{self.port}", "100"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )
        try:
            wait_listening(self.port, proc=self.proc, what="smtp-sink")
        except BaseException:
            self.stop()
            raise
        return self

    def stop(self) -> None:
        stop_process(self.proc)
        shutil.rmtree(self.root, ignore_errors=True)

    def count(self) -> int:
        """Transactions received so far."""
        return sum(1 for _ in self.root.iterdir())

    def recipients(self) -> list[str]:
        found = []
        for path in self.root.iterdir():
            try:
                text = path.read_text(errors="replace")
            except OSError:
                continue  # being written: the caller waits and counts again
            found += [line.split(":", 1)[1].strip(" <>")
                      for line in text.splitlines() if line.startswith("X-Rcpt-Args:")]
        return found
