"""One message's DATA as it arrives, streamed to its spool file.

The header block is held (at most HEAD_LIMIT bytes: a longer one is refused) until its
end is seen: what the engine adds or refuses depends on it (engine/inbound/headers.py:
our Received line on top, Date and Message-ID on private listeners, the loop check).
Then our headers and the held block are written, and the rest of the message goes to
the file as it comes. A message that must be refused (too big, a header block too
large, a line too long, a NUL, a loop) stops being written at once and its file is
dropped; the refusal is the reply to its final dot, as before. So a message in flight
costs a bounded buffer, never its size.
"""

from __future__ import annotations

from dataclasses import dataclass

from engine import maillog, replies
from engine.inbound import headers
from engine.inbound.dotstream import DataDecoder
from engine.spool_writer import Incoming

# A header block longer than this is refused (as Exchange's 256 KB limit does): it is
# held whole to be judged (the loop check counts every Received line), never in part.
HEAD_LIMIT = 256 * 1024


@dataclass(frozen=True)
class Failure:
    """Why DATA ended without a message: the mail_logs reason and the reply."""

    reason: str
    reply: str


SIZE = Failure(maillog.SIZE_EXCEEDED, replies.SIZE_EXCEEDED)
LINE = Failure(maillog.LINE_TOO_LONG, replies.LINE_TOO_LONG)
NUL = Failure(headers.Refusal.NUL.value, replies.NUL_IN_MESSAGE)
LOOP = Failure(headers.Refusal.LOOP.value, replies.MESSAGE_LOOP)
HEADER = Failure(headers.Refusal.HEADER.value, replies.HEADER_TOO_LARGE)


class Receiving:
    def __init__(self, incoming: Incoming, arrival: headers.Arrival, private: bool,
                 limit: int | None) -> None:
        self.incoming = incoming
        self.decoder = DataDecoder()
        self.failure: Failure | None = None
        self._arrival, self._private, self._limit = arrival, private, limit
        self._head: bytearray | None = bytearray()
        self.header = b""  # the client's header block, once its end is seen (mail_logs)

    def add(self, pieces: list[bytes]) -> None:
        """Message bytes decoded from the latest chunk (engine/inbound/dotstream.py)."""
        if self.failure is not None:
            return
        if self.decoder.too_long:
            return self._fail(LINE)
        if self._limit and self.decoder.size > self._limit:
            return self._fail(SIZE)
        for piece in pieces:
            if b"\x00" in piece:
                return self._fail(NUL)
            if self._head is None:
                self.incoming.write(piece)
                continue
            seen = len(self._head)
            self._head += piece
            if headers.block_ends(self._head, seen):
                self._write_head()
            elif len(self._head) >= HEAD_LIMIT:
                if headers.only_fields(self._head):  # fields, and more: too large to judge
                    return self._fail(HEADER)
                self._write_head()  # a text without a header block: nothing more to hold
        return None

    def _write_head(self) -> None:
        head, self._head = bytes(self._head or b""), None
        self.header = head
        if headers.refusal(head) is headers.Refusal.LOOP:
            self._fail(LOOP)
            return
        self.incoming.write(headers.stamped(head, self._arrival, self._private))

    def _fail(self, failure: Failure) -> None:
        self.failure, self._head = failure, None
        self.incoming.abort()

    def ended(self) -> Failure | None:
        """The final dot arrived: what is refused, or None (then finish the file)."""
        if self.failure is None and self._head is not None:
            self._write_head()
        return self.failure

    def abort(self) -> None:
        self._head = None
        self.incoming.abort()
