"""`alertconfig` (§8.8): who receives alerts, of which classes and severities.

The required-TLS alert of destconfig SETUP goes to recipients of class System (or All)
at severity Warning (or All). SETUP is kept minimal: the From: address of alerts.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence

from esacli import render_outbound, texts
from esacli.commands.base import Context
from esacli.console import Console
from state import model, numbers
from state.model import AlertRecipient, Alerts
from state.validate_outbound import ALERT_CLASSES, ALERT_SEVERITIES, is_email


async def run(ctx: Context, args: Sequence[str]) -> None:
    while True:
        ctx.console.say(render_outbound.alerts_status(ctx.config.alerts, ctx.config.hostname))
        op = await ctx.console.menu(texts.ALERT_MENU)
        if op is None:
            return
        await _OPERATIONS[op](ctx)


def _stage(ctx: Context, alerts: Alerts) -> None:
    ctx.stage(model.replace(ctx.config, alerts=alerts))


async def choose_many(console: Console, question: str, options: Sequence[str],
                      current: Sequence[str]) -> tuple[str, ...]:
    """A numbered list answered with one or more numbers or names separated by commas.

    "All" (item 1) absorbs the other choices.
    """
    shown = ",".join(str(options.index(c) + 1) for c in current if c in options) or "1"
    listing = "\n".join(f"{n}. {text}" for n, text in enumerate(options, 1))
    folded = {o.lower(): o for o in options}
    while True:
        answer = await console.ask(f"{question}\n{listing}", shown)
        picked: list[str] = []
        for token in (t.strip() for t in answer.split(",") if t.strip()):
            number = numbers.parse_int(token)
            if number is not None and 1 <= number <= len(options):
                picked.append(options[number - 1])
            elif token.lower() in folded:
                picked.append(folded[token.lower()])
            else:
                picked = []
                break
        if picked:
            return (options[0],) if options[0] in picked else tuple(dict.fromkeys(picked))
        console.say(texts.NOT_VALID)


async def _address(ctx: Context, question: str, current: str = "") -> str | None:
    """A valid address not already a recipient (other than `current`); None climbs back."""
    taken = {r.address.lower() for r in ctx.config.alerts.recipients} - {current.lower()}
    while True:
        answer = await ctx.console.ask(question, current)
        if not answer:
            return None
        if not is_email(answer):
            ctx.console.say(texts.ALERT_INVALID_ADDRESS)
        elif answer.lower() in taken:
            ctx.console.say(texts.ALERT_ADDRESS_EXISTS.format(address=answer))
        else:
            return answer


async def _classes_and_severities(console: Console, current: AlertRecipient) -> AlertRecipient:
    classes = await choose_many(console, texts.ALERT_CLASSES, ALERT_CLASSES, current.classes)
    severities = await choose_many(console, texts.ALERT_SEVERITIES, ALERT_SEVERITIES,
                                   current.severities)
    return model.replace(current, classes=classes, severities=severities)


async def new(ctx: Context) -> None:
    address = await _address(ctx, texts.ALERT_NEW_ADDRESS)
    if address is None:
        return
    rcpt = await _classes_and_severities(ctx.console, AlertRecipient(address=address))
    alerts = ctx.config.alerts
    _stage(ctx, model.replace(alerts, recipients=alerts.recipients + (rcpt,)))


async def _pick(ctx: Context, question: str) -> AlertRecipient | None:
    recipients = ctx.config.alerts.recipients
    if not recipients:
        ctx.console.say(texts.ALERTS_NONE)
        return None
    names = [r.address for r in recipients]
    index = await ctx.console.choose(question, names, None, names)
    return None if index is None else recipients[index]


async def edit(ctx: Context) -> None:
    rcpt = await _pick(ctx, texts.ALERT_EDIT_WHICH)
    if rcpt is None:
        return
    address = await _address(ctx, texts.ALERT_CHANGE_ADDRESS, rcpt.address) or rcpt.address
    edited = await _classes_and_severities(ctx.console, model.replace(rcpt, address=address))
    alerts = ctx.config.alerts
    recipients = tuple(edited if r.address == rcpt.address else r for r in alerts.recipients)
    _stage(ctx, model.replace(alerts, recipients=recipients))


async def delete(ctx: Context) -> None:
    rcpt = await _pick(ctx, texts.ALERT_DELETE_WHICH)
    if rcpt is None:
        return
    alerts = ctx.config.alerts
    recipients = tuple(r for r in alerts.recipients if r.address != rcpt.address)
    _stage(ctx, model.replace(alerts, recipients=recipients))


async def clear(ctx: Context) -> None:
    if await ctx.console.confirm(texts.ALERT_CLEAR_CONFIRM, False):
        _stage(ctx, model.replace(ctx.config.alerts, recipients=()))


async def setup(ctx: Context) -> None:
    alerts = ctx.config.alerts
    fallback = texts.ALERT_FROM_DEFAULT.format(hostname=ctx.config.hostname)
    question = texts.ALERT_FROM.format(default=fallback)
    while True:
        answer = await ctx.console.ask(question, alerts.from_address or fallback)
        if answer.upper() == texts.ALERT_FROM_RESET or answer == fallback:
            _stage(ctx, model.replace(alerts, from_address=""))
            return
        if is_email(answer):
            _stage(ctx, model.replace(alerts, from_address=answer))
            return
        ctx.console.say(texts.ALERT_INVALID_ADDRESS)


_OPERATIONS: dict[str, Callable[[Context], Awaitable[None]]] = {
    "NEW": new,
    "EDIT": edit,
    "DELETE": delete,
    "CLEAR": clear,
    "SETUP": setup,
}
