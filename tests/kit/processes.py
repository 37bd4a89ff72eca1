"""Stopping what a test started: by its own Popen (its pid), never by name."""

from __future__ import annotations

import signal
import subprocess
from types import TracebackType
from typing import Any, Self

from tests.kit.ports import accepts
from tests.kit.waiting import wait_until


def stop_process(proc: subprocess.Popen[Any] | None, timeout: float = 10.0,
                 how: signal.Signals = signal.SIGTERM) -> bool:
    """Signal `proc` (SIGTERM by default), wait up to `timeout` s, then SIGKILL it.
    False if it had to be killed."""
    if proc is None or proc.poll() is not None:
        return True
    proc.send_signal(how)
    try:
        proc.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()
        return False
    return True


def wait_listening(port: int, ip: str = "127.0.0.1", proc: subprocess.Popen[Any] | None = None,
                   timeout: float = 10.0, what: str = "the server") -> None:
    """Wait until something accepts on `ip`:`port`; fail at once if `proc` has exited."""

    def up() -> bool:
        if proc is not None and proc.poll() is not None:
            raise RuntimeError(f"{what} exited with status {proc.returncode}")
        return accepts(port, ip)

    wait_until(up, timeout, f"{what} to listen on {ip}:{port}")


class Started:
    """A test server used as `with Server(...) as server:`: `start()` on entry, `stop()`
    on exit. Subclasses define both; `start` returns the server itself."""

    def start(self) -> Self:
        raise NotImplementedError

    def stop(self) -> None:
        raise NotImplementedError

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()
