"""What every command and dialog receives: the console, the session, the clock, and on
a cluster member the shell's cluster modes (esacli/cluster_modes.py)."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TypeVar

from esacli.console import Console
from esacli.logins import Logins
from state.cluster import threads
from state.editing import EditSession
from state.model import Config

if TYPE_CHECKING:
    from esacli.cluster_modes import Modes

T = TypeVar("T")


@dataclass
class Context:
    console: Console
    session: EditSession
    clock: Callable[[], float] = time.time  # injectable so transcripts can show fixed dates
    # A command refused what it was asked (see `refuse`): a batch session exits non-zero.
    failed: bool = False
    # On a cluster member: the modes of this shell (`session` is the current mode's).
    cluster: Modes | None = None
    logins: Logins | None = None  # who is logged in to this appliance (who, last)

    @property
    def config(self) -> Config:
        return self.session.candidate

    def refuse(self, text: str) -> None:
        """Say why the command did not do what it was asked; the session's exit status
        (SSH exec, piped input) then reports a failure."""
        self.failed = True
        self.console.say(text)

    def stage(self, config: Config) -> None:
        """Dialogs call this once, when they complete (Ctrl-C before it drops the edit).
        A role that may not change anything is refused here (state.errors.AccessRefused,
        which ends the dialog at the shell): nothing it typed is staged."""
        self.session.stage(config)

    async def call(self, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        """A session call that may wait on the network (a cluster member's go to the
        cluster database): run off the event loop there, in the cluster database's own
        threads (state/cluster/threads.py), so neither SMTP nor the queue waits on it."""
        if self.cluster is None:
            return fn(*args, **kwargs)
        return await threads.off_loop(fn, *args, **kwargs)
