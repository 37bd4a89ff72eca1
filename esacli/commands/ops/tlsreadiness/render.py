"""Partner readiness on screen: per MX host (or client), what the recorded connections
showed; the dry run at Required - Verify; then, outbound, what each MX shows now and
what the DNS-published policies (DANE, MTA-STS) make of it."""

from __future__ import annotations

import time

from engine.outbound.mtasts_cache import Cached
from engine.outbound.peerprobe import Probe
from engine.tlsstats.readiness import Peer, Readiness
from engine.trace import OutboundTrace
from esacli import texts
from esacli.commands.ops.trace.render import plan_label
from state.model import DaneMode

R = texts.reports
DATE = "%Y-%m-%d %H:%M"
WIDTH = max(len(label) for label in (*R.READY_FIELDS.values(), *R.READY_LIVE_FIELDS.values()))


def _field(label: str, value: object) -> str:
    return f"  {(label + ':').ljust(WIDTH + 2)}{value}"


def _listed(values: set[str] | tuple[str, ...]) -> str:
    return ", ".join(sorted(v for v in values if v)) or R.READY_NOTHING


def _peer(peer: Peer) -> str:
    of = R.READY_OF.format
    failures = ", ".join(f"{rt} {n}" for rt, n in sorted(peer.result_types.items()))
    values = {
        "addresses": _listed(peer.addresses),
        "connections": peer.connections,
        "offered": of(n=peer.offered, total=peer.connections),
        "tls": of(n=peer.tls, total=peer.connections),
        "verified": of(n=peer.verified, total=peer.tls),
        "versions": _listed(peer.versions),
        "ciphers": _listed(peer.ciphers),
        "cert_names": _listed(peer.cert_names),
        "matched_names": _listed(peer.matched_names),
        "failures": failures or R.READY_NOTHING,
        "last_seen": time.strftime(DATE, time.localtime(peer.last_seen)),
    }
    return "\n".join([peer.name, *(_field(R.READY_FIELDS[k], v) for k, v in values.items())])


def recorded(found: Readiness) -> str:
    title = R.READY_TITLE.format(domain=found.domain, period=found.range.name,
                                 direction=R.READY_TITLE_DIRECTIONS[found.direction])
    blocks = [title, *(_peer(p) for p in found.peers)] if found.peers else [title, R.READY_NONE]
    label = texts.hat.TLS_LABELS[found.at_required_verify.level.value]
    blocks.append(R.READY_DRYRUN.format(text=found.at_required_verify.text(label)))
    return "\n\n".join(blocks)


def probe(found: Probe, now: float) -> str:
    target = found.target
    head = f"{target.host} ({target.ip}) port {target.port}"
    if not found.reachable:
        return R.READY_LIVE_UNREACHABLE.format(host=target.host, ip=target.ip,
                                               port=target.port, reason=found.reason)
    F = R.READY_LIVE_FIELDS
    lines = [head, _field(F["starttls"], R.YES if found.offered else R.NO)]
    if found.tls:
        lines.append(_field(F["tls"], R.READY_LIVE_TLS.format(version=found.version,
                                                             cipher=found.cipher)))
        lines.append(_field(F["chain"], " <- ".join(found.chain) or R.READY_NOTHING))
        lines.append(_field(F["names"], ", ".join(found.names) or R.READY_NOTHING))
        if found.not_after is not None:
            days = int((found.not_after - now) // 86400)
            until = time.strftime(DATE, time.localtime(found.not_after))
            lines.append(_field(F["expiry"], R.READY_LIVE_EXPIRY.format(days=days, date=until)))
    elif found.offered:
        lines.append(_field(F["tls"], R.READY_LIVE_FAILED.format(reason=found.reason)))
    verdict = (R.READY_LIVE_VERIFIES.format(name=found.matched) if not found.result_type
               else R.READY_LIVE_FAILS.format(result_type=found.result_type))
    lines.append(_field(F["verify"], verdict))
    return "\n".join(lines)


def dns_policy(trace: OutboundTrace, sts: Cached | None, now: float) -> str:
    """What DANE and MTA-STS make of the destination; with MTA-STS on, what the engine's
    policy cache holds for it (`sts`)."""
    entry = trace.entry
    if (entry.dane or DaneMode.NO) is DaneMode.NO and not entry.mta_sts:
        return R.READY_DNS_POLICY.format(text=R.READY_DNS_NONE)
    lines = [R.READY_DNS_POLICY.format(text=trace.dns_policy or "")]
    for p in trace.plans:
        req = p.requirement
        lines.append("  " + R.READY_DNS_PLAN.format(
            host=p.target.host, level=plan_label(req), mechanism=req.decided_by.value))
        if req.refuse is not None:
            lines.append("  " + texts.trace.PLAN_REFUSED.format(reason=req.refuse.reason))
    if entry.mta_sts:
        lines += ["  " + line for line in sts_cached(sts, now)]
    return "\n".join(lines)


def sts_cached(sts: Cached | None, now: float) -> list[str]:
    if sts is None or sts.policy is None:
        lines = [R.READY_STS_NONE]
    else:
        until = time.strftime(DATE, time.localtime(sts.expires))
        lines = [R.READY_STS_CACHED.format(mode=sts.policy.mode.value,
                                           patterns=", ".join(sts.policy.mx), until=until)
                 if sts.valid(now) else R.READY_STS_EXPIRED.format(until=until)]
    if sts is not None and sts.last_error:
        lines.append(R.READY_STS_FAILED.format(error=sts.last_error))
    return lines
