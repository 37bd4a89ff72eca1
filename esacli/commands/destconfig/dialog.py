"""The destconfig question sequences: NEW / EDIT (§6.2) and DEFAULT (§6.3).

Every dialog only returns a record; the caller stages it once the dialog is complete,
so Ctrl-C half-way leaves the candidate untouched.
"""

from __future__ import annotations

from collections.abc import Sequence

from esacli import texts
from esacli.commands import value_questions
from esacli.commands.destconfig import dns_policy
from esacli.console import Console
from state import model, ranges
from state.cert_usage import is_demo
from state.edit import destinations
from state.model import DestinationEntry, TLSMode

TLS_MODES = list(TLSMode)  # in the order of texts.hat.TLS_LABELS
SORTS = list(texts.dest.DEST_SORTS)


async def _choose_tls(console: Console, current: TLSMode | None) -> TLSMode:
    labels = list(texts.hat.TLS_LABELS.values())
    default = TLS_MODES.index(current or TLSMode.NO) + 1
    index = await console.choose(texts.dest.DEST_TLS, labels, default, labels)
    return TLS_MODES[default - 1 if index is None else index]


async def _demo_accepted(console: Console, mode: TLSMode, client_certificate: str | None) -> bool:
    """TLS with the demo certificate as the client certificate is confirmed first."""
    if mode is TLSMode.NO or not is_demo(client_certificate):
        return True
    return await console.confirm(texts.dest.DEST_DEMO_QUESTION, False)


async def ask_tls(console: Console, current: TLSMode | None,
                  client_certificate: str | None) -> TLSMode:
    """§6.2 item 8; declining the demo certificate asks the TLS question again, the level
    chosen as its default (Enter keeps it, never falls back to No)."""
    while True:
        mode = await _choose_tls(console, current)
        if await _demo_accepted(console, mode, client_certificate):
            return mode
        current = mode


async def _default_tls(console: Console, current: DestinationEntry,
                       client_certificate: str | None) -> tuple[TLSMode, DestinationEntry]:
    """§6.3: TLS, then DANE support, then the demo-certificate warning (declined: both
    asked again)."""
    while True:
        mode = await _choose_tls(console, current.tls)
        row = await dns_policy.default_dane(console, current)
        if await _demo_accepted(console, mode, client_certificate):
            return mode, row
        current = model.replace(row, tls=mode)  # asked again with what was chosen


async def _choose_flag(console: Console, question: str, options: Sequence[str],
                       current: bool) -> bool:
    """A two-item list whose second item means True."""
    index = await console.choose(question, options, 2 if current else 1, options)
    return current if index is None else index == 1


async def _choose_sort(console: Console, current: str | None) -> str:
    labels = list(texts.dest.DEST_SORTS.values())
    default = SORTS.index(current) + 1 if current in SORTS else 1
    index = await console.choose(texts.dest.DEST_SORT, labels, default, labels)
    return SORTS[default - 1 if index is None else index]


async def _limit_scope(console: Console, entry: DestinationEntry, label: str) -> DestinationEntry:
    """§6.2 items 5-6: how the limits apply and where they are enforced."""
    types = [t.format(domain=label) for t in texts.dest.DEST_LIMIT_TYPES]
    question = texts.dest.DEST_LIMIT_TYPE.format(domain=label)
    per_mx = await _choose_flag(console, question, types, entry.limit_per_mx_ip)
    per_vg = await _choose_flag(console, texts.dest.DEST_LIMIT_APPLY, texts.dest.DEST_LIMIT_APPLIES,
                                entry.limit_per_virtual_gateway)
    return model.replace(entry, limit_per_mx_ip=per_mx, limit_per_virtual_gateway=per_vg)


