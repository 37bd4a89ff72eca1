"""Whole-configuration validation: every error, each with its path."""

from __future__ import annotations

import ipaddress
from collections.abc import Iterator

from state import (
    certs,
    messages,
    names,
    ranges,
    users,
    validate_dns,
    validate_hat,
    validate_logs,
    validate_outbound,
    validate_ssl,
)
from state.errors import CertError, ConfigError
from state.model import Config, Listener, SmtpTimeouts
from state.names import is_hostname
from state.secrets import Secrets


def validate(config: Config, secrets: Secrets, *,
             interfaces_optional: bool = False) -> list[ConfigError]:
    """Every error of `config`. With `interfaces_optional` (a cluster machine's merged
    configuration) a listener may name an interface the machine lacks: it runs disabled."""
    return list(_all(config, secrets, interfaces_optional))


def _all(config: Config, secrets: Secrets, interfaces_optional: bool) -> Iterator[ConfigError]:
    if not is_hostname(config.hostname):
        yield ConfigError("hostname", messages.INVALID_HOSTNAME_REPR(name=config.hostname))
    yield from names.problems("interfaces", [i.name for i in config.interfaces])
    for iface in config.interfaces:
        try:
            ipaddress.ip_address(iface.ip)
        except ValueError:
            yield ConfigError(f"interfaces[{iface.name}].ip", messages.INVALID_IP_REPR(ip=iface.ip))
    yield from names.problems("listeners", [li.name for li in config.listeners])
    yield from _bindings(config)
    for listener in config.listeners:
        yield from _listener(config, listener, interfaces_optional)
    yield from _certificates(config, secrets)
    yield from _destinations(config)
    yield from validate_outbound.outbound(config)
    yield from validate_dns.dns(config)
    yield from validate_ssl.ssl_settings(config)
    for field, allowed in ranges.DELIVERY_FIELDS.items():
        if getattr(config.delivery, field) not in allowed:
            yield ConfigError(f"delivery.{field}", allowed.refusal())
    yield from _smtp_timeouts(config.listener_setup.timeouts)
    yield from _smtp_workers(config.listener_setup.smtp_workers)
    yield from _reporting(config)
    yield from validate_logs.logs(config)
    yield from users.problems(config)


def _bindings(config: Config) -> Iterator[ConfigError]:
    seen: dict[tuple[str, int], str] = {}
    for listener in config.listeners:
        key = (listener.interface, listener.port)
        if key in seen:
            yield ConfigError(
                f"listeners[{listener.name}].port",
                messages.PORT_TAKEN(other=seen[key], interface=key[0], port=key[1]),
            )
        seen.setdefault(key, listener.name)


def _listener(config: Config, li: Listener, interfaces_optional: bool) -> Iterator[ConfigError]:
    path = f"listeners[{li.name}]"
    known = any(i.name == li.interface for i in config.interfaces)
    if not known and not interfaces_optional:
        yield ConfigError(f"{path}.interface", messages.UNKNOWN_INTERFACE(name=li.interface))
    for field, allowed in ranges.LISTENER_FIELDS.items():
        if getattr(li, field) not in allowed:
            yield ConfigError(f"{path}.{field}", allowed.refusal())
    names = {c.name for c in config.certificates}
    if li.certificate is not None and li.certificate not in names:
        yield ConfigError(f"{path}.certificate", messages.UNKNOWN_CERTIFICATE(name=li.certificate))
    yield from validate_hat.listener(path, li)


def _smtp_workers(workers: int) -> Iterator[ConfigError]:
    if workers not in ranges.SMTP_WORKERS:
        yield ConfigError("listener_setup.smtp_workers", ranges.SMTP_WORKERS.refusal())


def _smtp_timeouts(timeouts: SmtpTimeouts) -> Iterator[ConfigError]:
    for field in SmtpTimeouts.__struct_fields__:
        value = getattr(timeouts, field)
        if value not in ranges.SMTP_TIMEOUT:
            yield ConfigError(f"listener_setup.timeouts.{field}", ranges.SMTP_TIMEOUT.refusal())


def _certificates(config: Config, secrets: Secrets) -> Iterator[ConfigError]:
    yield from names.problems("certificates", [c.name for c in config.certificates])
    for cert in config.certificates:
        path = f"certificates[{cert.name}]"
        try:
            leaf = certs.parse_certificate(cert.chain[0]) if cert.chain else None
            for pem in cert.chain[1:]:
                certs.parse_certificate(pem)
        except CertError as exc:
            yield ConfigError(f"{path}.chain", messages.INVALID_CERTIFICATE(reason=exc))
            continue
        if leaf is None:
            yield ConfigError(f"{path}.chain", messages.PROFILE_EMPTY())
        elif not secrets.has_key(cert.key_id):
            yield ConfigError(f"{path}.key_id", messages.PRIVATE_KEY_MISSING())
        elif not certs.key_matches(leaf, secrets.load_key(cert.key_id)):
            yield ConfigError(f"{path}.key_id", messages.KEY_DOES_NOT_SIGN())


def _destinations(config: Config) -> Iterator[ConfigError]:
    dest = config.destinations
    if dest.default.tls is None:
        yield ConfigError("destinations.default.tls", messages.DEFAULT_SETS_TLS())
    name = dest.client_certificate
    if name is not None and not any(c.name == name for c in config.certificates):
        yield ConfigError("destinations.client_certificate",
                          messages.UNKNOWN_CERTIFICATE(name=name))


def _reporting(config: Config) -> Iterator[ConfigError]:
    """The TLS statistics' retention and the web console's address and certificate."""
    if config.reporting.tls_stats_days not in ranges.TLS_STATS_DAYS:
        yield ConfigError("reporting.tls_stats_days", ranges.TLS_STATS_DAYS.refusal())
    web = config.web
    try:
        ipaddress.ip_address(web.ip)
    except ValueError:
        yield ConfigError("web.ip", messages.INVALID_IP_REPR(ip=web.ip))
    if web.port not in ranges.WEB_PORT:
        yield ConfigError("web.port", ranges.WEB_PORT.refusal())
    name = web.certificate
    if name is not None and not any(c.name == name for c in config.certificates):
        yield ConfigError("web.certificate", messages.UNKNOWN_CERTIFICATE(name=name))
