"""The exception tree of `state/`.

StateError
 +-- ConfigError        one validation failure, with the configuration path it concerns
 +-- CommitRefused      commit wrote nothing: `errors` (ConfigError list) or `conflicts`
 +-- CertError          a PEM block or key that cannot be used (message says why)
 +-- StoreError         the versioned store cannot do what was asked
 +-- FormatError        an imported text file is malformed: `line` (1-based) and why
 +-- ConfirmationPending  a `commit confirmed` while another one waits for confirmation
"""

from __future__ import annotations

from dataclasses import dataclass

# Messages quote what was typed or imported; a 1 MB bad line is not echoed back whole.
MAX_MESSAGE = 200


def shorten(text: str, limit: int = MAX_MESSAGE) -> str:
    """`text` cut to `limit` characters, the cut marked with "..."."""
    return text if len(text) <= limit else text[: limit - 3] + "..."


class StateError(Exception):
    """Base of every error raised by `state/`."""


class ConfigError(StateError):
    def __init__(self, path: str, message: str) -> None:
        path, message = shorten(path), shorten(message)
        super().__init__(f"{path}: {message}")
        self.path = path
        self.message = message


@dataclass(frozen=True)
class Conflict:
    """A path changed on both sides of a merge."""

    path: str
    base: object
    theirs: object
    mine: object


class CommitRefused(StateError):
    def __init__(
        self, errors: list[ConfigError] | None = None, conflicts: list[Conflict] | None = None
    ) -> None:
        self.errors = errors or []
        self.conflicts = conflicts or []
        super().__init__(f"{len(self.errors)} errors, {len(self.conflicts)} conflicts")


class CertError(StateError):
    pass


class StoreError(StateError):
    pass


class FormatError(StateError):
    """A malformed import file; nothing is changed when one is raised."""

    def __init__(self, line: int, message: str) -> None:
        message = shorten(message)
        super().__init__(f"line {line}: {message}")
        self.line = line
        self.message = message


class ConfirmationPending(StateError):
    """Only one confirmed commit may wait at a time (the safer rule: no silent extension)."""

    def __init__(self, version: int, user: str, deadline: float) -> None:
        super().__init__(f"version {version} by {user} is waiting for confirmation")
        self.version = version
        self.user = user
        self.deadline = deadline
