"""What a name may be: records (listeners, groups, policies, profiles) and host names. Pure."""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator

from state import messages
from state.errors import ConfigError

_NAME = re.compile(r"^[A-Za-z0-9_.-]{1,64}$")
# A fully qualified host name (at least two labels, an alphabetic top-level label).
_HOSTNAME = re.compile(
    r"^(?=.{1,253}$)([A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,63}$")
# A host name of a sender form, a banner or a RAT domain: labels with "_", a final dot.
_LABEL = r"[A-Za-z0-9_]([A-Za-z0-9_-]{0,61}[A-Za-z0-9_])?"
_HOST = re.compile(rf"^(?=.{{1,253}}$){_LABEL}(\.{_LABEL})*\.?$")


def is_name(name: str) -> bool:
    """Names of listeners, groups, policies and profiles: no spaces or brackets."""
    return bool(_NAME.match(name))


def hat_name_refusal(name: str) -> messages.Message | None:
    """What a sender group or policy name may not be beyond `is_name`: all digits (a
    dialog reads a number as a row) or ALL (the last row's)."""
    if name.isdigit():
        return messages.NAME_ALL_DIGITS()
    if name.upper() == "ALL":
        return messages.NAME_RESERVED(name=name)
    return None


def is_hostname(name: str) -> bool:
    return bool(_HOSTNAME.match(name))


def is_host(name: str) -> bool:
    """A host name as sender forms and banners take it (not an address written in digits)."""
    return bool(_HOST.match(name)) and not re.fullmatch(r"[0-9.]+", name)


def problems(path: str, names: Iterable[str], optional: bool = False) -> Iterator[ConfigError]:
    """A validation error for each name of a list used twice or not a valid name;
    `optional`: empty names (anonymous sender groups) are left out."""
    seen: set[str] = set()
    for name in names:
        if optional and not name:
            continue
        if name in seen:
            yield ConfigError(f"{path}[{name}]", messages.NAME_USED_TWICE(name=name))
        seen.add(name)
        if not is_name(name):
            yield ConfigError(f"{path}[{name}]", messages.INVALID_NAME(name=name))
