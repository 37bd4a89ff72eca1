"""Where mail for a domain goes: smtproutes first, else MX records, else the implicit MX.

`resolve` returns a `Resolution`: the ordered targets (host name, IP, port), a
/dev/null route, a permanent failure (null MX, RFC 7505; no such domain) or a
temporary one (DNS timeout or SERVFAIL, or a bogus DNSSEC answer). The lookups are
`dnssec.SecureLookups` on the resolver `Config.dns` sets (tests point it at a local
dnsmasq or Unbound), so a Resolution also says whether the MX RRset was validated
(`mx_secure`) and each Target whether its address records were (`secure`): DANE
(RFC 7672 §2.2) looks for TLSA records only behind secure answers.

MX and implicit-MX targets use `mx_port` (25 in production). It is a deployment
parameter of the engine, not configuration: tests run fake MXs on a free
loopback port and pass that port here, exactly as they pass port 0 to listeners.
smtproutes hosts with an explicit `:port` keep theirs, and are known by it
(`Target.service_port`: their TLSA records are at `_<port>._tcp.<host>`).
"""

from __future__ import annotations

import enum
import ipaddress
from dataclasses import dataclass, field

from engine.outbound import reasons
from engine.outbound.dnssec import Lookup, SecureLookups, Security
from state.model import Config, DnsSettings, Route, RouteHost
from state.validate_outbound import domain_keys, normalise_domain

SMTP_PORT = 25
USEDNS = "USEDNS"
DEVNULL = "/dev/null"
DEFAULT_ROUTE = "ALL"


class Kind(enum.Enum):
    TARGETS = "targets"
    DEVNULL = "devnull"
    PERMANENT = "permanent"
    TEMPORARY = "temporary"


@dataclass(frozen=True)
class Target:
    host: str  # the MX or route host name (SNI and certificate matching use it)
    ip: str
    port: int
    preference: int = 0
    secure: bool = False  # its address records were DNSSEC-validated
    # The port the hop is known by (25 for an MX, an smtproutes host's own :port), where
    # its TLSA records are (dane.tlsa_for); `port` is where we connect, which tests move.
    service_port: int = SMTP_PORT


@dataclass(frozen=True)
class Resolution:
    kind: Kind
    targets: tuple[Target, ...] = ()
    reason: str = ""
    via_route: bool = False
    mx_hosts: tuple[str, ...] = field(default=())
    mx_secure: bool = False  # the MX RRset (or its absence, for the implicit MX) validated


def find_route(routes: tuple[Route, ...], domain: str) -> Route | None:
    """Pure: exact route, then the nearest `.parent` route, then the ALL route."""
    table = {normalise_domain(r.domain): r for r in routes}
    for key in domain_keys(domain):
        if key in table:
            return table[key]
    return table.get(DEFAULT_ROUTE.lower())


def is_ip(host: str) -> bool:
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return False
    return True


def deciding_route(routes: tuple[Route, ...], domain: str) -> Route | None:
    """The smtproutes route that decides where `domain`'s mail goes; None when its MX
    records do (no route, or a USEDNS one)."""
    route = find_route(routes, domain)
    if route is None or any(h.host.upper() == USEDNS for h in route.hosts):
        return None
    return route


class Resolver:
    def __init__(self, settings: DnsSettings, mx_port: int = SMTP_PORT) -> None:
        self.mx_port = mx_port
        self.lookups = SecureLookups(settings)

    async def resolve(self, config: Config, domain: str) -> Resolution:
        return await self.route(config.routes, domain)

    async def route(self, routes: tuple[Route, ...], domain: str) -> Resolution:
        """Where mail for `domain` goes under these smtproutes (else by MX)."""
        route = deciding_route(routes, domain)
        if route is None:
            return await self.resolve_mx(domain)
        return await self._resolve_route(route)

    async def _resolve_route(self, route: Route) -> Resolution:
        if any(h.host == DEVNULL for h in route.hosts):
            return Resolution(Kind.DEVNULL, via_route=True)
        targets: list[Target] = []
        failures: list[str] = []
        for host in sorted(route.hosts, key=lambda h: h.priority):
            found, why = await self._host_targets(host)
            targets += found
            if why:
                failures.append(why)
        if not targets:
            # Mail for a routed domain stays queued; never fall back to MX (§8.2).
            return Resolution(Kind.TEMPORARY, reason="; ".join(failures) or "no route host")
        return Resolution(Kind.TARGETS, tuple(targets), via_route=True)

    async def _host_targets(self, host: RouteHost) -> tuple[list[Target], str]:
        port = host.port or self.mx_port
        named = host.port or SMTP_PORT
        if is_ip(host.host):
            return [Target(host.host, host.host, port, host.priority, service_port=named)], ""
        ips, why, secure = await self.secure_addresses(host.host)
        return [Target(host.host, ip, port, host.priority, secure, named) for ip in ips], why

    async def addresses(self, name: str) -> tuple[list[str], str]:
        """A then AAAA addresses of `name`, and why there are none if so."""
        found, why, _ = await self.secure_addresses(name)
        return found, why

    async def secure_addresses(self, name: str) -> tuple[list[str], str, bool]:
        """As `addresses`, and whether every address RRset found was validated."""
        found: list[str] = []
        why = ""
        secure = True
        for rdtype in ("A", "AAAA"):
            answer = await self.lookups.lookup(name, rdtype)
            if answer.exists:
                found += [r.to_text() for r in answer.records]
                secure = secure and answer.secure
            elif answer.usable:
                why = why or f"{name}: no address"
            else:
                why = f"{name}: {answer.reason}"
        return found, "" if found else why, secure and bool(found)

    async def resolve_mx(self, domain: str) -> Resolution:
        name = normalise_domain(domain)
        answer = await self.lookups.lookup(name, "MX")
        if not answer.usable:
            return Resolution(Kind.TEMPORARY, reason=f"{name}: DNS {_failure(answer)}")
        if answer.nxdomain:
            return Resolution(Kind.PERMANENT, reason=f"{name}: domain does not exist")
        if not answer.exists:
            return await self._implicit(name, answer.secure)
        records = sorted(answer.records, key=lambda r: (r.preference, r.exchange.to_text()))
        hosts = [r.exchange.to_text().rstrip(".") for r in records]
        if len(records) == 1 and hosts[0] == "":
            return Resolution(Kind.PERMANENT, reason=f"{name}: null MX, domain accepts no mail")
        targets: list[Target] = []
        for record, host in zip(records, hosts, strict=True):
            if not host:
                continue
            ips, _, secure = await self.secure_addresses(host)
            preference = int(record.preference)
            targets += [Target(host, ip, self.mx_port, preference, secure) for ip in ips]
        if not targets:
            return Resolution(Kind.TEMPORARY, reason=f"{name}: no MX host has an address")
        return Resolution(
            Kind.TARGETS, tuple(targets), mx_hosts=tuple(hosts), mx_secure=answer.secure
        )

    async def _implicit(self, name: str, mx_secure: bool) -> Resolution:
        ips, why, secure = await self.secure_addresses(name)
        if not ips:
            return Resolution(Kind.PERMANENT, reason=why or f"{name}: no MX and no address")
        targets = tuple(Target(name, ip, self.mx_port, 0, secure) for ip in ips)
        return Resolution(Kind.TARGETS, targets, mx_secure=mx_secure)


def _failure(answer: Lookup) -> str:
    if answer.security is Security.BOGUS:
        return reasons.DNSSEC_BOGUS.format(reason=answer.reason)
    return answer.reason
