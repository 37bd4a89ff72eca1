"""The smtproutes destination syntax and its IMPORT / EXPORT text (reference §8.2).

One route per line: the domain (`example.com`, `.example.com` for subdomains, `ALL` for the
default route), white space, then the destinations separated by commas. A destination is
`host`, `host:port`, either followed by `/pri=N` (lower is preferred), or `USEDNS`, or
`/dev/null`. `#` starts a comment line. Parsing is all-or-nothing and names the line.
"""

from __future__ import annotations

import re

from state import messages, ranges
from state.errors import FormatError, ValueRefused
from state.model import Route, RouteHost
from state.validate_outbound import (
    DEFAULT_ROUTE,
    DEVNULL,
    MAX_ROUTE_HOSTS,
    USEDNS,
    is_domain_key,
    is_ip,
    normalise_domain,
    route_host_error,
)

_PRIORITY = re.compile(r"^(.*?)/pri=([0-9]+)$", re.IGNORECASE)


def format_host(host: RouteHost) -> str:
    name = host.host
    if host.port is not None:
        name = (f"[{name}]" if ":" in name else name) + f":{host.port}"
    return name + (f"/pri={host.priority}" if host.priority else "")


def format_hosts(hosts: tuple[RouteHost, ...]) -> str:
    return ", ".join(format_host(h) for h in hosts)


def parse_host(token: str) -> RouteHost:
    """One destination; raises ValueRefused when it is unusable."""
    if token.upper() == USEDNS:
        return RouteHost(host=USEDNS)
    if token == DEVNULL:
        return RouteHost(host=DEVNULL)
    priority = 0
    match = _PRIORITY.match(token)
    if match:
        token, number = match.group(1), ranges.ROUTE_PRIORITY.parse(match.group(2))
        if number is None:
            raise ValueRefused(ranges.ROUTE_PRIORITY.refusal())
        priority = number
    host, port = _split_port(token)
    result = RouteHost(host=normalise_domain(host), port=port, priority=priority)
    message = route_host_error(result)
    if message is not None:
        raise ValueRefused(message)
    return result


def _split_port(token: str) -> tuple[str, int | None]:
    if token.startswith("["):  # [IPv6]:port or [IPv6]
        inside, bracket, rest = token[1:].partition("]")
        if not bracket or (rest and not rest.startswith(":")) or not is_ip(inside):
            raise ValueRefused(messages.INVALID_HOSTNAME(name=token))
        return inside, _port(rest[1:]) if rest else None
    if token.count(":") == 1:
        host, _, port = token.partition(":")
        return host, _port(port)
    return token, None  # a name, IPv4, or a bare IPv6 address (no port possible)


def _port(text: str) -> int:
    port = ranges.PORT.parse(text)
    if port is None:
        raise ValueRefused(ranges.PORT.refusal())
    return port


def parse_hosts(text: str, existing: tuple[RouteHost, ...] = ()) -> tuple[RouteHost, ...]:
    """`existing` plus the comma-separated destinations in `text`, checked as a whole."""
    hosts = list(existing)
    for token in (t.strip() for t in text.split(",")):
        if not token:
            continue
        new = parse_host(token)
        for old in hosts:
            if old.host != new.host or old.host in (USEDNS, DEVNULL):
                continue
            if old.port == new.port:
                break  # the same destination again: keep the first
            if old.port is not None:
                raise ValueRefused(messages.ROUTE_OTHER_PORT(host=new.host, port=old.port))
            raise ValueRefused(messages.ROUTE_STANDARD_PORT(host=new.host))
        else:
            hosts.append(new)
    if not hosts:
        raise ValueRefused(messages.ENTER_A_VALUE())
    if len(hosts) > MAX_ROUTE_HOSTS:
        raise ValueRefused(messages.ROUTE_HOST_LIMIT(count=MAX_ROUTE_HOSTS))
    special = [h.host for h in hosts if h.host in (USEDNS, DEVNULL)]
    if special and len(hosts) > 1:
        raise ValueRefused(messages.ROUTE_HOST_ALONE(host=special[0]))
    return tuple(hosts)


def route_key(text: str) -> str | None:
    """The normalised route domain, `ALL`, or None when it is not a valid key."""
    if text.upper() == DEFAULT_ROUTE:
        return DEFAULT_ROUTE
    key = normalise_domain(text)
    return key if key and is_domain_key(key) else None


def dump(routes: tuple[Route, ...]) -> str:
    """One line per route, the default route last (as PRINT shows it)."""
    ordered = [r for r in routes if r.domain != DEFAULT_ROUTE]
    ordered += [r for r in routes if r.domain == DEFAULT_ROUTE]
    return "".join(f"{r.domain} {format_hosts(r.hosts)}\n" for r in ordered)


def parse(text: str) -> tuple[Route, ...]:
    routes: list[Route] = []
    for number, raw in enumerate(text.splitlines(), 1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        domain, *others = line.split(None, 1)
        rest = others[0] if others else ""
        key = route_key(domain)
        if key is None:
            raise FormatError(number, messages.INVALID_DOMAIN(domain=domain))
        if any(r.domain == key for r in routes):
            raise FormatError(number, messages.ROUTE_EXISTS(domain=key))
        try:
            hosts = parse_hosts(rest)
        except ValueRefused as refused:
            raise FormatError(number, refused.reason) from None
        routes.append(Route(domain=key, hosts=hosts))
    return tuple(routes)
