"""What a message itself asks of its delivery's TLS, and how that is kept with it.

- REQUIRETLS (RFC 8689 §2): the sender gave `MAIL FROM:<...> REQUIRETLS` over TLS; the
  message may go only to an MX that DANE or an MTA-STS enforce policy authenticates.
- `TLS-Required: No` (RFC 8689 §3): a header of the message; the DNS-published policies
  (DANE, MTA-STS) are set aside for it, never the destination control.
- A TLS report of ours (RFC 8460 §5.3): its own deliveries are never reported.

REQUIRETLS and "report" are envelope facts: the spool header and the queue database keep
them as words (`encode`, `decode`), written by whoever spools the message. The header is
read from the content (`tls_required_no`) when the queue takes the message in.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

REQUIRETLS = "requiretls"
TLS_REQUIRED_NO = "tls-required-no"
TLS_REPORT = "tls-report"
_HEADER_END = re.compile(rb"\r?\n\r?\n")
_FIELD = re.compile(rb"^tls-required[ \t]*:(.*)$", re.IGNORECASE | re.DOTALL)


@dataclass(frozen=True)
class Flags:
    requiretls: bool = False
    tls_required_no: bool = False
    tls_report: bool = False

    def encode(self) -> str:
        """The words kept with the message ("" for a plain message)."""
        words = ((REQUIRETLS, self.requiretls), (TLS_REQUIRED_NO, self.tls_required_no),
                 (TLS_REPORT, self.tls_report))
        return " ".join(word for word, on in words if on)

    @classmethod
    def decode(cls, text: str) -> Flags:
        """Words written by `encode`; unknown words (a newer version's) are ignored."""
        words = set(str(text).split())
        return cls(REQUIRETLS in words, TLS_REQUIRED_NO in words, TLS_REPORT in words)

    def with_content(self, content: bytes) -> Flags:
        """These flags and what the message's own header asks."""
        return replace(self, tls_required_no=self.tls_required_no or tls_required_no(content))


PLAIN_MESSAGE = Flags()


def tls_required_no(content: bytes) -> bool:
    """Whether the message's header holds `TLS-Required: No` (every such field saying No)."""
    end = _HEADER_END.search(content)
    head = content[: end.start()] if end else content
    values = [m.group(1) for m in map(_FIELD.match, _fields(head)) if m is not None]
    return bool(values) and all(v.strip().lower() == b"no" for v in values)


def _fields(head: bytes) -> list[bytes]:
    """The header's fields, unfolded."""
    fields: list[bytes] = []
    for line in head.splitlines():
        if line[:1] in (b" ", b"\t") and fields:
            fields[-1] += b" " + line.strip()
        else:
            fields.append(line)
    return fields
