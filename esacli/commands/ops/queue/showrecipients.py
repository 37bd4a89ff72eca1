"""`showrecipients`: the queued recipients, by recipient host, by sender, or all.

An operational command: it reads the queue database and needs no commit (§2.1).
"""

from __future__ import annotations

from collections.abc import Sequence

from engine.queue.admin import DEFAULT_LIMIT
from engine.queue.store import QUEUED
from esacli import texts
from esacli.commands.context import Context
from esacli.commands.menu import Command
from esacli.commands.ops.queue import database
from esacli.commands.ops.queue.questions import ask_domain, ask_sender
from esacli.commands.ops.queue.render import recipients
from state import operations
from state.users import Act


async def showrecipients(ctx: Context, args: Sequence[str]) -> None:
    how = await ctx.console.choose(texts.queue.SHOW_HOW, texts.queue.SHOW_OPTIONS,
                                   texts.queue.SHOW_DEFAULT)
    domain = sender = None
    case_sensitive = False
    if how == 0:
        domain = await ask_domain(ctx, texts.queue.SHOW_HOST)
        if domain is None:
            return
    elif how == 1:
        sender = await ask_sender(ctx, texts.queue.SHOW_SENDER)
        if sender is None:
            return
        case_sensitive = await ctx.console.confirm(texts.queue.SHOW_CASE, False)
    rows = await database.call(ctx, database.admin(ctx).recipients, domain=domain,
                               status=QUEUED, sender=sender, case_sensitive=case_sensitive)
    if rows is not None:
        config = ctx.session.store.load()
        table = recipients(rows, ctx.clock(), DEFAULT_LIMIT,
                           lambda domain: operations.delivery_suspended(config, domain))
        ctx.console.say(f"{texts.queue.SHOW_WAIT}\n\n{table}")


COMMAND = Command("showrecipients", texts.queue.SHOWRECIPIENTS_DESCRIPTION, showrecipients,
                  kind=Act.LOOK)
