"""Control characters: which characters are, and how they are shown when they must be.

One definition for the whole appliance: the SMTP engine refuses them in envelope
addresses and HELO names, mail_logs writes them escaped, and every screen of the
shell escapes them before they reach a terminal (a raw CR can overwrite a log line
on screen, an ESC or a C1 CSI can drive the terminal). A control character is any
character of Unicode category Cc: C0 (U+0000-U+001F), DEL and C1 (U+0080-U+009F).
"""

from __future__ import annotations

import re

_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f]")
_NAMED = {"\r": "\\r", "\n": "\\n", "\t": "\\t"}


def has_control(text: str) -> bool:
    return _CONTROL.search(text) is not None


def _escape(match: re.Match[str]) -> str:
    char = match.group()
    return _NAMED.get(char) or f"\\x{ord(char):02x}"


def escape_controls(text: str, keep: str = "") -> str:
    """`text` with every control character written as `\\r`, `\\n`, `\\t` or `\\xNN`,
    except those in `keep` (a screen keeps its line breaks)."""
    if not _CONTROL.search(text):
        return text
    if not keep:
        return _CONTROL.sub(_escape, text)
    return _CONTROL.sub(lambda m: m.group() if m.group() in keep else _escape(m), text)
