"""What every command and dialog receives: the console, the session, the clock."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

from esacli.console import Console
from state.model import Config
from state.session import Session


@dataclass
class Context:
    console: Console
    session: Session
    clock: Callable[[], float] = time.time  # injectable so transcripts can show fixed dates
    # A command refused what it was asked (see `refuse`): a batch session exits non-zero.
    failed: bool = False

    @property
    def config(self) -> Config:
        return self.session.candidate

    def refuse(self, text: str) -> None:
        """Say why the command did not do what it was asked; the session's exit status
        (SSH exec, piped input) then reports a failure."""
        self.failed = True
        self.console.say(text)

    def stage(self, config: Config) -> None:
        """Dialogs call this once, when they complete (Ctrl-C before it drops the edit)."""
        self.session.stage(config)
