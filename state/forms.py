"""Syntax of HAT sender forms (§4.5) and RAT addresses (§5). Pure.

`sender_kind` names the form of one sender ("ipv4", "ipv6", "host", "domain",
"sbrs", "sbo", "dnslist", "all") or returns None when it is not a valid form; the
dialogs, the import parser and whole-config validation all use it, so a form is
accepted or refused the same way everywhere. Matching is the engine's job.
"""

from __future__ import annotations

import ipaddress
import re

from state import numbers

_LABEL = r"[A-Za-z0-9_]([A-Za-z0-9_-]{0,61}[A-Za-z0-9_])?"
_HOST = re.compile(rf"^(?=.{{1,253}}$){_LABEL}(\.{_LABEL})*\.?$")
_OCTET = r"[0-9]{1,3}"
_V4_PARTIAL = re.compile(rf"^({_OCTET}\.){{0,3}}{_OCTET}(-{_OCTET})?\.?$")
_SCORE = r"-?[0-9]{1,2}(\.[0-9]{1,3})?"
_SBRS = re.compile(rf"^sbrs\[\s*(none|({_SCORE})\s*:\s*({_SCORE}))\s*\]$", re.IGNORECASE)
_SBO = re.compile(r"^sbo:[0-9]{1,10}$", re.IGNORECASE)
_HEX_GROUP = re.compile(r"[0-9A-Fa-f]{1,4}")
_DNSLIST = re.compile(r"^dnslist\[\s*([^\]\s]+)\s*\]$", re.IGNORECASE)
_LOCAL = re.compile(r"^[A-Za-z0-9!#$%&'*+/=?^_`{|}~.-]+$")


def is_host(name: str) -> bool:
    return bool(_HOST.match(name)) and not re.fullmatch(r"[0-9.]+", name)


def _ipv4_form(form: str) -> bool:
    """Full, partial (`10.2.3.`, `10.2`) and last-given-octet range (`10.1.1.10-20`)."""
    if not _V4_PARTIAL.match(form):
        return False
    parts = form.rstrip(".").split(".")
    if len(parts) == 4 and form.endswith("."):
        return False
    values = [int(x) for p in parts for x in p.split("-")]
    if any(n > 255 for n in values):
        return False
    low, _, high = parts[-1].partition("-")
    return not high or int(low) <= int(high)


def _cidr_form(form: str) -> str | None:
    addr, _, bits = form.partition("/")
    if not numbers.is_digits(bits):
        return None
    if ":" in addr:
        try:
            ipaddress.IPv6Network(f"{addr}/{bits}", strict=False)
        except ValueError:
            return None
        return "ipv6"
    octets = addr.rstrip(".").split(".")
    if len(octets) > 4 or not all(numbers.is_digits(o) and int(o) <= 255 for o in octets):
        return None
    return "ipv4" if int(bits) <= 32 else None


def _ipv6_form(form: str) -> bool:
    try:
        ipaddress.IPv6Address(form)
        return True
    except ValueError:
        pass
    head, _, high = form.rpartition("-")
    if not _HEX_GROUP.fullmatch(high):
        return False
    try:
        first = ipaddress.IPv6Address(head)
    except ValueError:
        return False
    last = int(high, 16)
    return last <= 0xFFFF and (int(first) & 0xFFFF) <= last


def _sbrs_ok(match: re.Match[str]) -> bool:
    if match.group(1).lower() == "none":
        return True
    low, high = float(match.group(2)), float(match.group(4))
    return -10.0 <= low <= high <= 10.0


def sender_kind(form: str) -> str | None:
    """The kind of one §4.5 sender form, or None when it is not valid."""
    text = form.strip()
    # A zone index ("fe80::1%eth0") names an interface of this host, never a client.
    if not text or " " in text or "," in text or "%" in text:
        return None
    if text.upper() == "ALL":
        return "all"
    if sbrs := _SBRS.match(text):
        return "sbrs" if _sbrs_ok(sbrs) else None
    if _SBO.match(text):
        return "sbo"
    if dnslist := _DNSLIST.match(text):
        return "dnslist" if is_host(dnslist.group(1)) else None
    if "/" in text:
        return _cidr_form(text)
    if ":" in text:
        return "ipv6" if _ipv6_form(text) else None
    if re.fullmatch(r"[0-9.\-]+", text):
        return "ipv4" if _ipv4_form(text) else None
    if text.startswith("."):
        return "domain" if is_host(text[1:]) else None
    return "host" if is_host(text) else None


def split_list(answer: str) -> tuple[str, ...]:
    """A comma-separated answer as distinct, stripped items (duplicates dropped, §4.5)."""
    return tuple(dict.fromkeys(x.strip() for x in answer.split(",") if x.strip()))


def rat_address_ok(address: str) -> bool:
    """§5: `example.com`, `.example.com`, `user@`, `user@example.com`, `user@[1.2.3.4]`, ALL."""
    text = address.strip()
    if text.upper() == "ALL":
        return True
    if text.startswith("."):
        return is_host(text[1:])
    if "@" not in text:
        return is_host(text)
    local, _, domain = text.rpartition("@")
    if not local or not _LOCAL.match(local) or "@" in local:
        return False
    if not domain:
        return True
    if domain.startswith("[") and domain.endswith("]"):
        try:
            ipaddress.ip_address(domain[1:-1])
            return True
        except ValueError:
            return False
    return is_host(domain)


def normalise_rat_address(address: str) -> str:
    """Keys are compared in lower case; ALL is spelled in capitals."""
    text = address.strip()
    return "ALL" if text.upper() == "ALL" else text.lower()
