"""`delivernow [<domain>|all]`: make deferred recipients due now (the running engine
picks them up at its next poll). An operational command: no commit is needed (§2.1)."""

from __future__ import annotations

from collections.abc import Sequence

from esacli import texts
from esacli.commands.context import Context
from esacli.commands.menu import Command
from esacli.commands.ops.queue import database
from esacli.commands.ops.queue.questions import ask_domain
from state.validate_outbound import is_host, normalise_domain

ALL = "all"


async def delivernow(ctx: Context, args: Sequence[str]) -> None:
    if args:
        await _batch(ctx, args)
        return
    how = await ctx.console.choose(
        texts.queue.DELIVERNOW_HOW, texts.queue.DELIVERNOW_OPTIONS, texts.queue.DELIVERNOW_DEFAULT
    )
    if how == 1:
        await reschedule(ctx, None)
        return
    domain = await ask_domain(ctx, texts.queue.DELIVERNOW_DOMAIN)
    if domain is not None:
        await reschedule(ctx, domain)


async def _batch(ctx: Context, args: Sequence[str]) -> None:
    if len(args) != 1:
        ctx.refuse(texts.queue.DELIVERNOW_USAGE)
        return
    if args[0].lower() == ALL:
        await reschedule(ctx, None)
    elif is_host(normalise_domain(args[0])):
        await reschedule(ctx, normalise_domain(args[0]))
    else:
        ctx.refuse(texts.queue.QUEUE_BAD_DOMAIN.format(domain=args[0]))


async def reschedule(ctx: Context, domain: str | None) -> None:
    """Make the deferred recipients of `domain` (None: all) due now, and say how many."""
    count = await database.call(ctx, database.admin(ctx).deliver_now, domain)
    if count is None:
        return
    done = (texts.queue.DELIVERNOW_ALL_DONE if domain is None
            else texts.queue.DELIVERNOW_DOMAIN_DONE.format(domain=domain))
    ctx.console.say(f"{done}\n{texts.queue.DELIVERNOW_COUNT.format(count=count)}")


COMMAND = Command("delivernow", texts.queue.DELIVERNOW_DESCRIPTION, delivernow,
                  usage=texts.queue.DELIVERNOW_USAGE, takes_args=True)
