"""destconfig's screens (§6.6): the entry count, LIST and DETAIL."""

from __future__ import annotations

from esacli import texts
from state.model import DestinationControls, DestinationEntry


def dest_count(dest: DestinationControls) -> str:
    return texts.dest.DEST_COUNT.format(count=len(dest.entries))


def _on_off(value: bool | None, default: str = texts.dest.DEST_VALUE_DEFAULT) -> str:
    if value is None:
        return default
    return texts.dest.DEST_ON if value else texts.dest.DEST_OFF


def _sort(value: str | None, default: str = texts.dest.DEST_VALUE_DEFAULT) -> str:
    return default if value is None else texts.dest.DEST_SORTS.get(value, value)


def _row(entry: DestinationEntry, is_default: bool) -> list[str]:
    limited = entry.max_concurrency is not None or entry.recipient_limit is not None
    tls = (texts.dest.DEST_VALUE_DEFAULT if entry.tls is None
           else texts.dest.DEST_TLS_SHORT[entry.tls.value])
    if is_default:
        return [texts.dest.DEST_DEFAULT_ROW, texts.dest.DEST_ON, tls,
                _on_off(entry.bounce_verification, texts.dest.DEST_OFF),
                texts.dest.DEST_DEFAULT_ROW,
                _sort(entry.ip_sort, texts.dest.DEST_SORTS["PREFER_V4"])]
    return [entry.domain, texts.dest.DEST_ON if limited else texts.dest.DEST_VALUE_DEFAULT, tls,
            _on_off(entry.bounce_verification), texts.dest.DEST_VALUE_DEFAULT, _sort(entry.ip_sort)]


def dest_list(dest: DestinationControls) -> str:
    """§6.6 LIST: column widths follow the widest cell."""
    rows = [_row(e, False) for e in dest.entries] + [_row(dest.default, True)]
    heads = texts.dest.DEST_LIST_COLUMNS
    widths = [max(len(x) for x in (*heads[i], *(r[i] for r in rows))) for i in range(len(heads))]
    table = [[h[0] for h in heads], [h[1] for h in heads], ["=" * w for w in widths], *rows]
    return "\n".join("  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)).rstrip()
                     for r in table)


def dest_detail(entry: DestinationEntry, default: DestinationEntry) -> str:
    """§6.6 DETAIL block for one entry (or the default, when `entry is default`)."""
    is_default = entry is default
    fallback = texts.dest.DEST_VALUE_DEFAULT

    def number(value: int | None) -> str:
        return fallback if value is None else str(value)

    rcpt = fallback if not is_default else texts.dest.DEST_OFF
    if entry.recipient_limit is not None:
        rcpt = texts.dest.DEST_RCPT_VALUE.format(limit=entry.recipient_limit,
                                            minutes=entry.recipient_minutes)
    tls = fallback if entry.tls is None else texts.dest.DEST_TLS_DETAIL[entry.tls.value]
    return texts.dest.DEST_DETAIL.format(
        domain=texts.dest.DEST_DEFAULT_ROW if is_default else entry.domain,
        msgs=number(entry.max_msgs_per_connection),
        concurrency=number(entry.max_concurrency),
        rcpt=rcpt,
        limit_type=texts.dest.DEST_LIMIT_TYPE_SHORT[entry.limit_per_mx_ip],
        limit_apply=texts.dest.DEST_LIMIT_APPLY_SHORT[entry.limit_per_virtual_gateway],
        tls=tls,
        bounce=_on_off(entry.bounce_verification, texts.dest.DEST_OFF if is_default else fallback),
        profile=fallback,
        sort=_sort(entry.ip_sort, texts.dest.DEST_SORTS["PREFER_V4"] if is_default else fallback),
    )
