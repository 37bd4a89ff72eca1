"""Validation of the outbound settings: destination controls, SMTP routes, alert recipients.

The syntax helpers here are shared by the import formats and the shell dialogs, so a
value a dialog accepts is exactly a value the commit accepts. `outbound()` is called
from `state.validate` and yields every error with its configuration path.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Iterator

from state import messages, names, ranges
from state.controls import has_control
from state.errors import ConfigError
from state.messages import Message
from state.model import (
    AlertRecipient,
    Config,
    DaneMode,
    DestinationEntry,
    Route,
    RouteHost,
    TlsRptSettings,
)

_EMAIL = re.compile(r"^[^@\s\"<>,;]+@[^@\s\"<>,;]+$")

USEDNS = "USEDNS"
DEVNULL = "/dev/null"
DEFAULT_ROUTE = "ALL"
MAX_ROUTE_HOSTS = 100
MAX_ROUTES = 40000
IP_SORTS = ("PREFER_V4", "PREFER_V6", "REQUIRE_V4", "REQUIRE_V6")
ALERT_CLASSES = (
    "All", "Anti-Spam", "Anti-Virus", "Directory Harvest Attack Prevention", "Hardware",
    "Updater", "Outbreak Filters", "System", "Clustering",
)
ALERT_SEVERITIES = ("All", "Critical", "Warning", "Information")
MAX_ORGANIZATION = 100


def normalise_domain(value: str) -> str:
    """Keys are stored lower case without a trailing dot (the TLS policy reference:
    domain lookup)."""
    return value.strip().lower().rstrip(".")


def domain_keys(domain: str) -> list[str]:
    """The table keys that may apply to `domain`, best first: the domain itself, then
    `.parent` entries from the nearest parent up (destconfig and smtproutes lookups)."""
    wanted = normalise_domain(domain)
    labels = wanted.split(".")
    return [wanted] + ["." + ".".join(labels[i:]) for i in range(1, len(labels))]


def is_ip(value: str) -> bool:
    try:
        ipaddress.ip_address(value.strip("[]"))
    except ValueError:
        return False
    return True


def is_host(value: str) -> bool:
    """A host name or an IP address (IPv6 may be bracketed)."""
    return is_ip(value) or _is_name(value)


def report_domain(text: str) -> str | None:
    """A domain of the TLS statistics as they key it (a client without a domain as the
    `[ip]` typed), or None if it is none: tlsreport, tlsreadiness, the web console."""
    if text.startswith("[") and text.endswith("]"):
        return text
    domain = normalise_domain(text)
    return domain if is_host(domain) else None


def is_domain_key(value: str) -> bool:
    """A destconfig / smtproutes key: `example.com`, `.example.com` (subdomains) or an IP."""
    if is_ip(value):
        return True
    return _is_name(value.removeprefix("."))


def _is_name(value: str) -> bool:
    # One label is allowed ("localhost", a bare intranet name); names.is_host's labels
    # (RFC 1123 with "_"), without its final dot: keys are stored without one; digits
    # and dots alone are an address or nothing ("999.999.1.1")
    return names.is_host(value) and not value.endswith(".")


def is_email(value: str) -> bool:
    return bool(_EMAIL.match(value)) and not has_control(value)


def outbound(config: Config) -> Iterator[ConfigError]:
    dest = config.destinations
    yield from _entry("destinations.default", dest.default, is_default=True)
    yield from _unique_keys("destinations.entries", [e.domain for e in dest.entries])
    for entry in dest.entries:
        yield from _entry(f"destinations.entries[{entry.domain}]", entry, is_default=False)
    if len(config.routes) > MAX_ROUTES:
        yield ConfigError("routes", messages.ROUTE_LIMIT(count=MAX_ROUTES))
    yield from _unique_keys("routes", [r.domain for r in config.routes], allow_all=True)

    for route in config.routes:
        yield from _route(route)
    yield from _alerts(config.alerts.recipients)
    sender = config.alerts.from_address
    if sender and not is_email(sender):
        yield ConfigError("alerts.from_address", messages.INVALID_EMAIL(address=sender))
    yield from _tlsrpt(config.tlsrpt)


def _unique_keys(path: str, keys: list[str], allow_all: bool = False) -> Iterator[ConfigError]:
    seen: set[str] = set()
    for key in keys:
        where = f"{path}[{key}]"
        if key in seen:
            yield ConfigError(where, messages.DOMAIN_USED_TWICE(domain=key))
        seen.add(key)
        if allow_all and key == DEFAULT_ROUTE:
            continue
        if not is_domain_key(key):
            yield ConfigError(where, messages.INVALID_DOMAIN(domain=key))
        elif key != normalise_domain(key):
            yield ConfigError(where, messages.DOMAIN_NOT_NORMAL(domain=key))


def _entry(path: str, entry: DestinationEntry, is_default: bool) -> Iterator[ConfigError]:
    for field, allowed in ranges.DESTINATION_FIELDS.items():
        value = getattr(entry, field)
        if value is not None and value not in allowed:
            yield ConfigError(f"{path}.{field}", allowed.refusal())
    if (entry.recipient_limit is None) != (entry.recipient_minutes is None):
        yield ConfigError(f"{path}.recipient_limit", messages.RECIPIENT_LIMIT_PAIR())
    if entry.ip_sort is not None and entry.ip_sort not in IP_SORTS:
        yield ConfigError(f"{path}.ip_sort", messages.UNKNOWN_IP_SORT(value=entry.ip_sort))
    if entry.dane is not None and (refused := dane_refusal(entry.dane, is_default)):
        yield ConfigError(f"{path}.dane", refused)
    if is_default:
        for field in ("max_concurrency", "max_msgs_per_connection"):  # tls: validate.py
            if getattr(entry, field) is None:
                yield ConfigError(f"{path}.{field}", messages.DEFAULT_MUST_SET())


DANE_CHOICES = (DaneMode.NO, DaneMode.OPPORTUNISTIC, DaneMode.MANDATORY)
DEFAULT_DANE_CHOICES = (DaneMode.NO, DaneMode.OPPORTUNISTIC)


def dane_choices(is_default: bool) -> tuple[DaneMode, ...]:
    """The DANE support an entry may have. The DEFAULT row may use DANE opportunistically
    but never make it mandatory: mail to every domain whose zone is unsigned would stop."""
    return DEFAULT_DANE_CHOICES if is_default else DANE_CHOICES


def dane_refusal(mode: DaneMode, is_default: bool) -> Message | None:
    """Why `mode` cannot be this row's DANE support, or None."""
    return None if mode in dane_choices(is_default) else messages.DANE_MANDATORY_DEFAULT()


