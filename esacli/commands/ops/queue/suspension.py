"""`suspenddel` / `resumedel [domain[,...] | all]`: hold (or release) outbound delivery,
for every domain or the ones named. An operational command: it acts at once, no commit
(§2.1). Written as a version of its own (state/operations.py), as suspendlistener is;
the queue manager leaves a suspended domain's recipients queued (deliveries already
under way finish), and delivers them again once resumed."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence

from esacli import texts
from esacli.commands.context import Context
from esacli.commands.menu import Command
from state import operations
from state.errors import EditRefused, StoreError
from state.users import Act
from state.validate_outbound import is_host, normalise_domain


def domains_of(answer: str) -> tuple[list[str] | None, str]:
    """(None: all, or the domains) of a comma-separated answer; ([], bad) on a bad one."""
    words = [w.strip() for w in answer.split(",") if w.strip()]
    if not words or [w.lower() for w in words] == ["all"]:
        return None, ""
    found: list[str] = []
    for word in words:
        domain = normalise_domain(word)
        if not is_host(domain):
            return [], word
        found.append(domain)
    return list(dict.fromkeys(found)), ""


async def _ask(ctx: Context, question: str) -> list[str] | None:
    while True:
        answer = await ctx.console.ask(question, texts.control.DEL_ALL)
        domains, bad = domains_of(answer)
        if not bad:
            return domains
        ctx.console.say(texts.queue.QUEUE_BAD_DOMAIN.format(domain=bad))


async def _run(ctx: Context, args: Sequence[str], suspend: bool) -> None:
    if len(args) > 1:
        ctx.refuse(texts.control.SUSPENDDEL_USAGE if suspend else texts.control.RESUMEDEL_USAGE)
        return
    if args:
        domains, bad = domains_of(args[0])
        if bad:
            ctx.refuse(texts.queue.QUEUE_BAD_DOMAIN.format(domain=bad))
            return
    else:
        domains = await _ask(ctx, texts.control.DEL_SUSPEND_DOMAINS if suspend
                             else texts.control.DEL_RESUME_DOMAINS)
    edit = operations.set_delivery(domains, suspend)
    source = operations.SUSPENDDEL if suspend else operations.RESUMEDEL
    try:
        applied = await asyncio.to_thread(
            operations.apply_now, ctx.session.store, ctx.session.user, source, edit)
    except (EditRefused, StoreError) as exc:
        ctx.refuse(str(exc))
        return
    every = ctx.session.store.load().delivery.suspended
    ctx.console.say(_said(applied.changed, domains, suspend, every))


def _said(changed: Sequence[str], domains: Sequence[str] | None, suspend: bool,
          every: bool = False) -> str:
    if not changed and domains is not None and not suspend and every:
        # nothing of theirs to resume, but delivery to them waits all the same
        return texts.control.DEL_STILL_ALL.format(domains=", ".join(domains))
    if not changed:
        return texts.control.DEL_UNCHANGED
    if domains is None:
        return texts.control.DEL_SUSPENDED_ALL if suspend else texts.control.DEL_RESUMED_ALL
    done = texts.control.DEL_SUSPENDED if suspend else texts.control.DEL_RESUMED
    return done.format(domains=", ".join(changed))


async def suspenddel(ctx: Context, args: Sequence[str]) -> None:
    await _run(ctx, args, True)


async def resumedel(ctx: Context, args: Sequence[str]) -> None:
    await _run(ctx, args, False)


SUSPEND = Command("suspenddel", texts.shell.DESCRIPTIONS["suspenddel"], suspenddel,
                  usage=texts.control.SUSPENDDEL_USAGE, takes_args=True, kind=Act.QUEUE)
RESUME = Command("resumedel", texts.shell.DESCRIPTIONS["resumedel"], resumedel,
                 usage=texts.control.RESUMEDEL_USAGE, takes_args=True, kind=Act.QUEUE)
