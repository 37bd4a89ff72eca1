"""The queue's operational commands: `showrecipients`, `delivernow`, `tophosts`.

Operational commands act at once and need no commit (§2.1). They work on the queue
database the engine keeps in the data dir, through engine.queue.admin (never the
running engine's objects): the listings read it, and `delivernow` makes deferred
recipients due now, which the running engine picks up at its next poll. Database calls
run in a thread: the SSH server may share its event loop with the engine.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence

from engine.errors import QueueUnavailable
from engine.queue.admin import DEFAULT_LIMIT, QueueAdmin
from engine.queue.store import QUEUED
from esacli import render_queue, texts
from esacli.commands.base import Context
from state.validate_outbound import is_host, normalise_domain

ALL = "all"


def _admin(ctx: Context) -> QueueAdmin:
    return QueueAdmin(ctx.session.store.data_dir, ctx.clock)


async def _domain(ctx: Context, question: str) -> str | None:
    """A destination domain, re-asked until valid; None for an empty answer (give up)."""
    while True:
        answer = await ctx.console.ask(question)
        if not answer:
            return None
        if is_host(normalise_domain(answer)):
            return normalise_domain(answer)
        ctx.console.say(texts.QUEUE_BAD_DOMAIN.format(domain=answer))


# -- showrecipients ---------------------------------------------------------------------
async def showrecipients(ctx: Context, args: Sequence[str]) -> None:
    how = await ctx.console.choose(texts.SHOW_HOW, texts.SHOW_OPTIONS, texts.SHOW_DEFAULT)
    domain = sender = None
    case_sensitive = False
    if how == 0:
        domain = await _domain(ctx, texts.SHOW_HOST)
        if domain is None:
            return
    elif how == 1:
        sender = (await ctx.console.ask(texts.SHOW_SENDER)).strip("<>")
        if not sender:
            return
        case_sensitive = await ctx.console.confirm(texts.SHOW_CASE, False)
    admin = _admin(ctx)
    try:
        rows = await asyncio.to_thread(
            admin.recipients, domain=domain, status=QUEUED, sender=sender,
            case_sensitive=case_sensitive,
        )
    except QueueUnavailable:
        ctx.console.say(texts.QUEUE_UNAVAILABLE)
        return
    table = render_queue.recipients(rows, ctx.clock(), DEFAULT_LIMIT)
    ctx.console.say(f"{texts.SHOW_WAIT}\n\n{table}")


# -- delivernow ------------------------------------------------------------------------------
async def delivernow(ctx: Context, args: Sequence[str]) -> None:
    if args:
        await _delivernow_batch(ctx, args)
        return
    how = await ctx.console.choose(
        texts.DELIVERNOW_HOW, texts.DELIVERNOW_OPTIONS, texts.DELIVERNOW_DEFAULT
    )
    if how == 1:
        await reschedule(ctx, None)
        return
    domain = await _domain(ctx, texts.DELIVERNOW_DOMAIN)
    if domain is not None:
        await reschedule(ctx, domain)


async def _delivernow_batch(ctx: Context, args: Sequence[str]) -> None:
    if len(args) != 1:
        ctx.refuse(texts.DELIVERNOW_USAGE)
        return
    if args[0].lower() == ALL:
        await reschedule(ctx, None)
    elif is_host(normalise_domain(args[0])):
        await reschedule(ctx, normalise_domain(args[0]))
    else:
        ctx.refuse(texts.QUEUE_BAD_DOMAIN.format(domain=args[0]))


async def reschedule(ctx: Context, domain: str | None) -> None:
    """Make the deferred recipients of `domain` (None: all) due now, and say how many."""
    try:
        count = await asyncio.to_thread(_admin(ctx).deliver_now, domain)
    except QueueUnavailable:
        ctx.console.say(texts.QUEUE_UNAVAILABLE)
        return
    done = (texts.DELIVERNOW_ALL_DONE if domain is None
            else texts.DELIVERNOW_DOMAIN_DONE.format(domain=domain))
    ctx.console.say(f"{done}\n{texts.DELIVERNOW_COUNT.format(count=count)}")


# -- tophosts ----------------------------------------------------------------------------------
async def tophosts(ctx: Context, args: Sequence[str]) -> None:
    labels = [label for label, _ in texts.TOPHOSTS_OPTIONS]
    how = await ctx.console.choose(texts.TOPHOSTS_SORT, labels, 1)
    key = texts.TOPHOSTS_OPTIONS[how or 0][1]
    try:
        loads = await asyncio.to_thread(_admin(ctx).top_domains, key)
    except QueueUnavailable:
        ctx.console.say(texts.QUEUE_UNAVAILABLE)
        return
    ctx.console.say(render_queue.tophosts(loads, ctx.clock()))
