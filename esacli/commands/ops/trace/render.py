"""The result of a trace: one labelled line per step (texts.trace)."""

from __future__ import annotations

from engine.outbound.precedence import Requirement
from engine.outbound.resolver import Kind
from engine.trace import InboundTrace, OutboundTrace, RecipientTrace, plan_level
from esacli import render, texts
from state.formats_routes import format_hosts
from state.model import TlsFailure

T = texts.trace


def _field(key: str, value: str) -> str:
    return f"  {(T.FIELDS[key] + ':').ljust(22)}{value}"


def inbound(found: InboundTrace) -> str:
    client = (T.CLIENT.format(ip=found.ip, ehlo=found.ehlo or T.NONE,
                              cert=found.cert_name or T.NONE)
              if found.ehlo or found.cert_name else T.CLIENT_BARE.format(ip=found.ip))
    status = T.PTR_STATUS.get(found.host.status, found.host.status)
    ptr = (T.PTR.format(name=found.host.name, status=status) if found.host.name
           else T.PTR_NONE.format(status=status))
    match = found.match
    group = (T.GROUP.format(group=match.group, row=(found.row or 0) + 1, rule=match.rule)
             if match.group is not None else T.GROUP_DEFAULT)
    level = render.tls_label(found.tls_mode)
    tls = (T.TLS_REQUIRED if found.tls.require else
           T.TLS_OFFERED if found.tls.offer else T.TLS_NOT_OFFERED).format(level=level)
    cert = (T.CERT_REQUIRED if found.tls.require_client_cert else
            T.CERT_REQUESTED if found.tls.request_client_cert else T.CERT_NOT_ASKED)
    lines = [T.HAT, _field("listener", f"{found.listener} ({found.address})")]
    if found.suspended:
        lines.append(T.LISTENER_SUSPENDED)
    lines += [_field("client", client), _field("ptr", ptr)]
    if found.listed:
        lines.append(_field("listed", ", ".join(sorted(found.listed))))
    lines += [_field("group", group), _field("policy", match.policy or T.NONE),
              _field("behavior", match.behavior.value.upper()), _field("tls", tls),
              _field("client_cert", cert), _field("report", found.stats_domain)]
    return "\n".join(lines)


def recipients(found: list[RecipientTrace]) -> str:
    lines = [T.RAT]
    for rcpt in found:
        if not rcpt.rat_applies:
            lines.append("  " + T.RAT_SKIPPED.format(address=rcpt.address, why=T.RAT_SKIPPED_WHY))
        elif rcpt.entry is None:
            lines.append("  " + T.RAT_NONE.format(address=rcpt.address))
        else:
            lines.append("  " + T.RAT_ACCEPT.format(address=rcpt.address,
                                                    action=rcpt.entry.action.value.upper(),
                                                    entry=rcpt.entry.address))
    return "\n".join(lines)


def plan_label(req: Requirement) -> str:
    """A plan's TLS level as shown, "no delivery" when it refuses its MX."""
    return T.NO_DELIVERY if req.refuse is not None else render.tls_label(plan_level(req))


def outbound(found: OutboundTrace) -> str:
    entry = found.entry
    failure = "bounce" if entry.tls_failure is TlsFailure.BOUNCE else "defer"
    control = T.CONTROL.format(row=found.control, level=render.tls_label(entry.tls),
                               failure=T.FAILURES[failure])
    route = (T.ROUTE.format(domain=found.route.domain, hosts=format_hosts(found.route.hosts))
             if found.route is not None else T.ROUTE_NONE)
    lines = [f"{T.DELIVERY}: {found.domain}"]
    if found.suspended:
        lines.append(T.DELIVERY_SUSPENDED)
    lines += [_field("control", control), _field("route", route)]
    if found.resolution is Kind.DEVNULL:
        lines.append(T.NO_TARGET_DEVNULL)
    elif not found.plans:
        lines.append(T.NO_TARGET.format(reason=found.reason))
    for plan in found.plans:
        target, req = plan.target, plan.requirement
        lines.append(_field("target", T.TARGET.format(host=target.host, ip=target.ip,
                                                      port=target.port,
                                                      preference=target.preference)))
        lines.append(T.PLAN.format(level=plan_label(req), mechanism=req.decided_by.value))
        if req.pkix_names and (req.checks or req.log_verify):
            lines.append(T.PLAN_NAMES.format(names=", ".join(req.pkix_names)))
        if req.refuse is not None:
            lines.append(T.PLAN_REFUSED.format(reason=req.refuse.reason))
    if found.dns_policy:
        lines.append(T.DNS_NOTE.format(note=found.dns_policy))
    return "\n".join(lines)
