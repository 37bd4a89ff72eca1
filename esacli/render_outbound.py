"""Rendering of the outbound settings: destconfig LIST / DETAIL, smtproutes PRINT and the
alertconfig status. Pure functions from model records to the appliance's text."""

from __future__ import annotations

from collections.abc import Sequence

from esacli import texts
from state import formats_routes
from state.model import Alerts, DestinationControls, DestinationEntry, Route


def dest_count(dest: DestinationControls) -> str:
    return texts.DEST_COUNT.format(count=len(dest.entries))


def _on_off(value: bool | None, default: str = texts.DEST_VALUE_DEFAULT) -> str:
    if value is None:
        return default
    return texts.DEST_ON if value else texts.DEST_OFF


def _sort(value: str | None, default: str = texts.DEST_VALUE_DEFAULT) -> str:
    return default if value is None else texts.DEST_SORTS.get(value, value)


def _row(entry: DestinationEntry, is_default: bool) -> list[str]:
    limited = entry.max_concurrency is not None or entry.recipient_limit is not None
    tls = texts.DEST_VALUE_DEFAULT if entry.tls is None else texts.DEST_TLS_SHORT[entry.tls.value]
    if is_default:
        return [texts.DEST_DEFAULT_ROW, texts.DEST_ON, tls,
                _on_off(entry.bounce_verification, texts.DEST_OFF), texts.DEST_DEFAULT_ROW,
                _sort(entry.ip_sort, texts.DEST_SORTS["PREFER_V4"])]
    return [entry.domain, texts.DEST_ON if limited else texts.DEST_VALUE_DEFAULT, tls,
            _on_off(entry.bounce_verification), texts.DEST_VALUE_DEFAULT, _sort(entry.ip_sort)]


def dest_list(dest: DestinationControls) -> str:
    """§6.6 LIST: column widths follow the widest cell."""
    rows = [_row(e, False) for e in dest.entries] + [_row(dest.default, True)]
    heads = texts.DEST_LIST_COLUMNS
    widths = [max(len(x) for x in (*heads[i], *(r[i] for r in rows))) for i in range(len(heads))]
    table = [[h[0] for h in heads], [h[1] for h in heads], ["=" * w for w in widths], *rows]
    return "\n".join("  ".join(c.ljust(w) for c, w in zip(r, widths)).rstrip() for r in table)


def dest_detail(entry: DestinationEntry, default: DestinationEntry) -> str:
    """§6.6 DETAIL block for one entry (or the default, when `entry is default`)."""
    is_default = entry is default
    fallback = texts.DEST_VALUE_DEFAULT

    def number(value: int | None) -> str:
        return fallback if value is None else str(value)

    rcpt = fallback if not is_default else texts.DEST_OFF
    if entry.recipient_limit is not None:
        rcpt = texts.DEST_RCPT_VALUE.format(limit=entry.recipient_limit,
                                            minutes=entry.recipient_minutes)
    if entry.tls is None:
        tls = fallback
    else:
        tls = texts.DEST_TLS_DETAIL[entry.tls.value]
    return texts.DEST_DETAIL.format(
        domain=texts.DEST_DEFAULT_ROW if is_default else entry.domain,
        msgs=number(entry.max_msgs_per_connection),
        concurrency=number(entry.max_concurrency),
        rcpt=rcpt,
        limit_type=texts.DEST_LIMIT_TYPE_SHORT[entry.limit_per_mx_ip],
        limit_apply=texts.DEST_LIMIT_APPLY_SHORT[entry.limit_per_virtual_gateway],
        tls=tls,
        bounce=_on_off(entry.bounce_verification, texts.DEST_OFF if is_default else fallback),
        profile=fallback,
        sort=_sort(entry.ip_sort, texts.DEST_SORTS["PREFER_V4"] if is_default else fallback),
    )


def routes_status(routes: Sequence[Route]) -> str:
    if not routes:
        return texts.ROUTES_NONE
    return texts.ROUTES_COUNT.format(count=len(routes))


def routes_print(routes: tuple[Route, ...]) -> str:
    """§8.2 PRINT: the domain column as wide as the longest domain."""
    lines = formats_routes.dump(routes).splitlines()
    pairs = [line.split(" ", 1) for line in lines]
    width = max((len(domain) for domain, _ in pairs), default=0)
    body = [f"{domain.ljust(width)}  {hosts}" for domain, hosts in pairs]
    return "\n".join([texts.ROUTES_PRINT_TITLE, *body])


def alerts_status(alerts: Alerts, hostname: str) -> str:
    if not alerts.recipients:
        lines = [texts.ALERTS_NONE]
    else:
        lines = [texts.ALERTS_TO]
        for rcpt in alerts.recipients:
            lines.append(texts.ALERT_RECIPIENT.format(
                address=rcpt.address, classes=", ".join(rcpt.classes),
                severities=", ".join(rcpt.severities)))
    sender = alerts.from_address or texts.ALERT_FROM_DEFAULT.format(hostname=hostname)
    return "\n".join(lines) + "\n\n" + texts.ALERT_FROM_LINE.format(address=sender)
