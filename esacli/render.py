"""Turn model records and state errors into the appliance's text. Pure functions.

This is the one place where CLI error texts (validation errors, merge conflicts,
internal faults) are rendered.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Sequence

from esacli import texts
from state import authorities, cert_usage, certs, formats
from state.defaults import DEMO_CERT
from state.errors import CertError, ConfigError, Conflict, FormatError
from state.model import (
    HAT,
    Certificate,
    Config,
    CustomCA,
    Interface,
    Listener,
    PolicyParams,
    TLSMode,
)

KB = 1024
MB = 1024 * 1024


def date(timestamp: float) -> str:
    """ctime style with a zero-padded day, as in `Changes committed: Mon Jan 01 12:00:01 2007`."""
    return time.strftime("%a %b %d %H:%M:%S %Y", time.localtime(timestamp))


def size(value: int) -> str:
    """Bytes as the appliance shows them: 10M, 500k or plain bytes."""
    if value and value % MB == 0:
        return f"{value // MB}M"
    if value and value % KB == 0:
        return f"{value // KB}k"
    return str(value)


def plural(count: int, forms: tuple[str, str]) -> str:
    """`forms` is (one, several), each with `{n}`: "1 certificate", "0 certificates"."""
    return forms[0 if count == 1 else 1].format(n=count)


def tls_label(mode: TLSMode | None) -> str:
    return texts.TLS_LABELS[(mode or TLSMode.NO).value]


def certificate_name(listener: Listener) -> str:
    """A listener with no certificate chosen serves the demo certificate."""
    return listener.certificate or DEMO_CERT


def interface_of(config: Config, name: str) -> Interface:
    for iface in config.interfaces:
        if iface.name == name:
            return iface
    return Interface(name=name, ip="?")  # invalid configs still render


def interface_line(iface: Interface) -> str:
    return texts.INTERFACE_LINE.format(name=iface.name, ip=iface.ip, hostname=iface.hostname)


def listener_list(config: Config) -> str:
    if not config.listeners:
        return texts.NO_LISTENERS
    lines = [texts.LISTENERS_HEADER]
    for n, li in enumerate(config.listeners, 1):
        lines.append(
            texts.LISTENER_LINE.format(
                n=n, name=li.name, interface=li.interface,
                ip=interface_of(config, li.interface).ip, protocol=li.protocol,
                port=li.port, type=li.type.value,
            )
        )
    return "\n".join(lines)


def listener_summary(config: Config, li: Listener) -> str:
    return texts.LISTENER_SUMMARY.format(
        name=li.name, type=li.type.value, interface=li.interface,
        ip=interface_of(config, li.interface).ip, port=li.port, protocol=li.protocol,
        max_connections=li.max_connections, tcp_queue=li.tcp_queue,
        tls=tls_label(li.hat.default.tls), certificate=certificate_name(li),
    )


def _param_value(field: str, value: object) -> str:
    if field == "max_message_size" and isinstance(value, int):
        return size(value)
    if field == "tls":
        return tls_label(value if isinstance(value, TLSMode) else None)
    if field == "max_rcpts_per_hour" and (value is None or value == -1):
        return texts.RATE_DISABLED
    return str(value)


def policy_block(hat: HAT) -> str:
    """The §4.1 header, limited to the parameters this product has."""
    lines = [texts.POLICY_BLOCK_TITLE]
    for field, label in texts.POLICY_LINES:
        lines.append(label.format(_param_value(field, getattr(hat.default, field))))
    counts = texts.POLICY_COUNTS.format(policies=len(hat.policies), groups=len(hat.groups))
    return "\n".join(lines) + "\n\n" + counts


def hat_text(hat: HAT) -> str:
    """The HAT in the §4.6 text format (PRINT / EXPORT); the format lives in state.formats."""
    return formats.hat_text(hat)


def certificate_table(certificates: Sequence[Certificate], now: dt.datetime) -> str:
    rows = [list(texts.CERT_COLUMNS)]
    for cert in certificates:
        rows.append(_certificate_row(cert, now))
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    rows.insert(1, ["-" * w for w in widths])
    body = ["  ".join(c.ljust(w) for c, w in zip(row, widths)).rstrip() for row in rows]
    return "\n".join([texts.CERT_LIST_TITLE, *body])


def _certificate_row(cert: Certificate, now: dt.datetime) -> list[str]:
    try:
        info = certs.describe(certs.parse_certificate(cert.chain[0]))
    except (CertError, IndexError):
        return [cert.name, "?", "?", "Invalid", ""]
    days = texts.CERT_REMAINING.format(days=info.remaining_days(now))
    return [cert.name, info.common_name, info.issuer, info.status(now), days]


def config_errors(errors: Sequence[ConfigError]) -> str:
    lines = [texts.COMMIT_ERRORS] + [f"{e.path}: {e.message}" for e in errors]
    return "\n".join(lines + [texts.NOTHING_COMMITTED])


def conflicts(items: Sequence[Conflict]) -> str:
    lines = [texts.COMMIT_CONFLICTS]
    for c in items:
        lines.append(c.path)
        lines.append(texts.CONFLICT_SIDES.format(base=c.base, theirs=c.theirs, mine=c.mine))
    return "\n".join(lines + [texts.NOTHING_COMMITTED])


def internal_error(exc: BaseException) -> str:
    # Only the exception's type: its message could carry configuration or key material.
    return texts.INTERNAL_ERROR.format(kind=type(exc).__name__)


def policy_params_defaults(params: PolicyParams) -> dict[str, str]:
    """The current default-policy values as the §4.4 dialog shows them in `[...]`."""
    return {k: _param_value(k, getattr(params, k)) for k, _ in texts.POLICY_LINES}


def format_error(exc: FormatError) -> str:
    """A rejected import file: where and why, then that nothing was changed."""
    where = texts.FILE_LINE_ERROR.format(line=exc.line, message=exc.message)
    return f"{where}\n{texts.IMPORT_FAILED}"


# -- certconfig (issue 4): services using profiles, custom CAs -----------------------
def columns(rows: Sequence[Sequence[str]]) -> str:
    """A plain table: the first row is the header, underlined with dashes."""
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    lines = [list(rows[0]), ["-" * w for w in widths], *[list(r) for r in rows[1:]]]
    return "\n".join("  ".join(c.ljust(w) for c, w in zip(r, widths)).rstrip() for r in lines)


def service_label(use: cert_usage.Use) -> str:
    if use.service is cert_usage.Service.LISTENER:
        return texts.SERVICE_LISTENER.format(name=use.name)
    return texts.SERVICE_OUTBOUND


def user_label(use: cert_usage.Use) -> str:
    if use.service is cert_usage.Service.LISTENER:
        return texts.USER_LISTENER.format(name=use.name)
    return texts.USER_OUTBOUND


def certificate_uses(config: Config) -> str:
    rows = [list(texts.CERT_PRINT_COLUMNS)]
    for use in cert_usage.uses(config):
        rows.append([service_label(use), use.certificate])
    return columns(rows)


def authority_table(cas: Sequence[CustomCA]) -> str:
    if not cas:
        return texts.CA_NONE
    rows = [list(texts.CA_PRINT_COLUMNS)]
    for ca in cas:
        try:
            info = authorities.describe(ca.pem)
        except CertError:
            rows.append([ca.name, "?", "?"])
            continue
        rows.append([ca.name, info.not_after, info.fingerprint])
    return columns(rows)
