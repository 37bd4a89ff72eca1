"""`adminaccessconfig` TIMEOUT: how long a CLI session may sit idle before it is logged
out (its pending changes dropped). Staged; the next login gets the new timeout."""

from __future__ import annotations

from collections.abc import Sequence

from esacli import texts
from esacli.commands import value_questions
from esacli.commands.context import Context
from esacli.commands.menu import Command, Menu, Operation, run_menu
from state import model, ranges
from state.users import Act


async def run(ctx: Context, args: Sequence[str]) -> None:
    await run_menu(ctx, MENU, lambda: texts.users.ADMINACCESS_STATUS.format(
        minutes=ctx.config.access.idle_timeout_minutes))


async def timeout(ctx: Context) -> None:
    access = ctx.config.access
    minutes = await value_questions.ask_int(ctx.console, texts.users.ADMINACCESS_TIMEOUT,
                                            access.idle_timeout_minutes, ranges.IDLE_MINUTES)
    ctx.stage(model.replace(ctx.config, access=model.replace(access, idle_timeout_minutes=minutes)))


MENU: Menu[Operation] = Menu.of(texts.users.ADMINACCESS_MENU, {"TIMEOUT": timeout})

COMMAND = Command("adminaccessconfig", texts.shell.DESCRIPTIONS["adminaccessconfig"], run,
                  kind=Act.ACCOUNTS)
