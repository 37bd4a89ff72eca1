"""The exception tree of `engine/`.

EngineError                 base of every error the engine raises on purpose
 +-- RuntimeBuildError      a committed version cannot be turned into a RuntimeConfig;
 |                          `errors` lists every problem found (the old runtime stays)
 +-- TlsSetupError          a certificate chain or key cannot make an SSL context
 +-- SpoolError             a message could not be made durable (the client gets a 4xx)
 +-- QueueUnavailable       the queue database cannot be read or changed from outside
 |                          the engine (engine/queue/admin.py)
 +-- ConnectError           an outbound connection or its greeting failed
                            (engine/outbound/smtpconn.py); `reason` says why, `code` is
                            the server's reply code when it gave one

Nothing here ever reaches an SMTP client as a traceback: the SMTP session turns any
exception into a reply from `engine.replies` and a one-line mail_logs entry.
"""

from __future__ import annotations


class EngineError(Exception):
    """Base of every error raised by `engine/`."""


class RuntimeBuildError(EngineError):
    def __init__(self, version: int, errors: list[str]) -> None:
        self.version = version
        self.errors = list(errors)
        super().__init__(f"configuration version {version}: " + "; ".join(self.errors))


class TlsSetupError(EngineError):
    pass


class SpoolError(EngineError):
    pass


class QueueUnavailable(EngineError):
    pass


class ConnectError(EngineError):
    """The connection or the greeting failed; `code` is the server's if it replied, and
    `detail` its reply's text (the reason without the code)."""

    def __init__(self, reason: str, code: int | None = None, detail: str | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.code = code
        self.detail = reason if detail is None else detail
