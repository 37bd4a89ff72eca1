"""`deleterecipients`, `bouncerecipients`, `redirectrecipients`: act on the queued
recipients of a destination domain, of an envelope sender, or all of them, after saying
how many match and asking to confirm. Operational: no commit (§2.1).

The shell records the request in the queue database with the count it reports
(engine.queue.admin.request); the running engine carries it out at its next tick
(engine/queue/requests.py): a deleted recipient is dropped, a bounced one gets its DSN,
a redirected one is delivered to the host given instead of its domain's MX (smtproutes
and destination controls of that host apply).

Batch: `deleterecipients [host <domain> | sender <address> | all] [yes]` (likewise
bouncerecipients; `redirectrecipients <host> ...`); without `yes` the next input line
answers the confirmation.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from engine.queue.store import BOUNCE, DELETE, REDIRECT
from esacli import render, texts
from esacli.commands.context import Context
from esacli.commands.menu import Command
from esacli.commands.ops.queue import database
from esacli.commands.ops.queue.questions import ask_domain, ask_sender, sender_of
from state.users import Act
from state.validate_outbound import is_host, is_ip, normalise_domain

YES = "yes"


@dataclass(frozen=True)
class Selection:
    domain: str | None = None
    sender: str | None = None


async def _ask_selection(ctx: Context, verb: str) -> Selection | None:
    how = await ctx.console.choose(texts.control.RCPTS_HOW.format(verb=verb),
                                   texts.control.RCPTS_OPTIONS, 1)
    if how == 0:
        domain = await ask_domain(ctx, texts.control.RCPTS_HOST.format(verb=verb))
        return None if domain is None else Selection(domain=domain)
    if how == 1:
        sender = await ask_sender(ctx, texts.control.RCPTS_SENDER.format(verb=verb))
        return None if sender is None else Selection(sender=sender)
    return Selection()


def _parse(words: Sequence[str]) -> tuple[Selection | None, bool]:
    """(what the words select, whether they end in `yes`); (None, _) if they make no sense."""
    rest = list(words)
    sure = bool(rest) and rest[-1].lower() == YES
    if sure:
        rest.pop()
    if [w.lower() for w in rest] in ([], ["all"]):
        return Selection(), sure
    if len(rest) == 2 and rest[0].lower() == "host" and is_host(normalise_domain(rest[1])):
        return Selection(domain=normalise_domain(rest[1])), sure
    sender = sender_of(rest[1]) if len(rest) == 2 and rest[0].lower() == "sender" else None
    if sender is not None:
        return Selection(sender=sender), sure
    return None, sure


async def act(ctx: Context, action: str, selection: Selection, sure: bool,
              target: str = "") -> None:
    verb, done = texts.control.RCPTS_VERBS[action]
    admin = database.admin(ctx)
    count = await database.call(ctx, admin.matching, selection.domain, selection.sender)
    if count is None:
        return
    if not count:
        ctx.console.say(texts.control.RCPTS_NONE)
        return
    ctx.console.say(render.plural(count, texts.control.RCPTS_COUNT))
    if action == REDIRECT:
        ctx.console.say(texts.control.REDIRECT_WARNING)
    how_many = render.plural(count, texts.control.RCPTS_N)
    question = (texts.control.REDIRECT_CONFIRM.format(count=how_many, host=target)
                if action == REDIRECT else
                texts.control.RCPTS_CONFIRM.format(verb=verb, count=how_many))
    if not sure and not await ctx.console.confirm(question, False):
        ctx.console.say(texts.control.RCPTS_CANCELLED)
        return
    asked = await database.call(ctx, admin.request, action, selection.domain,
                                selection.sender, target)
    if asked is None:
        return
    how_many = render.plural(asked, texts.control.RCPTS_N)
    if action == REDIRECT:
        ctx.console.say(texts.control.REDIRECT_DONE.format(count=how_many, host=target))
    else:
        ctx.console.say(texts.control.RCPTS_DONE.format(count=how_many, done=done))


async def _simple(ctx: Context, args: Sequence[str], action: str, command: str) -> None:
    verb = texts.control.RCPTS_VERBS[action][0]
    if args:
        selection, sure = _parse(args)
        if selection is None:
            ctx.refuse(texts.control.RCPTS_USAGE.format(command=command))
            return
    else:
        selection, sure = await _ask_selection(ctx, verb), False
        if selection is None:
            return
    await act(ctx, action, selection, sure)


async def deleterecipients(ctx: Context, args: Sequence[str]) -> None:
    await _simple(ctx, args, DELETE, "deleterecipients")


async def bouncerecipients(ctx: Context, args: Sequence[str]) -> None:
    await _simple(ctx, args, BOUNCE, "bouncerecipients")


_WORDS = frozenset({"all", "host", "sender", YES})  # the words of the command's grammar


def _target_refusal(host: str) -> str | None:
    """Why mail cannot be redirected to `host`, or None. It is delivered to as a domain
    (its MX, or its address): an IP address has neither, so it would be deferred forever;
    a name of one label, or a word of the command's own (`all`: `redirectrecipients all`
    typed as deleterecipients takes it), would bounce the whole queue within a second."""
    if is_ip(host):
        return texts.control.REDIRECT_NO_IP
    if host.lower() in _WORDS or "." not in host:
        return texts.control.REDIRECT_NOT_FQDN.format(host=host)
    return None



async def _ask_host(ctx: Context) -> str | None:
    """The host to redirect to, asked again while `_target_refusal` refuses it."""
    while True:
        found = await ask_domain(ctx, texts.control.REDIRECT_HOST)
        why = None if found is None else _target_refusal(found)
        if why is None:
            return found
        ctx.console.say(why)


async def redirectrecipients(ctx: Context, args: Sequence[str]) -> None:
    if args:
        host = normalise_domain(args[0])
        selection, sure = _parse(args[1:])
        if not is_host(host) or selection is None:
            ctx.refuse(texts.control.REDIRECT_USAGE)
            return
        why = _target_refusal(host)
        if why is not None:
            ctx.refuse(why)
            return
    else:
        found = await _ask_host(ctx)
        if found is None:
            return
        host = found
        picked = await _ask_selection(ctx, texts.control.RCPTS_VERBS[REDIRECT][0])
        if picked is None:
            return
        selection, sure = picked, False
    await act(ctx, REDIRECT, selection, sure, host)


DELETE_COMMAND = Command(
    "deleterecipients", texts.shell.DESCRIPTIONS["deleterecipients"], deleterecipients,
    usage=texts.control.RCPTS_USAGE.format(command="deleterecipients"), takes_args=True,
    kind=Act.QUEUE)
BOUNCE_COMMAND = Command(
    "bouncerecipients", texts.shell.DESCRIPTIONS["bouncerecipients"], bouncerecipients,
    usage=texts.control.RCPTS_USAGE.format(command="bouncerecipients"), takes_args=True,
    kind=Act.QUEUE)
REDIRECT_COMMAND = Command(
    "redirectrecipients", texts.shell.DESCRIPTIONS["redirectrecipients"], redirectrecipients,
    usage=texts.control.REDIRECT_USAGE, takes_args=True,
    kind=Act.QUEUE)
