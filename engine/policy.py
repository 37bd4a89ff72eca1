"""Policy decisions as pure functions: no sockets, no clock, no DNS.

Which HAT row a client falls in (reference/asyncos-cli.md §4.5, §4.7), what a
TLS setting means for the SMTP dialogue (reference/tls-policy.md) and which RAT
entry a recipient hits (§5). Every input is a value, so the whole matrix is a
table test.
"""

from __future__ import annotations

import enum
import ipaddress
import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache

from state.hat_rules import resolve_params, row_policy
from state.model import HAT, Behavior, PolicyParams, RatEntry, Response, TLSMode

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address


@dataclass(frozen=True)
class ClientFacts:
    """What is known about a connecting client.

    `ptr` is a forward-confirmed PTR name; `listed` the DNS-list zones (lower case)
    that list the client's address. No reputation service is reachable, so `sbrs`
    stays None in production.
    """

    ip: str
    ptr: str | None = None
    sbrs: float | None = None
    listed: frozenset[str] = frozenset()


@dataclass(frozen=True)
class Lookups:
    """The DNS facts a HAT can need before it decides: a PTR name, DNS-list zones."""

    ptr: bool = False
    zones: tuple[str, ...] = ()


@dataclass(frozen=True)
class HatMatch:
    group: str | None
    rule: str
    policy: str | None
    behavior: Behavior
    params: PolicyParams


@dataclass(frozen=True)
class TlsDecision:
    offer: bool
    require: bool
    request_client_cert: bool
    require_client_cert: bool


# What a client may send before STARTTLS when TLS is required: the appliance answers
# every other command, HELO included, with 530 (RFC 3207 §4; tls-policy.md). A HELO
# client could never be offered STARTTLS anyway.
ALLOWED_BEFORE_TLS = frozenset({"EHLO", "NOOP", "STARTTLS", "QUIT"})

_TLS_TABLE: dict[TLSMode, TlsDecision] = {
    TLSMode.NO: TlsDecision(False, False, False, False),
    TLSMode.PREFERRED: TlsDecision(True, False, False, False),
    TLSMode.REQUIRED: TlsDecision(True, True, False, False),
    TLSMode.PREFERRED_VERIFY: TlsDecision(True, False, True, False),
    TLSMode.REQUIRED_VERIFY: TlsDecision(True, True, True, True),
}


def tls_decision(mode: TLSMode | None) -> TlsDecision:
    return _TLS_TABLE[mode or TLSMode.NO]


def allowed_before_tls(command: str) -> bool:
    return command.upper() in ALLOWED_BEFORE_TLS


# -- sender forms ---------------------------------------------------------

Matcher = Callable[[ClientFacts, "IPAddress | None"], bool]

_DNSLIST = re.compile(r"^dnslist\[\s*([A-Za-z0-9_.-]+?)\.?\s*\]$", re.IGNORECASE)
# ASCII digits only ([0-9], not \d), as state.forms accepts them.
_SBRS = re.compile(
    r"^sbrs\[\s*(none|(-?[0-9]+(?:\.[0-9]+)?)\s*:\s*(-?[0-9]+(?:\.[0-9]+)?))\s*\]$", re.IGNORECASE
)
_V4_PART = re.compile(r"^[0-9]{1,3}(-[0-9]{1,3})?$")


def _never(facts: ClientFacts, ip: IPAddress | None) -> bool:
    return False


def _parse_ip(text: str) -> IPAddress | None:
    try:
        ip = ipaddress.ip_address(text.strip())
    except ValueError:
        return None
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        return ip.ipv4_mapped
    return ip


def _sbrs_matcher(m: re.Match[str]) -> Matcher:
    if m.group(1).lower() == "none":
        return lambda facts, ip: facts.sbrs is None
    low, high = sorted((float(m.group(2)), float(m.group(3))))
    return lambda facts, ip: facts.sbrs is not None and low <= facts.sbrs <= high


