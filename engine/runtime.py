"""RuntimeConfig: one committed version compiled for the engine.

Both halves are compiled together: the listeners (server TLS contexts, HAT and RAT)
and outbound delivery (the destination table, the client TLS contexts). Built
all-or-nothing: every problem is collected and reported together in one
RuntimeBuildError, so the caller keeps serving, and delivering, with the previous
runtime. A RuntimeConfig is never mutated; connections pin the one current when they
were accepted, and a delivery the one current when it started.
"""

from __future__ import annotations

import functools
import ssl
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

from engine import policy, tls
from engine.errors import EngineError, RuntimeBuildError
from engine.outbound.destinations import DestinationTable
from engine.outbound.tlsctx import ClientContexts, build_contexts
from state import authorities, ranges
from state.defaults import DEMO_CERT
from state.hat_rules import certificate_rows
from state.model import (
    HAT,
    Authorities,
    Config,
    Listener,
    ListenerType,
    RatEntry,
    Route,
    TLSMode,
    TlsRptSettings,
)
from state.secrets import Secrets

ListenerKey = tuple[str, str, int]


@dataclass(frozen=True)
class TlsContexts:
    """Server contexts by client-certificate treatment; None where no policy needs it."""

    plain: ssl.SSLContext | None = None
    optional: ssl.SSLContext | None = None
    required: ssl.SSLContext | None = None

    def for_decision(self, decision: policy.TlsDecision) -> ssl.SSLContext | None:
        if not decision.offer:
            return None
        if decision.require_client_cert:
            return self.required
        if decision.request_client_cert:
            return self.optional
        return self.plain


ANSWERS_KEPT = 10_000  # remembered HAT and RAT answers per listener and version


@dataclass(frozen=True)
class ListenerSpec:
    name: str
    interface: str
    ip: str
    port: int
    type: ListenerType
    hat: HAT
    rat: tuple[RatEntry, ...]
    hostname: str
    max_connections: int
    tcp_queue: int
    certificate: str | None
    tls: TlsContexts = field(default_factory=TlsContexts)
    suspended: bool = False  # suspendlistener: new connections get LISTENER_SUSPENDED

    @property
    def key(self) -> ListenerKey:
        return (self.name, self.ip, self.port)

    # What every connection asks of the same HAT and RAT, computed once per version
    # (the decisions stay policy.py's pure functions; these only remember answers).
    @functools.cached_property
    def _answers(self) -> tuple[dict[policy.ClientFacts, policy.HatMatch],
                                dict[str, RatEntry | None]]:
        return {}, {}

    def hat_match(self, facts: policy.ClientFacts) -> policy.HatMatch:
        known = self._answers[0]
        match = known.get(facts)
        if match is None:
            if len(known) >= ANSWERS_KEPT:
                known.clear()
            match = known[facts] = policy.evaluate_hat(self.hat, facts)
        return match

    def rat_entry(self, address: str) -> RatEntry | None:
        known = self._answers[1]
        if address not in known:
            if len(known) >= ANSWERS_KEPT:
                known.clear()
            known[address] = policy.rat_lookup(self.rat, address)
        return known[address]

    @functools.cached_property
    def lookups(self) -> policy.Lookups:
        """The DNS lookups a connection needs before the HAT decides."""
        return policy.connection_lookups(self.hat)


@dataclass(frozen=True)
class OutboundRuntime:
    """What delivery needs of one version (engine/outbound/client.py reads only this)."""

    hostname: str  # the EHLO name
    routes: tuple[Route, ...]  # smtproutes (resolver.find_route)
    destinations: DestinationTable
    contexts: ClientContexts
    authorities: Authorities  # the TLS statistics judge chains against them
    tlsrpt: TlsRptSettings = field(default_factory=TlsRptSettings)  # daily TLS reports


@dataclass(frozen=True)
class RuntimeConfig:
    version: int
    config: Config
    listeners: Mapping[str, ListenerSpec]
    outbound: OutboundRuntime
    # Listeners this machine does not run, and why: in a cluster a listener set at
    # Cluster or Group level names an interface some machine lacks.
    disabled: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))


def missing_interface(interface: str) -> str:
    return f"no interface {interface} on this machine"


