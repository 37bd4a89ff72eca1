"""The end of DATA found in large chunks, and dot-unstuffing (RFC 5321 §4.5.2). Pure.

Only `<CR><LF>.<CR><LF>` ends the data (or `.<CR><LF>` as the very first line): a bare
LF or CR never ends a line here, so `<LF>.<LF>`, `<LF>.<CR><LF>` and `<CR>.<CR>` stay
message text (SMTP smuggling, CVE-2023-51764 and aiosmtpd's CVE-2024-27305). A line
starting with a dot loses that dot. Line lengths are counted between CRLFs, as
aiosmtpd's line reader did (more than LINE_LIMIT bytes is "Line too long"), and the
size is the message as it will be stored (after unstuffing, CRLFs included).

`DataDecoder.feed(chunk)` may be called with chunks cut anywhere, even inside the
terminator or just after a line's first dot: at most two bytes are held back for the
next chunk (`.` or `.<CR>` at a line start, a `<CR>` that may begin a CRLF).
"""

from __future__ import annotations

from dataclasses import dataclass, field

LINE_LIMIT = 1001  # RFC 5321 §4.5.3.1.6: 998 + the transparency dot + 2 for aiosmtpd's reader
CRLF = b"\r\n"


@dataclass
class Decoded:
    """What one chunk gave: message bytes, and once the end is found the bytes after it."""

    data: list[bytes] = field(default_factory=list)
    ended: bool = False
    rest: bytes = b""  # pipelined commands after the final dot


class DataDecoder:
    def __init__(self, line_limit: int = LINE_LIMIT) -> None:
        self.line_limit = line_limit
        self.size = 0  # message bytes so far (after unstuffing)
        self.too_long = False  # some line was longer than line_limit
        self._bol = True  # the next byte starts a line
        self._line = 0  # length of the line in progress
        self._carry = b""

    def feed(self, chunk: bytes) -> Decoded:
        data = self._carry + chunk if self._carry else chunk
        self._carry = b""
        parts = data.split(CRLF)
        out = Decoded()
        last = len(parts) - 1
        if last and not (self._bol and data[:1] == b".") and b"\r\n." not in data:
            self._whole_lines(data, parts, out)  # no line starts with a dot: one piece
        else:
            for k in range(last):  # each of these lines ended with CRLF
                seg = parts[k]
                at_start = self._bol if k == 0 else True
                if at_start and seg == b".":
                    out.ended, out.rest = True, CRLF.join(parts[k + 1:])
                    return out
                self._note_line((self._line if k == 0 else 0) + len(seg))
                if at_start and seg[:1] == b".":
                    seg = seg[1:]
                out.data.append(seg + CRLF)
                self.size += len(seg) + 2
        self._partial(parts[last], self._bol if last == 0 else True, out)
        return out

    def _whole_lines(self, data: bytes, parts: list[bytes], out: Decoded) -> None:
        whole = data[: len(data) - len(parts[-1])]
        self._note_line(self._line + len(parts[0]))
        if len(parts) > 2:
            self._note_line(max(map(len, parts[1:-1])))
        out.data.append(whole)
        self.size += len(whole)

    def _partial(self, seg: bytes, at_start: bool, out: Decoded) -> None:
        """The unfinished last line of a chunk: emit it, holding back what the next chunk
        decides (a line-start dot that may be the terminator, a CR that may start CRLF)."""
        base = self._line if not at_start else 0
        if at_start and seg in (b".", b".\r"):
            self._carry, self._bol, self._line = seg, True, 0
            return
        hold = seg[-1:] == b"\r"
        body = seg[:-1] if hold else seg
        if not body and not hold:
            self._bol, self._line = at_start, base
            return
        self._line = base + len(body)
        self._note_line(self._line)
        if at_start and body[:1] == b".":
            body = body[1:]
        if hold:  # the CR is counted with the next chunk, which says what it is
            self._carry = b"\r"
        if body:
            out.data.append(body)
            self.size += len(body)
        self._bol = False

    def _note_line(self, length: int) -> None:
        if length > self.line_limit:
            self.too_long = True
