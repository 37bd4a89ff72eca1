"""Control characters: which characters are, and how they are shown when they must be.

One definition for the whole appliance: the SMTP engine refuses them in envelope
addresses and HELO names, mail_logs writes them escaped, and every screen of the
shell escapes them before they reach a terminal (a raw CR can overwrite a log line
on screen, an ESC or a C1 CSI can drive the terminal). A control character is any
character of Unicode category Cc: C0 (U+0000-U+001F), DEL and C1 (U+0080-U+009F), and
the bidirectional controls, which reorder what a line shows (an invoice name with a
U+202E before "fdp.exe" reads "exe.pdf": CVE-2021-42574): U+061C, U+200E-U+200F,
U+202A-U+202E, U+2066-U+2069, and the line and paragraph separators U+2028, U+2029
(Python's splitlines breaks a line there), written as a backslash, u and four hex digits.
"""

from __future__ import annotations

import re

_CONTROL = re.compile(
    "[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]")
_NAMED = {"\r": "\\r", "\n": "\\n", "\t": "\\t"}


def has_control(text: str) -> bool:
    return _CONTROL.search(text) is not None


def _escape(match: re.Match[str]) -> str:
    char = match.group()
    code = ord(char)
    return _NAMED.get(char) or (f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}")


def escape_controls(text: str, keep: str = "") -> str:
    """`text` with every control character written as `\\r`, `\\n`, `\\t` or `\\xNN`,
    except those in `keep` (a screen keeps its line breaks)."""
    if not _CONTROL.search(text):
        return text
    if not keep:
        return _CONTROL.sub(_escape, text)
    return _CONTROL.sub(lambda m: m.group() if m.group() in keep else _escape(m), text)
