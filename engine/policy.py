"""Policy decisions as pure functions: no sockets, no clock, no DNS.

Which HAT row a client falls in (AsyncOS's HAT order), what a
TLS setting means for the SMTP dialogue and which RAT
entry a recipient hits (§5). Every input is a value, so the whole matrix is a
table test.
"""

from __future__ import annotations

import enum
import ipaddress
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache

from state import senders
from state.hat_rules import certificate_rows, resolve_params, row_policy
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
    # The verified client certificate's names (SAN dNSNames and subject CN, lower case):
    # known only after STARTTLS (see `_certificate`).
    cert_names: tuple[str, ...] = ()


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
    row: int = -1  # the matched sender group's position; -1: none decided (the default)


@dataclass(frozen=True)
class TlsDecision:
    offer: bool
    require: bool
    request_client_cert: bool
    require_client_cert: bool


# What a client may send before STARTTLS when TLS is required: the appliance answers
# every other command, HELO included, with 530 (RFC 3207 §4). A HELO
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
# Parsed once in state.senders (the one grammar); compiled here into predicates.

Matcher = Callable[[ClientFacts, "IPAddress | None"], bool]


def _never(facts: ClientFacts, ip: IPAddress | None) -> bool:
    return False


def _everyone(facts: ClientFacts, ip: IPAddress | None) -> bool:
    return True


def _parse_ip(text: str) -> IPAddress | None:
    try:
        ip = ipaddress.ip_address(text.strip())
    except ValueError:
        return None
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        return ip.ipv4_mapped
    return ip


def _addresses(sender: senders.Addresses) -> Matcher:
    version, low, high = sender.version, sender.low, sender.high
    return lambda facts, ip: ip is not None and ip.version == version and low <= int(ip) <= high


def _reputation(sender: senders.Reputation) -> Matcher:
    low, high = sender.low, sender.high
    if low is None or high is None:
        return lambda facts, ip: facts.sbrs is None
    return lambda facts, ip: facts.sbrs is not None and low <= facts.sbrs <= high


def _ptr(facts: ClientFacts) -> str:
    return (facts.ptr or "").lower().rstrip(".")


def _host(sender: senders.HostName) -> Matcher:
    """Host names match the verified PTR name only."""
    name = sender.name
    return lambda facts, ip: bool(_ptr(facts)) and _ptr(facts) == name


def _suffix(sender: senders.DomainSuffix) -> Matcher:
    suffix = sender.suffix
    return lambda facts, ip: bool(_ptr(facts)) and _ptr(facts).endswith(suffix)


def _dnslist(sender: senders.DnsList) -> Matcher:
    zone = sender.zone
    return lambda facts, ip: zone in facts.listed


def _certificate(sender: senders.CertificateName) -> Matcher:
    """`cert:` forms match the verified client certificate's names only."""
    name = sender.name
    if sender.suffix:
        return lambda facts, ip: any(n.endswith(name) for n in facts.cert_names)
    return lambda facts, ip: name in facts.cert_names


def compile_parsed(sender: senders.Sender | None) -> Matcher:
    """A predicate for one parsed sender; an invalid form (None) and `SBO:n` (no
    reputation service here) never match."""
    if isinstance(sender, senders.Everyone):
        return _everyone
    if isinstance(sender, senders.Addresses):
        return _addresses(sender)
    if isinstance(sender, senders.Reputation):
        return _reputation(sender)
    if isinstance(sender, senders.HostName):
        return _host(sender)
    if isinstance(sender, senders.DomainSuffix):
        return _suffix(sender)
    if isinstance(sender, senders.DnsList):
        return _dnslist(sender)
    if isinstance(sender, senders.CertificateName):
        return _certificate(sender)
    return _never


@lru_cache(maxsize=4096)
def compile_sender(form: str) -> Matcher:
    """Turn one §4.5 sender form into a predicate; unknown forms never match."""
    return compile_parsed(senders.parse(form))


def sender_matches(form: str, facts: ClientFacts) -> bool:
    return compile_sender(form)(facts, _parse_ip(facts.ip))


def lookups_needed(hat: HAT) -> Lookups:
    """Which lookups the HAT's sender forms need (host names: PTR; dnslist: zones)."""
    parsed = [senders.parse(form) for group in hat.groups for form in group.senders]
    ptr = any(isinstance(s, senders.HostName | senders.DomainSuffix) for s in parsed)
    zones = [s.zone for s in parsed if isinstance(s, senders.DnsList)]
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
    for index, group in enumerate(hat.groups):
        rule = next((s for s in group.senders if compile_sender(s)(facts, ip)), None)
        if rule is None:
            continue
        found = row_policy(group, hat)  # what a row means: state/hat_rules.py
        if found is None or found[0] is Behavior.CONTINUE:
            continue
        behavior, params = found
        policy = group.policy if any(p.name == group.policy for p in hat.policies) else None
        return HatMatch(group.name, rule, policy, behavior, resolve_params(params, hat.default),
                        index)
    # No row decided (only possible when the ALL row continues): the default policy accepts.
    return HatMatch(None, "", None, Behavior.ACCEPT, resolve_params(PolicyParams(), hat.default))


# -- certificate identity ---------------------------------------------------
# A sender group can name the partner by the certificate it holds: `cert:partner.example`
# matches a client whose verified certificate names partner.example (a SAN dNSName or the
# subject CN), `cert:.partner.example` one naming a host under it. The certificate is known
# only after STARTTLS, so such a row can only match then: the HAT decides at connect
# without it (banner, STARTTLS offered or required) and again once TLS is up, with it; the
# row found then governs the rest of the conversation (conversation.py). A row above the
# one a client matched at connect still matches it after TLS, so only clients that matched
# below a certificate row are asked for a certificate (`asks_certificate`).

def asks_certificate(hat: HAT, match: HatMatch) -> bool:
    """Whether the client `match` placed could yet match a certificate row (one above it,
    or any when no row decided): then STARTTLS asks it for a certificate."""
    rows = certificate_rows(hat)
    return bool(rows) and (match.row < 0 or rows[0] < match.row)


def connection_tls(hat: HAT, match: HatMatch) -> TlsDecision:
    """What STARTTLS means for the client `match` placed: its policy's TLS setting, and a
    certificate asked for where a certificate row could still take it."""
    decision = tls_decision(match.params.tls)
    if decision.offer and not decision.request_client_cert and asks_certificate(hat, match):
        return TlsDecision(True, decision.require, True, False)
    return decision


def certificate_names(san: tuple[str, ...], cn: str | None) -> tuple[str, ...]:
    """The names a certificate row is matched against (lower case, no final dot): its
    SAN dNSNames, its CN only when it has none (RFC 6125 §6.4.4, as outbound checks)."""
    names = san or ((cn,) if cn else ())
    return tuple(dict.fromkeys(n.strip().lower().rstrip(".") for n in names if n.strip()))


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


def rate_limited(limit: int | None) -> bool:
    """Whether a per-host recipients-per-hour limit applies; -1 or None is "Disabled"."""
    return limit is not None and limit >= 0


def rate_exceeded(limit: int | None, used_this_hour: int) -> bool:
    """Per-host recipients per hour (`rate_limited` says when there is a limit)."""
    return rate_limited(limit) and limit is not None and used_this_hour >= limit