async def _limits(console: Console, entry: DestinationEntry, default: DestinationEntry,
                  new: bool) -> DestinationEntry:
    """§6.2 items 2-6 for one domain."""
    d = entry.domain
    conc = msgs = rcpt = minutes = None
    if await console.confirm(texts.dest.DEST_ASK_CONCURRENCY.format(domain=d),
                             new or entry.max_concurrency is not None):
        conc = await value_questions.ask_int(console, texts.dest.DEST_CONCURRENCY.format(domain=d),
                                  entry.max_concurrency or default.max_concurrency,
                                  ranges.DEST_CONCURRENCY)
    if await console.confirm(texts.dest.DEST_ASK_MSGS, entry.max_msgs_per_connection is not None):
        msgs = await value_questions.ask_int(console, texts.dest.DEST_MSGS.format(domain=d),
                                  entry.max_msgs_per_connection or default.max_msgs_per_connection,
                                  ranges.DEST_MSGS_PER_CONNECTION)
    if await console.confirm(texts.dest.DEST_ASK_RCPT, entry.recipient_limit is not None):
        minutes = await value_questions.ask_int(console, texts.dest.DEST_RCPT_MINUTES,
                                     entry.recipient_minutes or 60, ranges.DEST_RECIPIENT_MINUTES)
        question = texts.dest.DEST_RCPT_LIMIT.format(minutes=minutes, domain=d)
        rcpt = await value_questions.ask_int(console, question,
                                  entry.recipient_limit, ranges.DEST_RECIPIENT_LIMIT)
    entry = destinations.with_limits(entry, max_concurrency=conc, max_msgs_per_connection=msgs,
                                     recipient_limit=rcpt, recipient_minutes=minutes)
    if not destinations.needs_scope(entry):
        return entry
    return await _limit_scope(console, entry, d)


async def entry_dialog(console: Console, entry: DestinationEntry, default: DestinationEntry,
                       client_certificate: str | None, new: bool) -> DestinationEntry:
    """NEW (`new`) or EDIT of one domain: the current values are the defaults."""
    entry = await _limits(console, entry, default, new)
    tls = bounce = sort = None
    if await console.confirm(texts.dest.DEST_ASK_TLS, entry.tls is not None):
        tls = await ask_tls(console, entry.tls, client_certificate)
    entry = await dns_policy.entry_questions(console, entry)
    if await console.confirm(texts.dest.DEST_ASK_BOUNCE, entry.bounce_verification is not None):
        bounce = await console.confirm(texts.dest.DEST_BOUNCE, bool(entry.bounce_verification))
    if await console.confirm(texts.dest.DEST_ASK_SORT, entry.ip_sort is not None):
        sort = await _choose_sort(console, entry.ip_sort)
    return model.replace(entry, tls=tls, bounce_verification=bounce, ip_sort=sort)


async def default_dialog(console: Console, current: DestinationEntry,
                         client_certificate: str | None) -> DestinationEntry:
    """§6.3: the DEFAULT row; every value is set (there is no "Default" to inherit)."""
    conc = await value_questions.ask_int(console, texts.dest.DEST_DEFAULT_CONCURRENCY,
                              current.max_concurrency or 500, ranges.DEST_CONCURRENCY)
    rcpt = minutes = None
    if await console.confirm(texts.dest.DEST_DEFAULT_ASK_RCPT, current.recipient_limit is not None):
        minutes = await value_questions.ask_int(console, texts.dest.DEST_DEFAULT_RCPT_MINUTES,
                                     current.recipient_minutes or 60, ranges.DEST_RECIPIENT_MINUTES)
        question = texts.dest.DEST_DEFAULT_RCPT_LIMIT.format(minutes=minutes)
        rcpt = await value_questions.ask_int(console, question,
                                  current.recipient_limit, ranges.DEST_RECIPIENT_LIMIT)
    types = [t.format(domain=texts.dest.DEST_DEFAULT_ROW) for t in texts.dest.DEST_LIMIT_TYPES]
    per_mx = await _choose_flag(console, texts.dest.DEST_DEFAULT_LIMIT_TYPE, types,
                                current.limit_per_mx_ip)
    per_vg = await _choose_flag(console, texts.dest.DEST_LIMIT_APPLY, texts.dest.DEST_LIMIT_APPLIES,
                                current.limit_per_virtual_gateway)
    msgs = await value_questions.ask_int(console, texts.dest.DEST_DEFAULT_MSGS,
                              current.max_msgs_per_connection or 50,
                              ranges.DEST_MSGS_PER_CONNECTION)
    tls, current = await _default_tls(console, current, client_certificate)
    current = await dns_policy.default_questions(console, current)
    bounce = await console.confirm(texts.dest.DEST_BOUNCE, bool(current.bounce_verification))
    sort = await _choose_sort(console, current.ip_sort)
    return model.replace(
        current, max_concurrency=conc, recipient_limit=rcpt, recipient_minutes=minutes,
        limit_per_mx_ip=per_mx, limit_per_virtual_gateway=per_vg, max_msgs_per_connection=msgs,
        tls=tls, bounce_verification=bounce, ip_sort=sort,
    )