def _network_matcher(form: str) -> Matcher:
    """CIDR; IPv4 with fewer than four octets is padded (`10/8` is 10.0.0.0/8)."""
    addr, _, bits = form.partition("/")
    if ":" not in addr:
        octets = addr.rstrip(".").split(".")
        addr = ".".join(octets + ["0"] * (4 - len(octets)))
    try:
        net = ipaddress.ip_network(f"{addr}/{bits}", strict=False)
    except ValueError:
        return _never
    return lambda facts, ip: ip is not None and ip.version == net.version and ip in net


def _v4_matcher(form: str) -> Matcher:
    """Full, partial (`10.2.3.`, `10.2`) and last-octet range (`10.1.1-5.`) forms."""
    parts = form[:-1].split(".") if form.endswith(".") else form.split(".")
    if not 1 <= len(parts) <= 4 or not all(_V4_PART.match(p) for p in parts):
        return _never
    if any("-" in p for p in parts[:-1]):
        return _never
    fixed = [int(p) for p in parts[:-1]]
    low, _, high = parts[-1].partition("-")
    lo, hi = int(low), int(high or low)

    def match(facts: ClientFacts, ip: IPAddress | None) -> bool:
        if not isinstance(ip, ipaddress.IPv4Address):
            return False
        octets = ip.packed
        return list(octets[: len(fixed)]) == fixed and lo <= octets[len(fixed)] <= hi

    return match


def _v6_matcher(form: str) -> Matcher:
    """Full IPv6 address or a range in the last group (`2001:db8::10-1f`)."""
    exact = _parse_ip(form)
    if exact is not None:
        return lambda facts, ip: ip == exact
    head, _, high = form.rpartition("-")
    first = _parse_ip(head)
    try:
        last_group = int(high, 16)
    except ValueError:
        return _never
    if not isinstance(first, ipaddress.IPv6Address) or last_group > 0xFFFF:
        return _never
    lo = int(first)
    hi = (lo & ~0xFFFF) | last_group

    def match(facts: ClientFacts, ip: IPAddress | None) -> bool:
        return isinstance(ip, ipaddress.IPv6Address) and lo <= int(ip) <= hi

    return match


def _host_matcher(form: str) -> Matcher:
    """Host names match the verified PTR name only (none exists before DNS lands)."""
    name = form.lower().rstrip(".")

    def match(facts: ClientFacts, ip: IPAddress | None) -> bool:
        ptr = (facts.ptr or "").lower().rstrip(".")
        if not ptr:
            return False
        return ptr.endswith(name) if name.startswith(".") else ptr == name

    return match


@lru_cache(maxsize=4096)
def compile_sender(form: str) -> Matcher:
    """Turn one §4.5 sender form into a predicate; unknown forms never match."""
    text = form.strip()
    lower = text.lower()
    if lower == "all":
        return lambda facts, ip: True
    sbrs = _SBRS.match(text)
    if sbrs:
        return _sbrs_matcher(sbrs)
    dnslist = _DNSLIST.match(text)
    if dnslist:
        zone = dnslist.group(1).lower()
        return lambda facts, ip: zone in facts.listed
    if lower.startswith(("dnslist[", "sbo:")) or not text:
        return _never
    if "/" in text:
        return _network_matcher(text)
    if ":" in text:
        return _v6_matcher(text)
    if re.fullmatch(r"[0-9.\-]+", text):
        return _v4_matcher(text)
    return _host_matcher(text)


def sender_matches(form: str, facts: ClientFacts) -> bool:
    return compile_sender(form)(facts, _parse_ip(facts.ip))


def sender_kind(form: str) -> str:
    """"host", "dnslist" or "other": which forms need DNS before they can match."""
    text = form.strip()
    if _DNSLIST.match(text):
        return "dnslist"
    if not text or text.lower() == "all" or _SBRS.match(text) or "/" in text or ":" in text:
        return "other"
    if text.lower().startswith(("dnslist[", "sbo:")) or re.fullmatch(r"[0-9.\-]+", text):
        return "other"
    return "host"


