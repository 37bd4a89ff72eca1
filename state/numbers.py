"""Numbers typed by people: the one parser, and the range type every setting uses.

Python is generous with digits: `str.isdigit()` is true for "²" and "①" (and
`int()` then raises), `\\d` and `int()` accept other scripts' digits ("٣"), and
`int()` also takes "+5", "1_000" and surrounding blanks. Every answer, import line
and batch option that is a number goes through `parse_int` / `parse_decimal`, so
all of them accept exactly the ASCII digits 0-9 and nothing else.

Each setting's range is a `Range` (or `DecimalRange`) in `state.ranges`; the
dialogs, the import formats, the batch forms and whole-configuration validation
read the same object, so a value one of them accepts is one all of them accept.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

from state import messages
from state.messages import Message

# Longer than any range needs, short enough that int() never meets Python's
# 4300-digit conversion limit (a ValueError of its own).
MAX_DIGITS = 40
DIGITS = "0123456789"
_INT = re.compile(rf"[0-9]{{1,{MAX_DIGITS}}}")
_DECIMAL = re.compile(
    rf"([0-9]{{1,{MAX_DIGITS}}}(\.[0-9]{{0,{MAX_DIGITS}}})?|\.[0-9]{{1,{MAX_DIGITS}}})")
# A size: bytes, or a number of kilobytes (k) or megabytes (M), as the appliance shows them.
_SIZE = re.compile(rf"^([0-9]{{1,{MAX_DIGITS}}})\s*([kKmM]?)$")
KB = 1024
MB = 1024 * KB


def is_digits(text: str) -> bool:
    """Only ASCII digits (and at least one)."""
    return bool(_INT.fullmatch(text))


def parse_int(text: str) -> int | None:
    """A whole number written in ASCII digits (blanks around it allowed), else None."""
    stripped = text.strip()
    return int(stripped) if _INT.fullmatch(stripped) else None


def parse_size(text: str) -> int | None:
    """`10M`, `500k` or bytes; None if unreadable or zero (the range is checked apart)."""
    match = _SIZE.match(text.strip())
    if not match:
        return None
    unit = {"": 1, "k": KB, "m": MB}[match.group(2).lower()]
    return int(match.group(1)) * unit or None


def parse_decimal(text: str) -> float | None:

    """`5`, `0.5`, `.5` or `5.` in ASCII digits (no sign, exponent, inf or nan), else None."""
    stripped = text.strip()
    return float(stripped) if _DECIMAL.fullmatch(stripped) else None


@dataclass(frozen=True)
class Range:
    """The whole numbers from `low` to `high`, both included."""

    low: int
    high: int

    def __contains__(self, value: object) -> bool:
        if isinstance(value, bool) or not isinstance(value, int):
            return False
        return self.low <= value <= self.high

    def parse(self, text: str) -> int | None:
        """The number `text` holds if it is in range, else None."""
        value = parse_int(text)
        return value if value in self else None

    def refusal(self) -> Message:
        """Why a value outside the range is refused."""
        return messages.INT_RANGE(low=self.low, high=self.high)

    @property
    def message(self) -> str:
        return self.refusal().text


@dataclass(frozen=True)
class DecimalRange:
    """Numbers greater than `low` and at most `high` (a timeout: zero would never wait)."""

    low: float
    high: float

    def __contains__(self, value: object) -> bool:
        if isinstance(value, bool) or not isinstance(value, int | float):
            return False
        return math.isfinite(value) and self.low < value <= self.high

    def parse(self, text: str) -> float | None:
        value = parse_decimal(text)
        return value if value in self else None

    def refusal(self) -> Message:
        return messages.DECIMAL_RANGE(low=_plain(self.low), high=_plain(self.high))

    @property
    def message(self) -> str:
        return self.refusal().text


def _plain(value: float) -> str:
    return str(int(value)) if value == int(value) else str(value)
