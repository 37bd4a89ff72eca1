"""The end of DATA found in chunks cut anywhere (engine/inbound/dotstream.py).

The reference is the rule aiosmtpd 1.4.6 applies line by line (CVE-2024-27305): lines
end only at CRLF, a line that is exactly "." ends the data, a leading dot is removed,
a line over 1001 bytes (its CRLF aside) is too long.
"""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from engine.inbound.dotstream import LINE_LIMIT, DataDecoder

END = b"\r\n.\r\n"


def by_lines(stream: bytes) -> tuple[bytes, bytes, bool] | None:
    """(message, bytes after the final dot, too long) or None when the data never ends."""
    data, pos, too_long = [], 0, False
    while True:
        i = stream.find(b"\r\n", pos)
        if i < 0:
            return None
        line, pos = stream[pos : i + 2], i + 2
        if line == b".\r\n":
            return b"".join(data), stream[pos:], too_long
        too_long = too_long or len(line) - 2 > LINE_LIMIT
        data.append(line[1:] if line.startswith(b".") else line)


def decode(stream: bytes, cuts: list[int]) -> tuple[bytes, bytes, bool] | None:
    decoder, got, start = DataDecoder(), [], 0
    for cut in [*sorted(set(cuts)), len(stream)]:
        out = decoder.feed(stream[start:cut])
        got += out.data
        if out.ended:
            assert decoder.size == len(b"".join(got))
            return b"".join(got), out.rest + stream[cut:], decoder.too_long
        start = cut
    return None


def every_cut(stream: bytes) -> None:
    expected = by_lines(stream)
    for i in range(len(stream) + 1):
        for j in range(i, min(len(stream), i + 4) + 1):
            assert decode(stream, [i, j]) == expected, (stream, i, j)


def test_the_terminator_cut_at_every_byte() -> None:
    every_cut(b"Subject: a\r\n\r\nbody\r\n.\r\nQUIT\r\n")


def test_dot_stuffing_cut_at_every_byte() -> None:
    stream = b"..leading\r\n.\r\r\n..\r\n.x\r\n\r\n..\r\n.\r\nMAIL FROM:<a@b>\r\n"
    every_cut(stream)
    assert by_lines(stream) == (b".leading\r\n\r\r\n.\r\nx\r\n\r\n.\r\n", b"MAIL FROM:<a@b>\r\n",
                                False)


def test_smuggling_variants_never_end_data_whatever_the_cuts() -> None:
    smuggled = b"MAIL FROM:<evil@x.test>\r\nRCPT TO:<v@example.com>\r\nDATA\r\n"
    for fake in (b"\n.\n", b"\n.\r\n", b"\r.\r", b"\r\n.\r", b"\r.\r\n", b"\n.\r", b".\n", b".\r"):
        stream = b"Subject: s\r\n\r\nfirst" + fake + smuggled + b"still data" + END
        every_cut(stream)
        message, rest, _ = by_lines(stream) or (b"", b"", False)
        assert smuggled in message and rest == b""


def test_an_empty_message_and_a_first_line_dot() -> None:
    assert decode(b".\r\n", [1, 2]) == (b"", b"", False)
    assert decode(b"..\r\n.\r\n", [1]) == (b".\r\n", b"", False)


def test_line_length_is_counted_across_chunks() -> None:
    fits, over = b"x" * LINE_LIMIT, b"x" * (LINE_LIMIT + 1)
    for line, too_long in ((fits, False), (over, True), (b"." + fits, True)):
        stream = line + END
        assert decode(stream, list(range(0, len(stream), 7)))[2] is too_long  # type: ignore[index]
    # bare CR and LF do not end a line: 600 + 600 bytes with a bare LF between is one line
    assert decode(b"y" * 600 + b"\n" + b"y" * 600 + END, [600, 601])[2] is True  # type: ignore[index]


def test_data_that_never_ends() -> None:
    assert decode(b"no end\n.\nhere\r\n.", [3, 9]) is None


@settings(max_examples=400, deadline=None)
@given(st.lists(st.sampled_from([b"a", b".", b"\r", b"\n", b"\r\n", b"\r\n.", b".\r\n",
                                 b"x" * 300]), max_size=30),
       st.lists(st.integers(min_value=0, max_value=400), max_size=6),
       st.booleans())
def test_any_stream_any_cuts_as_line_by_line(pieces: list[bytes], cuts: list[int],
                                             ended: bool) -> None:
    stream = b"".join(pieces) + (END + b"NOOP\r\n" if ended else b"")
    assert decode(stream, [c for c in cuts if c <= len(stream)]) == by_lines(stream)
