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
import socket
import subprocess
import tempfile
import time
from pathlib import Path
from types import TracebackType
from typing import Self

SMTP_SINK = shutil.which("smtp-sink") or "/usr/sbin/smtp-sink"


def available() -> bool:
    return os.access(SMTP_SINK, os.X_OK)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class SmtpSink:
    def __init__(self) -> None:
        self.port = _free_port()
        # Outside pytest's 0700 tree: as root, smtp-sink writes its dumps as nobody.
        self.root = Path(tempfile.mkdtemp(prefix="esacli-sink-"))
        self.root.chmod(0o777)
        self.proc: subprocess.Popen[bytes] | None = None

    def __enter__(self) -> Self:
        user = ["-u", "nobody"] if os.geteuid() == 0 else []
        self.proc = subprocess.Popen(
            [SMTP_SINK, *user, "-d", f"{self.root}/%H%M%S.", f"127.0.0.1:{self.port}", "100"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 10
        while True:
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.2).close()
                return self
            except OSError:
                if time.monotonic() > deadline or self.proc.poll() is not None:
                    self.__exit__(None, None, None)
                    raise RuntimeError("smtp-sink did not start") from None
                time.sleep(0.02)

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
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
