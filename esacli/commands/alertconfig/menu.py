"""`alertconfig` (§8.8): who receives alerts, of which classes and severities.

The required-TLS alert of destconfig SETUP goes to recipients of class System (or All)
at severity Warning (or All). SETUP is kept minimal: the From: address of alerts.
"""

from __future__ import annotations

from collections.abc import Sequence

from esacli import texts
from esacli.commands import value_questions
from esacli.commands.alertconfig.render import alerts_status
from esacli.commands.context import Context
from esacli.commands.menu import Command, Menu, Operation, run_menu
from esacli.console import Console
from state import messages, model, numbers
from state.edit import alerts as edit
from state.model import AlertRecipient, Alerts
from state.validate_outbound import ALERT_CLASSES, ALERT_SEVERITIES


async def run(ctx: Context, args: Sequence[str]) -> None:
    await run_menu(ctx, MENU, lambda: alerts_status(ctx.config.alerts, ctx.config.hostname))


def _stage(ctx: Context, alerts: Alerts) -> None:
    ctx.stage(model.replace(ctx.config, alerts=alerts))


async def choose_many(console: Console, question: str, options: Sequence[str],
                      current: Sequence[str]) -> tuple[str, ...]:
    """A numbered list answered with one or more numbers or names separated by commas
    ("All", item 1, absorbs the other choices: state.edit.alerts)."""
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
            return edit.chosen(options, picked)
        console.say(texts.shell.NOT_VALID)


async def _address(ctx: Context, question: str, current: str = "") -> str | None:
    """A valid address not already a recipient (other than `current`); None climbs back."""
    return await value_questions.ask_accepted(
        ctx.console, question,
        lambda answer: edit.address_refusal(ctx.config.alerts, answer, current), current)


async def _classes_and_severities(console: Console, current: AlertRecipient) -> AlertRecipient:
    classes = await choose_many(console, texts.alerts.ALERT_CLASSES, ALERT_CLASSES, current.classes)
    severities = await choose_many(console, texts.alerts.ALERT_SEVERITIES, ALERT_SEVERITIES,
                                   current.severities)
    return model.replace(current, classes=classes, severities=severities)


async def new(ctx: Context) -> None:
    address = await _address(ctx, texts.alerts.ALERT_NEW_ADDRESS)
    if address is None:
        return
    rcpt = await _classes_and_severities(ctx.console, AlertRecipient(address=address))
    _stage(ctx, edit.put_recipient(ctx.config.alerts, address, rcpt))


async def _pick(ctx: Context, question: str) -> AlertRecipient | None:
    recipients = ctx.config.alerts.recipients
    if not recipients:
        ctx.console.say(texts.alerts.ALERTS_NONE)
        return None
    names = [r.address for r in recipients]
    index = await ctx.console.choose(question, names, None, names)
    return None if index is None else recipients[index]


async def edit_recipient(ctx: Context) -> None:
    rcpt = await _pick(ctx, texts.alerts.ALERT_EDIT_WHICH)
    if rcpt is None:
        return
    address = await _address(ctx, texts.alerts.ALERT_CHANGE_ADDRESS, rcpt.address) or rcpt.address
    edited = await _classes_and_severities(ctx.console, model.replace(rcpt, address=address))
    _stage(ctx, edit.put_recipient(ctx.config.alerts, rcpt.address, edited))


async def delete(ctx: Context) -> None:
    rcpt = await _pick(ctx, texts.alerts.ALERT_DELETE_WHICH)
    if rcpt is None:
        return
    _stage(ctx, edit.remove_recipient(ctx.config.alerts, rcpt.address))


async def clear(ctx: Context) -> None:
    if await ctx.console.confirm(texts.alerts.ALERT_CLEAR_CONFIRM, False):
        _stage(ctx, model.replace(ctx.config.alerts, recipients=()))


async def setup(ctx: Context) -> None:
    alerts = ctx.config.alerts
    fallback = texts.alerts.ALERT_FROM_DEFAULT.format(hostname=ctx.config.hostname)
    question = texts.alerts.ALERT_FROM.format(default=fallback)
    while True:
        answer = await ctx.console.ask(question, alerts.from_address or fallback)
        address = edit.from_address(answer, fallback, texts.alerts.ALERT_FROM_RESET)
        if address is not None:
            _stage(ctx, model.replace(alerts, from_address=address))
            return
        ctx.console.say(messages.ALERT_INVALID_ADDRESS())


MENU: Menu[Operation] = Menu.of(texts.alerts.ALERT_MENU, {
    "NEW": new, "EDIT": edit_recipient, "DELETE": delete, "CLEAR": clear, "SETUP": setup,
})

COMMAND = Command("alertconfig", texts.shell.DESCRIPTIONS["alertconfig"], run)
