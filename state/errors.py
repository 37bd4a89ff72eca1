"""The exception tree of `state/`.

StateError                every error raised by state/: `reason` is its message from
 |                        `state.messages` (the one catalogue), with `code` and `params`
 +-- ConfigError          one validation failure, with the configuration path it concerns
 +-- CommitRefused        commit wrote nothing: `errors` (ConfigError list) or `conflicts`
 +-- CertError            a PEM block or key that cannot be used (message says why)
 |    +-- Pkcs12Refused   a PKCS#12 file that does not open (wrong passphrase, not PKCS#12)
 +-- StoreError           the versioned store cannot do what was asked
 +-- FormatError          an imported text file is malformed: `line` (1-based) and why
 |    +-- ValueRefused    one typed value (an answer, a batch word) is unusable: line 0
 +-- EditRefused          an edit a configuration rule forbids (state.edit): nothing changed
 +-- ConfirmationPending  a `commit confirmed` while another one waits for confirmation
 +-- AccessRefused        the session's role may not do that (state.users): nothing changed
 +-- ClusterError         state.cluster's own tree (state/cluster/errors.py)
"""

from __future__ import annotations

from dataclasses import dataclass

from state import messages
from state.messages import Message

# Messages quote what was typed or imported; a 1 MB bad line is not echoed back whole.
MAX_MESSAGE = 200


def shorten(text: str, limit: int = MAX_MESSAGE) -> str:
    """`text` cut to `limit` characters, the cut marked with "..."."""
    return text if len(text) <= limit else text[: limit - 3] + "..."


class StateError(Exception):
    """Base of every error raised by `state/`: `reason` says why (str(exc) is the whole
    text, which may add where: a configuration path, a line)."""

    def __init__(self, reason: Message, text: str | None = None) -> None:
        super().__init__(reason.text if text is None else text)
        self.reason = reason

    @property
    def code(self) -> str:
        return self.reason.code


class ConfigError(StateError):
    def __init__(self, path: str, message: Message) -> None:
        path, text = shorten(path), shorten(message.text)
        super().__init__(message, messages.CONFIG_PROBLEM(path=path, message=text))
        self.path = path
        self.message = text


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
        super().__init__(messages.COMMIT_REFUSED(errors=len(self.errors),
                                                 conflicts=len(self.conflicts)))


class CertError(StateError):
    pass


class EncryptedKey(CertError):
    """A private key protected by a passphrase, where none is asked (a pasted PEM)."""


class Pkcs12Refused(CertError):
    """The passphrase is wrong, or the data is not PKCS#12 (OpenSSL cannot tell which)."""


class StoreError(StateError):
    pass


class FormatError(StateError):
    """A malformed import file; nothing is changed when one is raised."""

    def __init__(self, line: int, message: Message) -> None:
        text = shorten(message.text)
        super().__init__(message, messages.FILE_LINE(line=line, message=text))
        self.line = line
        self.message = text


class ValueRefused(FormatError):
    """One value typed in a dialog or given in a batch form cannot be used (no file, so
    no line: `line` is 0)."""

    def __init__(self, message: Message) -> None:
        super().__init__(0, message)


class EditRefused(StateError):
    """An edit that a configuration rule forbids (the ALL row, a route limit...); the
    configuration is unchanged. `message` is the text for the administrator."""

    def __init__(self, message: Message) -> None:
        super().__init__(message)
        self.message = message


class ConfirmationPending(StateError):
    """Only one confirmed commit may wait at a time (the safer rule: no silent extension)."""

    def __init__(self, version: int, user: str, deadline: float) -> None:
        super().__init__(messages.CONFIRMATION_WAITING(version=version, user=user))
        self.version = version
        self.user = user
        self.deadline = deadline


class AccessRefused(StateError):
    """The session user's role may not change or commit (state.users.ALLOWED); nothing
    was staged or written."""
