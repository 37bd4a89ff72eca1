"""`tlsrptconfig`: TLS reporting (RFC 8460): on or off, the organisation name, contact
and sender address the daily reports carry. What each may be is state's
(state/validate_outbound.py); the reports themselves are the engine's."""

from __future__ import annotations

from collections.abc import Sequence

from esacli import texts
from esacli.commands import value_questions
from esacli.commands.context import Context
from esacli.commands.menu import Command, Menu, Operation, run_menu
from state import messages, model
from state.messages import Message
from state.validate_outbound import is_email, tlsrpt_organization_error


def _screen(ctx: Context) -> str:
    settings = ctx.config.tlsrpt
    unset = texts.dnspolicy.TLSRPT_UNSET
    return texts.dnspolicy.TLSRPT_STATE[settings.enabled] + "\n" + \
        texts.dnspolicy.TLSRPT_SETTINGS.format(organization=settings.organization or unset,
                                               contact=settings.contact or unset,
                                               sender=settings.sender or unset)


async def run(ctx: Context, args: Sequence[str]) -> None:
    await run_menu(ctx, MENU, lambda: _screen(ctx))


def _address_refusal(answer: str) -> Message | None:
    return None if is_email(answer) else messages.INVALID_EMAIL(address=answer)


async def setup(ctx: Context) -> None:
    """On or off; when on, the three values (each asked again until it is usable)."""
    console, settings = ctx.console, ctx.config.tlsrpt
    enabled = await console.confirm(texts.dnspolicy.TLSRPT_ENABLE, settings.enabled)
    if not enabled:
        ctx.stage(model.replace(ctx.config, tlsrpt=model.replace(settings, enabled=False)))
        return
    found = []
    for question, current, refusal in (
            (texts.dnspolicy.TLSRPT_ORGANIZATION, settings.organization,
             tlsrpt_organization_error),
            (texts.dnspolicy.TLSRPT_CONTACT, settings.contact, _address_refusal),
            (texts.dnspolicy.TLSRPT_SENDER, settings.sender, _address_refusal)):
        answer = await value_questions.ask_accepted(console, question, refusal, current)
        if answer is None:
            return
        found.append(answer)
    organization, contact, sender = found
    ctx.stage(model.replace(ctx.config, tlsrpt=model.TlsRptSettings(
        enabled=True, organization=organization, contact=contact, sender=sender)))


MENU: Menu[Operation] = Menu.of(texts.dnspolicy.TLSRPT_MENU, {"SETUP": setup})

COMMAND = Command("tlsrptconfig", texts.shell.DESCRIPTIONS["tlsrptconfig"], run)
