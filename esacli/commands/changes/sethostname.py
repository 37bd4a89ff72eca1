"""`sethostname [NAME]`: the appliance's host name (the standalone prompt shows it).
A machine-only setting: on a cluster member it is edited in Machine mode."""

from __future__ import annotations

from collections.abc import Sequence

from esacli import texts
from esacli.commands import value_questions
from esacli.commands.context import Context
from esacli.commands.menu import Command
from state.edit import interfaces


async def run(ctx: Context, args: Sequence[str]) -> None:
    if len(args) > 1:
        ctx.refuse(texts.cluster.HOSTNAME_USAGE)
        return
    if args:
        name: str | None = args[0]
        refusal = interfaces.hostname_refusal(args[0])
        if refusal is not None:
            ctx.refuse(refusal)
            return
    else:
        name = await value_questions.ask_accepted(
            ctx.console, texts.cluster.HOSTNAME_PROMPT, interfaces.hostname_refusal,
            ctx.config.hostname)
    if name is None or name == ctx.config.hostname:
        return
    ctx.stage(interfaces.set_hostname(ctx.config, name))
    ctx.console.say(texts.cluster.HOSTNAME_SET.format(name=name))


COMMAND = Command("sethostname", texts.shell.DESCRIPTIONS["sethostname"], run,
                  usage=texts.cluster.HOSTNAME_USAGE, takes_args=True)
