"""The queue commands' questions: a destination domain, an envelope sender."""

from __future__ import annotations

from esacli import texts
from esacli.commands.context import Context
from state.validate_outbound import is_email, is_host, normalise_domain


async def ask_domain(ctx: Context, question: str) -> str | None:
    """A destination domain, re-asked until valid; None for an empty answer (give up)."""
    while True:
        answer = await ctx.console.ask(question)
        if not answer:
            return None
        if is_host(normalise_domain(answer)):
            return normalise_domain(answer)
        ctx.console.say(texts.queue.QUEUE_BAD_DOMAIN.format(domain=answer))


NULL_SENDER = "<>"  # the envelope sender of bounces and alerts


def sender_of(text: str) -> str | None:
    """The envelope sender a word names: "" for the null sender `<>` (a bounce's), the
    address (angle brackets dropped), or None when it names neither."""
    text = text.strip()
    if text == NULL_SENDER:
        return ""
    address = text.strip("<>")
    return address if is_email(address) else None


async def ask_sender(ctx: Context, question: str) -> str | None:
    """An envelope sender (`sender_of`), re-asked until valid; None for an empty answer."""
    while True:
        answer = (await ctx.console.ask(question)).strip()
        if not answer:
            return None
        sender = sender_of(answer)
        if sender is not None:
            return sender
        ctx.console.say(texts.control.RCPTS_BAD_SENDER.format(sender=answer))
