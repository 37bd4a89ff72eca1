"""Partner readiness from the store: per MX host (outbound) or client (inbound) of one
domain, what the recorded connections showed, and the dry run at Required - Verify.

Live probes (tlsverify-style, with chains and days to expiry) are the shell's later
step; this is what the engine saw, without sending anything.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Protocol

from engine.tlsstats import dryrun
from engine.tlsstats.report import TimeRange
from engine.tlsstats.store import Row
from state.model import TLSMode


@dataclass
class Peer:
    """One MX host (outbound) or client address (inbound) of the partner."""

    name: str
    addresses: set[str] = field(default_factory=set)
    connections: int = 0
    offered: int = 0  # outbound: EHLO listed STARTTLS; inbound: we offered it
    tls: int = 0
    verified: int = 0
    versions: set[str] = field(default_factory=set)
    ciphers: set[str] = field(default_factory=set)
    cert_names: set[str] = field(default_factory=set)
    matched_names: set[str] = field(default_factory=set)
    result_types: dict[str, int] = field(default_factory=dict)
    last_seen: float = 0.0


@dataclass(frozen=True)
class Readiness:
    domain: str
    direction: str
    range: TimeRange
    peers: list[Peer]
    at_required_verify: dryrun.DryRun


class Source(Protocol):
    def rows(self, direction: str, start: float, end: float,
             domain: str | None = None) -> list[Row]: ...

    def events(self, direction: str, domain: str, start: float,
               end: float, limit: int = 5000) -> list[tuple[Any, ...]]: ...


def readiness(source: Source, direction: str, domain: str, span: TimeRange) -> Readiness:
    peers: dict[str, Peer] = {}
    for at, peer, ip, offered, outcome, rtype, _vr, verified, matched, version, cipher, cert \
            in source.events(direction, domain, span.start, span.end):
        p = peers.setdefault(str(peer), Peer(str(peer)))
        p.addresses.add(str(ip))
        p.connections += 1
        p.offered += int(offered)
        p.last_seen = max(p.last_seen, float(at))
        if outcome == "tls":
            p.tls += 1
            p.verified += int(verified)
            p.versions.add(str(version))
            p.ciphers.add(str(cipher))
        for bucket, value in ((p.cert_names, cert), (p.matched_names, matched)):
            if value:
                bucket.add(str(value))
        if rtype:
            p.result_types[str(rtype)] = p.result_types.get(str(rtype), 0) + 1
    rows = source.rows(direction, span.start, span.end, domain)
    verdict = dryrun.dry_run(rows, domain, direction, TLSMode.REQUIRED_VERIFY, span.name,
                             "defer" if direction == "out" else "refuse")
    ordered = sorted(peers.values(), key=lambda p: (-p.connections, p.name))
    return Readiness(domain, direction, span, ordered, verdict)
