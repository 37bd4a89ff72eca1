"""DNS facts about a connecting client: its forward-confirmed PTR name and DNS-list listings.

The HAT decides on these facts (engine.policy stays pure; this module does the I/O).
Resolution uses dnspython's async resolver configured from `Config.dns` (servers,
port, timeout). Answers are cached for their TTL (NXDOMAIN / no answer for
NEGATIVE_TTL). A failure (timeout, refused, server unreachable) is never cached
and never raised: the fact is simply unknown, so a host-name or dnslist entry does
not match and the connection goes on without stalling past the timeout.
"""

from __future__ import annotations

import asyncio
import ipaddress
import time
from collections.abc import Callable
from dataclasses import dataclass

import dns.asyncresolver
import dns.exception
import dns.resolver
import dns.reversename

from engine.policy import ClientFacts, Lookups
from state.model import DnsSettings

NEGATIVE_TTL = 60
MAX_CACHE = 10000
# Extra time over the resolver's own lifetime before wait_for gives up on it.
GRACE = 0.5

Answer = tuple[str, ...]


@dataclass(frozen=True)
class HostName:
    """The PTR outcome: `name` when forward-confirmed; `status` for logs and $Hostname."""

    name: str | None
    status: str  # "verified", "unverified", "none" (no PTR), "unknown" (lookup failed)

    @property
    def log_host(self) -> str:
        return self.name or "unknown"

    @property
    def variable(self) -> str:
        """$Hostname: the name if validated, None without PTR, unknown if it failed."""
        if self.name:
            return self.name
        return "None" if self.status == "none" else "unknown"


NOT_LOOKED_UP = HostName(None, "unknown")


class DnsCheck:
    def __init__(self, settings: DnsSettings, clock: Callable[[], float] = time.monotonic) -> None:
        self.settings = settings
        self._clock = clock
        self._cache: dict[tuple[str, str], tuple[float, Answer]] = {}
        self._resolver = _resolver(settings)

    async def query(self, name: str, rdtype: str) -> Answer | None:
        """Answers as text; () when the name or type does not exist; None on failure."""
        key = (name.lower().rstrip(".") + ".", rdtype)
        now = self._clock()
        hit = self._cache.get(key)
        if hit is not None and hit[0] > now:
            return hit[1]
        if self._resolver is None:
            return None
        try:
            answer = await asyncio.wait_for(
                self._resolver.resolve(key[0], rdtype, search=False, raise_on_no_answer=False),
                self.settings.timeout + GRACE,
            )
        except (dns.resolver.NXDOMAIN, dns.resolver.NoAnswer):
            values, ttl = (), NEGATIVE_TTL
        except (TimeoutError, dns.exception.DNSException, OSError, ValueError):
            return None
        else:
            rrset = answer.rrset
            values = tuple(r.to_text() for r in rrset) if rrset is not None else ()
            ttl = rrset.ttl if rrset is not None else NEGATIVE_TTL
        self._remember(key, now + ttl, values)
        return values

    def _remember(self, key: tuple[str, str], expiry: float, values: Answer) -> None:
        if len(self._cache) >= MAX_CACHE:
            now = self._clock()
            self._cache = {k: v for k, v in self._cache.items() if v[0] > now}
            if len(self._cache) >= MAX_CACHE:
                self._cache.clear()
        self._cache[key] = (expiry, values)

    async def host_name(self, ip: str) -> HostName:
        """The PTR name, kept only if one of its A/AAAA records is the client's address."""
        try:
            address = ipaddress.ip_address(ip)
            reverse = dns.reversename.from_address(str(address)).to_text()
        except ValueError:
            return NOT_LOOKED_UP
        names = await self.query(reverse, "PTR")
        if names is None:
            return HostName(None, "unknown")
        if not names:
            return HostName(None, "none")
        rdtype = "A" if address.version == 4 else "AAAA"
        for name in names:
            addresses = await self.query(name, rdtype)
            if addresses and any(_same_ip(a, address) for a in addresses):
                return HostName(name.rstrip(".").lower(), "verified")
        return HostName(None, "unverified")

    async def listed(self, ip: str, zone: str) -> bool:
        """A DNS-list query: the reversed address under `zone` has an A record."""
        try:
            address = ipaddress.ip_address(ip)
        except ValueError:
            return False
        if address.version == 4:
            label = ".".join(reversed(str(address).split(".")))
        else:
            label = ".".join(reversed(address.exploded.replace(":", "")))
        answers = await self.query(f"{label}.{zone}", "A")
        return bool(answers)

    async def facts(self, ip: str, needed: Lookups) -> tuple[ClientFacts, HostName]:
        """Every fact the HAT needs, looked up concurrently."""
        host_task = self.host_name(ip) if needed.ptr else _constant(NOT_LOOKED_UP)
        results = await asyncio.gather(host_task, *(self.listed(ip, z) for z in needed.zones))
        host = results[0]
        assert isinstance(host, HostName)
        listed = frozenset(z for z, hit in zip(needed.zones, results[1:], strict=True) if hit)
        return ClientFacts(ip=ip, ptr=host.name, listed=listed), host


async def _constant(value: HostName) -> HostName:
    return value


def _same_ip(text: str, address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    try:
        return ipaddress.ip_address(text) == address
    except ValueError:
        return False


def _resolver(settings: DnsSettings) -> dns.asyncresolver.Resolver | None:
    """The configured servers, or the system's; None when neither is usable."""
    try:
        if settings.servers:
            resolver = dns.asyncresolver.Resolver(configure=False)
            resolver.nameservers = list(settings.servers)
            resolver.port = settings.port
        else:
            resolver = dns.asyncresolver.Resolver()
    except (dns.exception.DNSException, OSError, ValueError):
        return None
    resolver.timeout = settings.timeout
    resolver.lifetime = settings.timeout
    return resolver


class DnsChecks:
    """One DnsCheck (and so one cache) per resolver setting; a commit that changes
    `Config.dns` gets a fresh one, connections of the old setting keep theirs."""

    KEEP = 4

    def __init__(self) -> None:
        self._by_settings: dict[DnsSettings, DnsCheck] = {}

    def for_settings(self, settings: DnsSettings) -> DnsCheck:
        check = self._by_settings.get(settings)
        if check is None:
            if len(self._by_settings) >= self.KEEP:
                self._by_settings.pop(next(iter(self._by_settings)))
            check = self._by_settings[settings] = DnsCheck(settings)
        return check