def _route(route: Route) -> Iterator[ConfigError]:
    path = f"routes[{route.domain}].hosts"
    if not route.hosts:
        yield ConfigError(path, messages.ROUTE_NEEDS_HOST())
    if len(route.hosts) > MAX_ROUTE_HOSTS:
        yield ConfigError(path, messages.ROUTE_HOST_LIMIT(count=MAX_ROUTE_HOSTS))
    special = [h.host for h in route.hosts if h.host in (USEDNS, DEVNULL)]
    if special and len(route.hosts) > 1:
        yield ConfigError(path, messages.ROUTE_HOST_ALONE(host=special[0]))
    for host in route.hosts:
        message = route_host_error(host)
        if message is not None:
            yield ConfigError(path, message)


def route_host_error(host: RouteHost) -> Message | None:
    """Why a route destination is unusable, or None."""
    if host.host in (USEDNS, DEVNULL):
        return None if host.port is None else messages.ROUTE_HOST_NO_PORT(host=host.host)
    if not is_host(host.host):
        return messages.INVALID_HOSTNAME(name=host.host)
    if host.port is not None and host.port not in ranges.PORT:
        return ranges.PORT.refusal()
    if host.priority not in ranges.ROUTE_PRIORITY:
        return ranges.ROUTE_PRIORITY.refusal()
    return None


def _alerts(recipients: tuple[AlertRecipient, ...]) -> Iterator[ConfigError]:
    seen: set[str] = set()
    for rcpt in recipients:
        path = f"alerts.recipients[{rcpt.address}]"
        if rcpt.address.lower() in seen:
            yield ConfigError(path, messages.ADDRESS_USED_TWICE(address=rcpt.address))
        seen.add(rcpt.address.lower())
        if not is_email(rcpt.address):
            yield ConfigError(path, messages.INVALID_EMAIL(address=rcpt.address))
        for field, known in (("classes", ALERT_CLASSES), ("severities", ALERT_SEVERITIES)):
            values = getattr(rcpt, field)
            if not values:
                yield ConfigError(f"{path}.{field}", messages.CHOOSE_AT_LEAST_ONE())
            for value in values:
                if value not in known:
                    yield ConfigError(f"{path}.{field}", messages.UNKNOWN_VALUE(value=value))


def tlsrpt_organization_error(value: str) -> Message | None:
    """Why an organisation name cannot go into a TLS report (RFC 8460 organization-name)."""
    if not value.strip():
        return messages.ORGANIZATION_EMPTY()
    if has_control(value) or len(value) > MAX_ORGANIZATION:
        return messages.ORGANIZATION_FORM(limit=MAX_ORGANIZATION)
    return None


def _tlsrpt(settings: TlsRptSettings) -> Iterator[ConfigError]:
    # Empty values are fine while reporting is off; what is set must be usable.
    if settings.enabled or settings.organization:
        message = tlsrpt_organization_error(settings.organization)
        if message:
            yield ConfigError("tlsrpt.organization", message)
    for field in ("contact", "sender"):
        value = getattr(settings, field)
        if settings.enabled and not value:
            yield ConfigError(f"tlsrpt.{field}", messages.TLSRPT_NEEDS_ADDRESS())
        elif value and not is_email(value):
            yield ConfigError(f"tlsrpt.{field}", messages.INVALID_EMAIL(address=value))