def tls_modes(hat: HAT) -> set[TLSMode]:
    """Every TLS setting some row of this HAT can resolve to."""
    modes = {hat.default.tls or TLSMode.NO}
    modes.update(p.params.tls for p in hat.policies if p.params.tls is not None)
    return modes


def _contexts(config: Config, listener: Listener, secrets: Secrets, trust: str) -> TlsContexts:
    modes = tls_modes(listener.hat) - {TLSMode.NO}
    if not modes:
        return TlsContexts()
    cert, key_path = tls.profile(config, secrets, listener.certificate or DEMO_CERT)
    decisions = [policy.tls_decision(m) for m in modes]
    if certificate_rows(listener.hat):  # STARTTLS may ask for a certificate anywhere
        decisions += [policy.TlsDecision(True, d.require, True, False) for d in decisions]

    def build(kind: tls.ClientCert, wanted: bool) -> ssl.SSLContext | None:
        if not wanted:
            return None
        return tls.server_context(cert.chain, key_path, kind, trust, config.ssl.inbound)

    return TlsContexts(
        plain=build(tls.ClientCert.NONE, any(not d.request_client_cert for d in decisions)),
        optional=build(
            tls.ClientCert.OPTIONAL,
            any(d.request_client_cert and not d.require_client_cert for d in decisions),
        ),
        required=build(tls.ClientCert.REQUIRED, any(d.require_client_cert for d in decisions)),
    )


def _spec(config: Config, listener: Listener, secrets: Secrets, trust: str) -> ListenerSpec:
    iface = next(i for i in config.interfaces if i.name == listener.interface)
    # What goes to the kernel must fit it (a version committed before the ranges
    # existed may hold a TCP queue of 10^20, which made asyncio raise OverflowError).
    for name, allowed in ranges.LISTENER_SOCKET_FIELDS.items():
        if getattr(listener, name) not in allowed:
            raise EngineError(f"{name} {getattr(listener, name)}: {allowed.message}")
    return ListenerSpec(
        name=listener.name,
        interface=iface.name,
        ip=iface.ip,
        port=listener.port,
        type=listener.type,
        hat=listener.hat,
        rat=listener.rat,
        hostname=iface.hostname or config.hostname,
        max_connections=listener.max_connections,
        tcp_queue=listener.tcp_queue,
        certificate=listener.certificate or DEMO_CERT,
        tls=_contexts(config, listener, secrets, trust),
        suspended=listener.suspended,
    )


def build_outbound(config: Config, secrets: Secrets, trust: str | None = None) -> OutboundRuntime:
    """The outbound half; raises TlsSetupError when a client context cannot be built."""
    return OutboundRuntime(
        hostname=config.hostname, routes=config.routes,
        destinations=DestinationTable.compile(config.destinations),
        contexts=build_contexts(config, secrets, trust), authorities=config.authorities,
        tlsrpt=config.tlsrpt,
    )


def build_runtime(config: Config, version: int, secrets: Secrets, *,
                  interfaces_optional: bool = False) -> RuntimeConfig:
    """Compile every listener; raise one RuntimeBuildError naming all failures.

    With `interfaces_optional` (a cluster member) a listener whose interface this
    machine lacks is not a failure: it is recorded in `disabled` and the others run."""
    errors: list[str] = []
    specs: dict[str, ListenerSpec] = {}
    disabled: dict[str, str] = {}
    interfaces = {iface.name for iface in config.interfaces}
    # Verify settings trust the enabled certconfig CERTAUTHORITY lists, nothing else.
    trust = authorities.trusted_pem(config.authorities)
    for listener in config.listeners:
        if listener.interface not in interfaces:
            if interfaces_optional:
                disabled[listener.name] = missing_interface(listener.interface)
            else:
                errors.append(f"listener {listener.name}: interface {listener.interface}"
                              " does not exist")
            continue
        try:
            specs[listener.name] = _spec(config, listener, secrets, trust)
        except EngineError as exc:
            errors.append(f"listener {listener.name}: {exc}")
    try:
        outbound = build_outbound(config, secrets, trust)
    except EngineError as exc:
        errors.append(f"outbound TLS: {exc}")
    if errors:
        raise RuntimeBuildError(version, errors)
    return RuntimeConfig(version=version, config=config, listeners=MappingProxyType(specs),
                         outbound=outbound, disabled=MappingProxyType(disabled))
