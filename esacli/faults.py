"""A test hook: make one top-level command fail on purpose, to show what a fault does.

`ESACLI_FAULT=<command>:<kind>[,<command>:<kind>...]` in the environment of `esacli run`
or `esacli shell` makes each command named raise as soon as it is started; every other
command, and the engine, behave as usual. Unset (the default) or unreadable, it does
nothing. Kinds:

  error      RuntimeError: an ordinary bug inside a command. The command is dropped
             with "An application fault occurred", the prompt comes back.
  interrupt  KeyboardInterrupt, and
  exit       SystemExit: exceptions that no command catches. They end that one
             session (logged in system_logs); the engine and other sessions go on.

It stages, writes and deletes nothing, so it is harmless if left set; the tests in
tests/e2e/test_session_faults.py are its users.
"""

from __future__ import annotations

import os

VARIABLE = "ESACLI_FAULT"

_KINDS: dict[str, type[BaseException]] = {
    "error": RuntimeError,
    "interrupt": KeyboardInterrupt,
    "exit": SystemExit,
}


def check(command: str) -> None:
    """Raise the configured fault if `command` is one named in the environment."""
    for spec in os.environ.get(VARIABLE, "").split(","):
        name, _, kind = spec.partition(":")
        fault = _KINDS.get(kind.strip().lower())
        if fault is not None and name.strip().lower() == command:
            raise fault(f"fault injected by {VARIABLE}")
