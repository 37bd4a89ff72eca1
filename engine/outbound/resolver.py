"""Where mail for a domain goes: smtproutes first, else MX records, else the implicit MX.

`resolve` returns a `Resolution`: the ordered targets (host name, IP, port), a
/dev/null route, a permanent failure (null MX, RFC 7505; no such domain) or a
temporary one (DNS timeout or SERVFAIL). The DNS resolver is dnspython's async
resolver set up from `Config.dns`, so tests point it at a local dnsmasq.

MX and implicit-MX targets use `mx_port` (25 in production). It is a deployment
parameter of the engine, not configuration: tests run fake MXs on a free
loopback port and pass that port here, exactly as they pass port 0 to listeners.
smtproutes hosts with an explicit `:port` keep theirs.
"""

from __future__ import annotations

import enum
import ipaddress
from dataclasses import dataclass, field

import dns.asyncresolver
import dns.exception
import dns.resolver

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


@dataclass(frozen=True)
class Resolution:
    kind: Kind
    targets: tuple[Target, ...] = ()
    reason: str = ""
    via_route: bool = False
    mx_hosts: tuple[str, ...] = field(default=())


def find_route(routes: tuple[Route, ...], domain: str) -> Route | None:
    """Pure: exact route, then the nearest `.parent` route, then the ALL route."""
    table = {normalise_domain(r.domain): r for r in routes}
    for key in domain_keys(domain):
        if key in table:
            return table[key]
    return table.get(DEFAULT_ROUTE.lower())


def make_resolver(settings: DnsSettings) -> dns.asyncresolver.Resolver:
    resolver = dns.asyncresolver.Resolver(configure=not settings.servers)
    if settings.servers:
        resolver.nameservers = list(settings.servers)
        resolver.port = settings.port
    resolver.lifetime = settings.timeout
    resolver.timeout = settings.timeout
    return resolver


def is_ip(host: str) -> bool:
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return False
    return True


class Resolver:
    def __init__(self, settings: DnsSettings, mx_port: int = SMTP_PORT) -> None:
        self.mx_port = mx_port
        self._dns = make_resolver(settings)

    async def resolve(self, config: Config, domain: str) -> Resolution:
        route = find_route(config.routes, domain)
        if route is None or any(h.host.upper() == USEDNS for h in route.hosts):
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
        if is_ip(host.host):
            return [Target(host.host, host.host, port, host.priority)], ""
        ips, why = await self.addresses(host.host)
        return [Target(host.host, ip, port, host.priority) for ip in ips], why

    async def addresses(self, name: str) -> tuple[list[str], str]:
        """A then AAAA addresses of `name`, and why there are none if so."""
        found: list[str] = []
        why = ""
        for rdtype in ("A", "AAAA"):
            try:
                answer = await self._dns.resolve(name, rdtype)
                found += [r.to_text() for r in answer]
            except (dns.resolver.NXDOMAIN, dns.resolver.NoAnswer):
                why = why or f"{name}: no address"
            except (dns.exception.DNSException, OSError) as exc:
                why = f"{name}: {type(exc).__name__}"
        return found, "" if found else why

    async def resolve_mx(self, domain: str) -> Resolution:
        name = normalise_domain(domain)
        try:
            answer = await self._dns.resolve(name, "MX")
        except dns.resolver.NXDOMAIN:
            return Resolution(Kind.PERMANENT, reason=f"{name}: domain does not exist")
        except dns.resolver.NoAnswer:
            return await self._implicit(name)
        except (dns.exception.DNSException, OSError) as exc:
            return Resolution(Kind.TEMPORARY, reason=f"{name}: DNS {type(exc).__name__}")
        records = sorted(answer, key=lambda r: (r.preference, r.exchange.to_text()))
        hosts = [r.exchange.to_text().rstrip(".") for r in records]
        if len(records) == 1 and hosts[0] == "":
            return Resolution(Kind.PERMANENT, reason=f"{name}: null MX, domain accepts no mail")
        targets: list[Target] = []
        for record, host in zip(records, hosts, strict=True):
            if not host:
                continue
            ips, _ = await self.addresses(host)
            targets += [Target(host, ip, self.mx_port, int(record.preference)) for ip in ips]
        if not targets:
            return Resolution(Kind.TEMPORARY, reason=f"{name}: no MX host has an address")
        return Resolution(Kind.TARGETS, tuple(targets), mx_hosts=tuple(hosts))

    async def _implicit(self, name: str) -> Resolution:
        ips, why = await self.addresses(name)
        if not ips:
            return Resolution(Kind.PERMANENT, reason=why or f"{name}: no MX and no address")
        return Resolution(Kind.TARGETS, tuple(Target(name, ip, self.mx_port) for ip in ips))
