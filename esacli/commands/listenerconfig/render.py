"""listenerconfig's screens: the listener list, a listener's summary, the default policy."""

from __future__ import annotations

from esacli import render, texts
from state import cert_usage, policy_params
from state.model import HAT, Config, Interface, Listener, TLSMode
from state.policy_params import Kind


def interface_of(config: Config, name: str) -> Interface:
    for iface in config.interfaces:
        if iface.name == name:
            return iface
    return Interface(name=name, ip="?")  # invalid configs still render


def interface_line(iface: Interface) -> str:
    return texts.listener.INTERFACE_LINE.format(name=iface.name, ip=iface.ip,
                                                hostname=iface.hostname)


def listener_list(config: Config) -> str:
    if not config.listeners:
        return texts.listener.NO_LISTENERS
    lines = [texts.listener.LISTENERS_HEADER]
    for n, li in enumerate(config.listeners, 1):
        lines.append(
            texts.listener.LISTENER_LINE.format(
                n=n, name=li.name, interface=li.interface,
                ip=interface_of(config, li.interface).ip, protocol=li.protocol,
                port=li.port, type=li.type.value,
            )
        )
    return "\n".join(lines)


def listener_summary(config: Config, li: Listener) -> str:
    return texts.listener.LISTENER_SUMMARY.format(
        name=li.name, type=li.type.value, interface=li.interface,
        ip=interface_of(config, li.interface).ip, port=li.port, protocol=li.protocol,
        max_connections=li.max_connections, tcp_queue=li.tcp_queue,
        tls=render.tls_label(li.hat.default.tls),
        certificate=cert_usage.listener_certificate(li),
    )


def param_value(field: str, value: object) -> str:
    """A policy parameter as the policy block shows it."""
    row = policy_params.param(field)
    if row.kind is Kind.SIZE and isinstance(value, int):
        return render.size(value)
    if row.kind is Kind.TLS:
        return render.tls_label(value if isinstance(value, TLSMode) else None)
    if row.off is not None and value in (None, row.off):
        return texts.hat.RATE_DISABLED
    return str(value)


def policy_block(hat: HAT) -> str:
    """The §4.1 header, limited to the parameters this product has."""
    lines = [texts.hat.POLICY_BLOCK_TITLE]
    for field, label in texts.hat.POLICY_LINES:
        lines.append(label.format(param_value(field, getattr(hat.default, field))))
    counts = texts.hat.POLICY_COUNTS.format(policies=len(hat.policies), groups=len(hat.groups))
    return "\n".join(lines) + "\n\n" + counts
