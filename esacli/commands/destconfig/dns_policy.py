"""destconfig's questions about the TLS a partner's DNS can demand: DANE support (§6.2
item 9), whether the domain's MTA-STS policy applies, and what a required TLS that
cannot be had does (defer or bounce). What each value means, and which the DEFAULT row
may take, is state.edit.destinations'; the rule they feed is docs/tls-policy.md."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TypeVar

from esacli import texts
from esacli.console import Console
from state import model
from state.edit import destinations
from state.model import DaneMode, DestinationEntry, TlsFailure

V = TypeVar("V", DaneMode, TlsFailure)


async def _pick(console: Console, question: str, choices: Sequence[V], labels: dict[str, str],
                current: V) -> V:
    shown = [labels[c.value] for c in choices]
    default = choices.index(current) + 1 if current in choices else 1
    index = await console.choose(question, shown, default, shown)
    return choices[default - 1 if index is None else index]


async def entry_questions(console: Console, entry: DestinationEntry) -> DestinationEntry:
    """NEW / EDIT: each asked only when the domain is to have its own setting."""
    dane = sts = failure = None
    if await console.confirm(texts.dest.DEST_ASK_DANE, entry.dane is not None):
        dane = await _pick(console, texts.dest.DEST_DANE, destinations.dane_choices(False),
                           texts.dest.DEST_DANE_LABELS, entry.dane or DaneMode.NO)
    if await console.confirm(texts.dest.DEST_ASK_STS, entry.mta_sts is not None):
        sts = await console.confirm(texts.dest.DEST_STS, bool(entry.mta_sts))
    if await console.confirm(texts.dest.DEST_ASK_FAILURE, entry.tls_failure is not None):
        failure = await _pick(console, texts.dest.DEST_FAILURE, destinations.TLS_FAILURES,
                              texts.dest.DEST_FAILURE_LABELS,
                              entry.tls_failure or TlsFailure.DEFER)
    return model.replace(entry, dane=dane, mta_sts=sts, tls_failure=failure)


async def default_dane(console: Console, row: DestinationEntry) -> DestinationEntry:
    """DEFAULT's DANE support (§6.3: right after TLS): No or Opportunistic only (see
    state.edit.destinations)."""
    dane = await _pick(console, texts.dest.DEST_DEFAULT_DANE, destinations.dane_choices(True),
                       texts.dest.DEST_DANE_LABELS, destinations.default_dane(row))
    return destinations.with_default_dane(row, dane)


async def default_questions(console: Console, row: DestinationEntry) -> DestinationEntry:
    """DEFAULT's MTA-STS and TLS failure action, always asked (an answer that is what an
    unset value means leaves it unset: state.edit.destinations)."""
    sts = await console.confirm(texts.dest.DEST_STS, destinations.default_mta_sts(row))
    failure = await _pick(console, texts.dest.DEST_FAILURE, destinations.TLS_FAILURES,
                          texts.dest.DEST_FAILURE_LABELS, destinations.default_tls_failure(row))
    return destinations.with_default_policy(row, sts, failure)
