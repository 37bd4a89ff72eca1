"""HAT sender forms (reference §4.5) parsed once into typed values. Pure.

`parse` reads one form and returns what it denotes, or None when the text is not a valid
form. Everything that reads a sender form goes through it: the dialogs, the batch forms,
the HAT text format and validation (through `state.forms.sender_kind`), the shadowed-row
check (state/hat_shadow.py) and the engine, which compiles these values into matchers
(engine/policy.py). So a form is accepted, refused and understood the same way
everywhere.

Every address form is a contiguous range of one IP version: a full address, CIDR
(`10/8` is 10.0.0.0/8), a partial IPv4 address (`10.2.3.`, `10.2`: the addresses
starting so), a range in the last given IPv4 octet (`10.1.1.10-20`, `10.1.1-5.`) or in
the last IPv6 group (`2001:db8::10-1f`). An IPv4-mapped IPv6 address is its IPv4 address
(the engine reads clients that way too).
"""

from __future__ import annotations

import ipaddress
import re
from dataclasses import dataclass
from functools import lru_cache

from state import numbers
from state.names import is_host


@dataclass(frozen=True)
class Everyone:
    """`ALL`."""

    kind = "all"


@dataclass(frozen=True)
class Addresses:
    """Every address of IP `version` from `low` to `high` (as integers)."""

    version: int
    low: int
    high: int
    kind: str  # "ipv4" or "ipv6": how the form was written


@dataclass(frozen=True)
class HostName:
    """A host name: the client's verified PTR name must be it (lower case, no final dot)."""

    name: str
    kind = "host"


@dataclass(frozen=True)
class DomainSuffix:
    """`.example.com`: the client's verified PTR name must end with `suffix` (which
    starts with the dot; lower case, no final dot)."""

    suffix: str
    kind = "domain"


@dataclass(frozen=True)
class Reputation:
    """`SBRS[low:high]`, or `SBRS[none]` (no score: both None)."""

    low: float | None
    high: float | None
    kind = "sbrs"


@dataclass(frozen=True)
class NetworkOwner:
    """`SBO:n`: a SenderBase network owner (no reputation service here: matches no one)."""

    owner: int
    kind = "sbo"


@dataclass(frozen=True)
class DnsList:
    """`dnslist[zone]`: the client's address is listed in `zone` (lower case, no final dot)."""

    zone: str
    kind = "dnslist"


Sender = Everyone | Addresses | HostName | DomainSuffix | Reputation | NetworkOwner | DnsList

_OCTET = r"[0-9]{1,3}"
_V4_PARTIAL = re.compile(rf"^({_OCTET}\.){{0,3}}{_OCTET}(-{_OCTET})?\.?$")
_SCORE = r"-?[0-9]{1,2}(\.[0-9]{1,3})?"
_SBRS = re.compile(rf"^sbrs\[\s*(none|({_SCORE})\s*:\s*({_SCORE}))\s*\]$", re.IGNORECASE)
_SBO = re.compile(r"^sbo:([0-9]{1,10})$", re.IGNORECASE)
_HEX_GROUP = re.compile(r"[0-9A-Fa-f]{1,4}")
_DNSLIST = re.compile(r"^dnslist\[\s*([^\]\s]+)\s*\]$", re.IGNORECASE)


@lru_cache(maxsize=4096)
def parse(form: str) -> Sender | None:
    """What one §4.5 sender form denotes, or None when it is not a valid form."""
    text = form.strip()
    # A zone index ("fe80::1%eth0") names an interface of this host, never a client.
    if not text or " " in text or "," in text or "%" in text:
        return None
    if text.upper() == "ALL":
        return Everyone()
    if sbrs := _SBRS.match(text):
        return _reputation(sbrs)
    if sbo := _SBO.match(text):
        return NetworkOwner(int(sbo.group(1)))
    if dnslist := _DNSLIST.match(text):
        zone = dnslist.group(1)
        return DnsList(zone.lower().rstrip(".")) if is_host(zone) else None
    if "/" in text:
        return _cidr(text)
    if ":" in text:
        return _ipv6(text)
    if re.fullmatch(r"[0-9.\-]+", text):
        return _ipv4(text)
    if text.startswith("."):
        return DomainSuffix(text.lower().rstrip(".")) if is_host(text[1:]) else None
    return HostName(text.lower().rstrip(".")) if is_host(text) else None


def _reputation(match: re.Match[str]) -> Reputation | None:
    if match.group(1).lower() == "none":
        return Reputation(None, None)
    low, high = float(match.group(2)), float(match.group(4))
    return Reputation(low, high) if -10.0 <= low <= high <= 10.0 else None


def _span(network: ipaddress.IPv4Network | ipaddress.IPv6Network, kind: str) -> Addresses:
    return Addresses(network.version, int(network.network_address),
                     int(network.broadcast_address), kind)


def _ipv4(form: str) -> Addresses | None:
    """Full, partial (`10.2.3.`, `10.2`) and last-given-octet range (`10.1.1.10-20`)."""
    if not _V4_PARTIAL.match(form):
        return None
    parts = form.rstrip(".").split(".")
    if len(parts) == 4 and form.endswith("."):
        return None
    fixed = [int(p) for p in parts[:-1]]
    low, _, high = parts[-1].partition("-")
    first, last = int(low), int(high or low)
    if any(n > 255 for n in (*fixed, first, last)) or first > last:
        return None
    rest = 3 - len(fixed)
    start = bytes([*fixed, first, *([0] * rest)])
    end = bytes([*fixed, last, *([255] * rest)])
    return Addresses(4, int.from_bytes(start, "big"), int.from_bytes(end, "big"), "ipv4")


def _cidr(form: str) -> Addresses | None:
    addr, _, bits = form.partition("/")
    if not numbers.is_digits(bits):
        return None
    if ":" in addr:
        try:
            return _span(ipaddress.IPv6Network(f"{addr}/{bits}", strict=False), "ipv6")
        except ValueError:
            return None
    octets = addr.rstrip(".").split(".")
    if len(octets) > 4 or not all(numbers.is_digits(o) and int(o) <= 255 for o in octets):
        return None
    if int(bits) > 32:
        return None
    padded = ".".join(str(int(o)) for o in octets + ["0"] * (4 - len(octets)))
    return _span(ipaddress.IPv4Network(f"{padded}/{bits}", strict=False), "ipv4")


def _ipv6(form: str) -> Addresses | None:
    """A full address, or a range in the last group (`2001:db8::10-1f`)."""
    try:
        exact = ipaddress.IPv6Address(form)
    except ValueError:
        return _ipv6_range(form)
    if exact.ipv4_mapped is not None:
        mapped = int(exact.ipv4_mapped)
        return Addresses(4, mapped, mapped, "ipv6")
    return Addresses(6, int(exact), int(exact), "ipv6")


def _ipv6_range(form: str) -> Addresses | None:
    head, _, high = form.rpartition("-")
    if not _HEX_GROUP.fullmatch(high):
        return None
    try:
        first = int(ipaddress.IPv6Address(head))
    except ValueError:
        return None
    last = int(high, 16)
    if (first & 0xFFFF) > last:
        return None
    return Addresses(6, first, (first & ~0xFFFF) | last, "ipv6")
