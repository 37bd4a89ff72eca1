"""`delivernow [<domain>|all]`: make deferred recipients due now (the running engine
picks them up at its next poll). An operational command: no commit is needed (§2.1)."""

from __future__ import annotations

from collections.abc import Sequence

from esacli import texts
from esacli.commands.context import Context
from esacli.commands.menu import Command
from esacli.commands.ops.queue import database
from esacli.commands.ops.queue.questions import ask_domain
from state.model import Config
from state.users import Act
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
    lines = [done, texts.queue.DELIVERNOW_COUNT.format(count=count)]
    held = _held(ctx.session.store.load(), domain)
    if held:
        lines.append(held)
    ctx.console.say("\n".join(lines))


def _held(config: Config, domain: str | None) -> str:
    """What a suspension keeps waiting of what was rescheduled ("" nothing)."""
    if config.delivery.suspended:
        return texts.queue.DELIVERNOW_HELD_ALL
    names = [d for d in config.delivery.suspended_domains if domain in (None, d)]
    return texts.queue.DELIVERNOW_HELD.format(domains=", ".join(names)) if names else ""


COMMAND = Command("delivernow", texts.queue.DELIVERNOW_DESCRIPTION, delivernow,
                  usage=texts.queue.DELIVERNOW_USAGE, takes_args=True,
                  kind=Act.QUEUE)