def lookups_needed(hat: HAT) -> Lookups:
    """Which lookups the HAT's sender forms need (host names: PTR; dnslist: zones)."""
    ptr = False
    zones: list[str] = []
    for group in hat.groups:
        for form in group.senders:
            kind = sender_kind(form)
            ptr = ptr or kind == "host"
            if kind == "dnslist":
                match = _DNSLIST.match(form.strip())
                assert match is not None
                zones.append(match.group(1).lower())
    return Lookups(ptr=ptr, zones=tuple(dict.fromkeys(zones)))


# -- HAT ------------------------------------------------------------------


def connection_lookups(hat: HAT) -> Lookups:
    """What a connection must look up before the HAT decides: the sender forms' needs,
    and the PTR name when a custom response says $Hostname even if no row needs it."""
    needed = lookups_needed(hat)
    return Lookups(ptr=True, zones=needed.zones) if _mentions_hostname(hat) else needed


def _mentions_hostname(hat: HAT) -> bool:
    params = [hat.default, *(p.params for p in hat.policies), *(g.params for g in hat.groups)]
    texts: list[Response | None] = []
    for p in params:
        texts += [p.accept_response, p.reject_response, p.rate_limit_response]
    return any(r is not None and "$hostname" in r.text.lower() for r in texts)


def evaluate_hat(hat: HAT, facts: ClientFacts) -> HatMatch:
    """First matching sender group top-down; CONTINUE goes on to the next row."""
    ip = _parse_ip(facts.ip)
    for group in hat.groups:
        rule = next((s for s in group.senders if compile_sender(s)(facts, ip)), None)
        if rule is None:
            continue
        found = row_policy(group, hat)  # what a row means: state/hat_rules.py
        if found is None or found[0] is Behavior.CONTINUE:
            continue
        behavior, params = found
        policy = group.policy if any(p.name == group.policy for p in hat.policies) else None
        return HatMatch(group.name, rule, policy, behavior, resolve_params(params, hat.default))
    # No row decided (only possible when the ALL row continues): the default policy accepts.
    return HatMatch(None, "", None, Behavior.ACCEPT, resolve_params(PolicyParams(), hat.default))


# -- RAT ------------------------------------------------------------------


def _rat_matches(form: str, address: str) -> bool:
    entry = form.strip().lower()
    addr = address.strip().strip("<>").lower()
    local, at, domain = addr.rpartition("@")
    if entry == "all":
        return True
    if entry.endswith("@"):
        return bool(at) and local + "@" == entry
    if "@" in entry:
        return addr == entry
    if entry.startswith("."):
        return domain.endswith(entry)
    return domain == entry.rstrip(".")


def rat_lookup(rat: tuple[RatEntry, ...], address: str) -> RatEntry | None:
    """The first RAT entry matching a recipient, or None."""
    return next((e for e in rat if _rat_matches(e.address, address)), None)


# -- how a connection opens ------------------------------------------------


class Opening(enum.Enum):
    """What the listener does right after the HAT decided (§4.7)."""

    SERVE = "serve"  # banner, then the dialogue
    REJECT = "reject"  # 554 banner, close
    DELAYED_REJECT = "delayed"  # banner; MAIL accepted, every RCPT refused
    REFUSE = "refuse"  # close without a banner (TCPREFUSE)


def opening(behavior: Behavior, delayed_rejection: bool) -> Opening:
    if behavior is Behavior.TCPREFUSE:
        return Opening.REFUSE
    if behavior is Behavior.REJECT:
        return Opening.DELAYED_REJECT if delayed_rejection else Opening.REJECT
    return Opening.SERVE


def rat_applies(behavior: Behavior, public: bool) -> bool:
    """RELAY skips the RAT; private listeners have none."""
    return public and behavior is not Behavior.RELAY


def rate_exceeded(limit: int | None, used_this_hour: int) -> bool:
    """Per-host recipients per hour; -1 or None is "Disabled"."""
    return limit is not None and limit >= 0 and used_this_hour >= limit
