"""The resolver the network tools ask: the servers dnsconfig sets in the committed
configuration (DnsSettings), or the system's when it names none, as the engine does."""

from __future__ import annotations

import dns.asyncresolver
import dns.resolver

from state.model import DnsSettings


def servers(settings: DnsSettings) -> tuple[list[str], int]:
    """The name servers asked, in order, and their port."""
    if settings.servers:
        return list(settings.servers), settings.port
    try:
        system = dns.resolver.Resolver()
    except dns.resolver.NoResolverConfiguration:
        return [], 53
    return [str(ns) for ns in system.nameservers], system.port


def resolver(settings: DnsSettings) -> dns.asyncresolver.Resolver:
    """A stub resolver on those servers, with dnsconfig's timeout."""
    found, port = servers(settings)
    resolver = dns.asyncresolver.Resolver(configure=False)
    resolver.nameservers = found
    resolver.port = port
    resolver.timeout = resolver.lifetime = settings.timeout
    return resolver
