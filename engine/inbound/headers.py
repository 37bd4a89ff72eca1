"""What the engine adds to, or refuses in, an accepted message. Pure: bytes in, bytes out.

- a `Received:` header on top of every message, as Postfix writes it (RFC 5321
  §4.4, protocol names from RFC 3848: SMTP, ESMTP, ESMTPS), with the TLS version and
  cipher as a comment and `for <rcpt>` when there is one recipient;
- `Date:` and `Message-ID:` when missing, on private listeners only (mail from our own
  clients; mail from the outside keeps what its sender wrote);
- loop protection: more than MAX_RECEIVED `Received:` headers is a mail loop
  (RFC 5321 §6.3 asks for a threshold of at least 100);
- a NUL in the message is refused, never relayed (RFC 5321 §4.1.4: a NUL is not text);
- the Message-ID and Subject that mail_logs records for each message (reference §9).
"""

from __future__ import annotations

import contextlib
import enum
import functools
import re
import uuid
from dataclasses import dataclass
from datetime import datetime
from email.header import decode_header, make_header
from email.utils import format_datetime

MAX_RECEIVED = 100

_HEADER_END = re.compile(rb"\r?\n\r?\n")
_RECEIVED = re.compile(rb"^received:", re.IGNORECASE | re.MULTILINE)
_MESSAGE_ID = re.compile(rb"^message-id:", re.IGNORECASE | re.MULTILINE)
_DATE = re.compile(rb"^date:", re.IGNORECASE | re.MULTILINE)


class Refusal(enum.Enum):
    """Why a message is refused after its final dot (texts in engine/replies.py)."""

    LOOP = "Message loop"
    NUL = "Message contains NUL characters"
    HEADER = "Message header size exceeds limit"


@dataclass(frozen=True)
class Arrival:
    """Everything the Received header says about one accepted message."""

    helo: str
    ptr: str
    ip: str
    host: str  # our host name, as the banner says it
    esmtp: bool
    mid: int
    recipients: tuple[str, ...]
    when: float
    tls_version: str = ""
    tls_cipher: str = ""

    @property
    def protocol(self) -> str:
        if self.tls_version:
            return "ESMTPS"
        return "ESMTP" if self.esmtp else "SMTP"


def _date(when: float) -> str:
    return _date_of_second(int(when))


@functools.lru_cache(maxsize=4)
def _date_of_second(second: int) -> str:
    # A date says whole seconds; formatting one was 7 % of a worker's time with plain SMTP.
    return format_datetime(datetime.fromtimestamp(second).astimezone())


def header_block(content: bytes) -> bytes:
    """The header section: up to the first empty line (all of it when there is none)."""
    if content.startswith((b"\r\n", b"\n")):
        return b""
    match = _HEADER_END.search(content)
    return content if match is None else content[: match.start() + 1]


def block_ends(content: bytes | bytearray, seen: int = 0) -> bool:
    """Whether `content` holds the whole header block (its end was found after offset
    `seen`, or the message starts with the empty line); for streaming."""
    if content.startswith((b"\r\n", b"\n")):
        return True
    return _HEADER_END.search(content, max(0, seen - 3)) is not None


# A complete line that is neither a header field (name, colon) nor its continuation
_NOT_A_FIELD = re.compile(rb"^(?![ \t])(?![!-9;-~]+:)[^\n]*\n", re.MULTILINE)


def only_fields(content: bytes | bytearray) -> bool:
    """Whether every complete line of `content` is a header field or its continuation (a
    text without headers is no header block to hold whole)."""
    return _NOT_A_FIELD.search(content) is None


def refusal(content: bytes) -> Refusal | None:
    if b"\x00" in content:
        return Refusal.NUL
    if len(_RECEIVED.findall(header_block(content))) > MAX_RECEIVED:
        return Refusal.LOOP
    return None


def received(arrival: Arrival) -> bytes:
    lines = [
        f"Received: from {arrival.helo or 'unknown'} ({arrival.ptr} [{arrival.ip}])",
        f"\tby {arrival.host} with {arrival.protocol} id {arrival.mid}",
    ]
    if arrival.tls_version:
        lines.append(f"\t(using {arrival.tls_version} with cipher {arrival.tls_cipher})")
    stamp = _date(arrival.when)
    if len(arrival.recipients) == 1:
        lines.append(f"\tfor <{arrival.recipients[0]}>; {stamp}")
    else:
        lines[-1] += f"; {stamp}"
    return ("\r\n".join(lines) + "\r\n").encode("ascii", "replace")


def missing(content: bytes, arrival: Arrival) -> bytes:
    """The Date and Message-ID headers `content` lacks."""
    block = header_block(content)
    added = b""
    if not _DATE.search(block):
        added += f"Date: {_date(arrival.when)}\r\n".encode()
    if not _MESSAGE_ID.search(block):
        added += f"Message-ID: <{uuid.uuid4().hex}.{arrival.mid}@{arrival.host}>\r\n".encode()
    return added


def stamped(content: bytes, arrival: Arrival, private: bool) -> bytes:
    """The message as spooled: our headers first, then what the client sent."""
    extra = missing(content, arrival) if private else b""
    return received(arrival) + extra + content


@functools.cache
def _field_pattern(name: bytes) -> re.Pattern[bytes]:
    return re.compile(rb"^" + name + rb":[ \t]*(.*(?:\r?\n[ \t].*)*)",
                      re.IGNORECASE | re.MULTILINE)


_FOLD = re.compile(rb"\r?\n[ \t]+")


def _field(block: bytes, name: bytes) -> str | None:
    """The first `name:` header of `block`, unfolded, as text (None when absent)."""
    match = _field_pattern(name).search(block)
    if match is None:
        return None
    raw = _FOLD.sub(b" ", match.group(1)).rstrip(b"\r\n")
    return raw.decode("utf-8", "replace").strip()


# What mail_logs shows of a Subject or Message-ID: one line, whose length a client must
# not choose (a 300 KB subject per message would roll every kept log file away)
LOGGED_FIELD = 1000
CUT = "..."


def logged_fields(content: bytes) -> tuple[str | None, str | None]:
    """(Message-ID, Subject) as mail_logs shows them; the subject's encoded words
    (RFC 2047) decoded; each cut at LOGGED_FIELD characters. Control characters are left
    for the log writer to escape."""
    block = header_block(content)
    subject = _field(block, b"subject")
    if subject is not None and "=?" in subject:  # no encoded word: nothing to decode
        with contextlib.suppress(ValueError, LookupError, UnicodeError):
            subject = str(make_header(decode_header(subject)))
    return _cut(_field(block, b"message-id")), _cut(subject)


def _cut(value: str | None) -> str | None:
    if value is None or len(value) <= LOGGED_FIELD:
        return value
    return value[:LOGGED_FIELD] + CUT

