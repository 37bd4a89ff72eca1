"""The queue commands' question: a destination domain."""

from __future__ import annotations

from esacli import texts
from esacli.commands.context import Context
from state.validate_outbound import is_host, normalise_domain


async def ask_domain(ctx: Context, question: str) -> str | None:
    """A destination domain, re-asked until valid; None for an empty answer (give up)."""
    while True:
        answer = await ctx.console.ask(question)
        if not answer:
            return None
        if is_host(normalise_domain(answer)):
            return normalise_domain(answer)
        ctx.console.say(texts.queue.QUEUE_BAD_DOMAIN.format(domain=answer))
