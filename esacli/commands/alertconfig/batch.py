"""The one-line forms of alertconfig, one per menu item (walked by `MENU.batch`):

    alertconfig new ops@example.com System,Hardware Critical,Warning
    alertconfig edit ops@example.com All All
    alertconfig delete ops@example.com
    alertconfig clear
    alertconfig setup alerts@example.com | DEFAULT

Classes and severities are the names of the dialog's lists, separated by commas (All
when left out); the rules are state.edit.alerts', as in the dialog.
"""

from __future__ import annotations

from collections.abc import Sequence

from esacli import texts
from esacli.commands.context import Context
from esacli.errors import BatchRefused
from state import messages, model, numbers
from state.edit import alerts as edit
from state.model import AlertRecipient, Alerts
from state.validate_outbound import ALERT_CLASSES, ALERT_SEVERITIES


def picked(options: Sequence[str], answer: str, by_number: bool = True) -> tuple[str, ...]:
    """The options a comma-separated answer names (by number or name, any case); empty
    when a part names none."""
    folded = {o.lower(): o for o in options}
    found: list[str] = []
    for token in (t.strip() for t in answer.split(",") if t.strip()):
        number = numbers.parse_int(token) if by_number else None
        if number is not None and 1 <= number <= len(options):
            found.append(options[number - 1])
        elif token.lower() in folded:
            found.append(folded[token.lower()])
        else:
            return ()
    return edit.chosen(options, found) if found else ()


def _stage(ctx: Context, alerts: Alerts) -> None:
    ctx.stage(model.replace(ctx.config, alerts=alerts))


def _choices(words: list[str]) -> tuple[tuple[str, ...], tuple[str, ...]]:
    if len(words) > 2:
        raise BatchRefused(texts.alerts.ALERT_BATCH_USAGE)
    given = [*words, ALERT_CLASSES[0], ALERT_SEVERITIES[0]][len(words):len(words) + 2]
    given = [*words, *given][:2]  # All for what is left out
    classes = picked(ALERT_CLASSES, given[0], by_number=False)
    severities = picked(ALERT_SEVERITIES, given[1], by_number=False)
    if not classes:
        raise BatchRefused(texts.alerts.ALERT_BATCH_BAD.format(value=given[0]))
    if not severities:
        raise BatchRefused(texts.alerts.ALERT_BATCH_BAD.format(value=given[1]))
    return classes, severities


def _address(words: list[str]) -> str:
    if not words:
        raise BatchRefused(texts.alerts.ALERT_BATCH_USAGE)
    return words[0]


def _existing(ctx: Context, words: list[str]) -> AlertRecipient:
    address = _address(words)
    found = [r for r in ctx.config.alerts.recipients if r.address.lower() == address.lower()]
    if not found:
        raise BatchRefused(texts.alerts.ALERT_BATCH_NOT_FOUND.format(address=address))
    return found[0]


def new(ctx: Context, words: list[str]) -> None:
    address = _address(words)
    refusal = edit.address_refusal(ctx.config.alerts, address)
    if refusal is not None:
        raise BatchRefused(refusal)
    classes, severities = _choices(words[1:])
    rcpt = AlertRecipient(address=address, classes=classes, severities=severities)
    _stage(ctx, edit.put_recipient(ctx.config.alerts, address, rcpt))


def edit_recipient(ctx: Context, words: list[str]) -> None:
    rcpt = _existing(ctx, words)
    classes, severities = _choices(words[1:])
    edited = model.replace(rcpt, classes=classes, severities=severities)
    _stage(ctx, edit.put_recipient(ctx.config.alerts, rcpt.address, edited))


def delete(ctx: Context, words: list[str]) -> None:
    rcpt = _existing(ctx, words)
    if len(words) != 1:
        raise BatchRefused(texts.alerts.ALERT_BATCH_USAGE)
    _stage(ctx, edit.remove_recipient(ctx.config.alerts, rcpt.address))


def clear(ctx: Context, words: list[str]) -> None:
    if words:
        raise BatchRefused(texts.alerts.ALERT_BATCH_USAGE)
    _stage(ctx, model.replace(ctx.config.alerts, recipients=()))


def setup(ctx: Context, words: list[str]) -> None:
    if len(words) != 1:
        raise BatchRefused(texts.alerts.ALERT_BATCH_USAGE)
    fallback = texts.alerts.ALERT_FROM_DEFAULT.format(hostname=ctx.config.hostname)
    address = edit.from_address(words[0], fallback, texts.alerts.ALERT_FROM_RESET)
    if address is None:
        raise BatchRefused(messages.ALERT_INVALID_ADDRESS())
    _stage(ctx, model.replace(ctx.config.alerts, from_address=address))


FORMS = {"NEW": new, "EDIT": edit_recipient, "DELETE": delete, "CLEAR": clear, "SETUP": setup}
