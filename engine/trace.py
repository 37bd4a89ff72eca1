"""`trace`: what the configuration would do with a connection and its mail, without
sending any (the appliance's what-if), against any Config: the committed one or a
session's candidate.

Inbound: sender IP (with the EHLO name and a client certificate's name, shown as given)
-> listener -> sender group, the row and sender form that matched -> mail flow policy
-> TLS requirement. Recipient -> the RAT entry that decides it. Outbound: destination ->
destination control (which row) -> route or MX -> each target -> the TLS plan (level,
names a Verify check accepts, which mechanism decides, from engine/outbound/precedence).

Matching and decisions are the engine's own (engine/policy.py, engine/outbound/policy.py,
precedence.py, dnspolicy.py): nothing is decided twice. DNS steps (PTR, DNS lists, MX,
addresses, TLSA, MTA-STS) go through the configured resolver and give up after its
timeout; a step that could not be looked up says so and the trace goes on.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, replace

from engine import policy
from engine.inbound.dnscheck import NOT_LOOKED_UP, DnsChecks, HostName
from engine.outbound import dnspolicy, precedence
from engine.outbound.destinations import DestinationTable
from engine.outbound.dnssec import SecureLookups
from engine.outbound.mtasts_cache import StsCache
from engine.outbound.resolver import SMTP_PORT, Kind, Resolution, Resolver, Target, find_route
from engine.tlsstats import texts
from engine.tlsstats.events import inbound_domain
from state import operations
from state.model import (
    Config,
    DaneMode,
    DestinationEntry,
    Listener,
    ListenerType,
    RatAction,
    RatEntry,
    Route,
    TlsFailure,
    TLSMode,
)
from state.validate_outbound import normalise_domain

GRACE = 1.0  # seconds beyond the resolver's own timeout before a step gives up


@dataclass(frozen=True)
class InboundTrace:
    listener: str
    address: str  # interface ip:port
    ip: str
    ehlo: str
    cert_name: str
    host: HostName  # the PTR name, forward-confirmed or not
    listed: frozenset[str]  # DNS-list zones that list the client
    match: policy.HatMatch
    row: int | None  # 0-based HAT row of the group that matched, None for the default
    tls: policy.TlsDecision
    stats_domain: str  # how the TLS report counts this client
    suspended: bool = False  # suspendlistener: every connection gets 421 first

    @property
    def tls_mode(self) -> TLSMode:
        return self.match.params.tls or TLSMode.NO


@dataclass(frozen=True)
class RecipientTrace:
    address: str
    listener: str
    rat_applies: bool  # RELAY senders and private listeners skip the RAT
    entry: RatEntry | None  # the entry that decided (None when the RAT is skipped)
    accepted: bool


@dataclass(frozen=True)
class TargetPlan:
    target: Target
    requirement: precedence.Requirement


@dataclass(frozen=True)
class OutboundTrace:
    domain: str
    control: str  # the destination control row that decides: the domain, a .parent, DEFAULT
    entry: DestinationEntry  # that row with "Default" fields filled from DEFAULT
    route: Route | None
    resolution: Kind
    reason: str  # why there is no target, when there is none
    plans: tuple[TargetPlan, ...]
    dns_policy: str  # what DANE / MTA-STS lookups did ("" when none apply)
    suspended: bool = False  # suspenddel: the recipients wait for resumedel


def _listeners(config: Config, name: str | None) -> list[Listener]:
    if name is None:
        return list(config.listeners)
    return [li for li in config.listeners if li.name.lower() == name.lower()]


async def trace_inbound(config: Config, ip: str, listener: str | None = None, ehlo: str = "",
                        cert_name: str = "", dns: DnsChecks | None = None) -> list[InboundTrace]:
    """The HAT decision of every listener (or the one named) for a client at `ip`."""
    check = (dns or DnsChecks()).for_settings(config.dns)
    found = []
    for li in _listeners(config, listener):
        needed = policy.lookups_needed(li.hat)
        try:
            facts, host = await asyncio.wait_for(
                check.facts(ip, policy.Lookups(ptr=True, zones=needed.zones)),
                config.dns.timeout * (1 + len(needed.zones)) + GRACE)
        except TimeoutError:
            facts, host = policy.ClientFacts(ip=ip), NOT_LOOKED_UP
        match = policy.evaluate_hat(li.hat, facts)
        row = next((i for i, g in enumerate(li.hat.groups) if g.name == match.group), None)
        iface = next((i for i in config.interfaces if i.name == li.interface), None)
        found.append(InboundTrace(
            li.name, f"{iface.ip if iface else '?'}:{li.port}", ip, ehlo, cert_name, host,
            facts.listed, match, row, policy.tls_decision(match.params.tls),
            inbound_domain(cert_name, host.name, ip), li.suspended))
    return found


def trace_recipient(config: Config, inbound: InboundTrace, address: str) -> RecipientTrace:
    li = next(li for li in config.listeners if li.name == inbound.listener)
    applies = policy.rat_applies(inbound.match.behavior, li.type is ListenerType.PUBLIC)
    if not applies:
        return RecipientTrace(address, li.name, False, None, True)
    entry = policy.rat_lookup(li.rat, address)
    accepted = entry is not None and entry.action is RatAction.ACCEPT
    return RecipientTrace(address, li.name, True, entry, accepted)


async def trace_outbound(config: Config, domain: str, mx_port: int = SMTP_PORT,
                         lookups: SecureLookups | None = None,
                         sts: StsCache | None = None) -> OutboundTrace:
    """Where mail for `domain` would go and under which TLS plan, target by target."""
    traced = await _outbound(config, normalise_domain(domain), mx_port, lookups, sts)
    return replace(traced, suspended=operations.delivery_suspended(config, traced.domain))


async def _outbound(config: Config, domain: str, mx_port: int, lookups: SecureLookups | None,
                    sts: StsCache | None) -> OutboundTrace:
    decides = DestinationTable.compile(config.destinations).lookup(domain)
    entry, control = decides.entry, decides.control
    route = find_route(config.routes, domain)
    try:
        found = await asyncio.wait_for(Resolver(config.dns, mx_port).resolve(config, domain),
                                       4 * config.dns.timeout + GRACE)
    except TimeoutError:
        return OutboundTrace(domain, control, entry, route, Kind.TEMPORARY, texts.DNS_TIMEOUT,
                             (), "")
    if found.kind is not Kind.TARGETS:
        return OutboundTrace(domain, control, entry, route, found.kind, found.reason, (), "")
    plans, note = await _plans(config, entry, domain, found, lookups, sts)
    return OutboundTrace(domain, control, entry, route, found.kind, "", plans, note)


async def _plans(config: Config, entry: DestinationEntry, domain: str, found: Resolution,
                 lookups: SecureLookups | None, sts: StsCache | None,
                 ) -> tuple[tuple[TargetPlan, ...], str]:
    wants_dns = (entry.dane or DaneMode.NO) is not DaneMode.NO or bool(entry.mta_sts)
    if not wants_dns or lookups is None:
        failure = entry.tls_failure or TlsFailure.DEFER
        alone = tuple(TargetPlan(t, precedence.from_destconfig(
            entry.tls or TLSMode.NO, domain, t.host, failure)) for t in found.targets)
        return alone, texts.DNS_POLICY_SKIPPED if wants_dns else ""
    answer = await dnspolicy.sts_for(entry, found, domain, sts)
    plans = []
    for target in found.targets:
        facts, _ = await dnspolicy.facts_for(entry, domain, found, target, answer, lookups)
        plans.append(TargetPlan(target, precedence.effective(facts)))
    return tuple(plans), ""


def plan_level(req: precedence.Requirement) -> TLSMode:
    """The destination control level a requirement amounts to (what `trace` names)."""
    if req.encrypt:
        return TLSMode.REQUIRED_VERIFY if req.checks else TLSMode.REQUIRED
    if req.starttls:
        return TLSMode.PREFERRED_VERIFY if req.log_verify else TLSMode.PREFERRED
    return TLSMode.NO
