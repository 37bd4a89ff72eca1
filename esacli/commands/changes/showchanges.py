"""`showchanges` (§2.1): the pending changes as a nested dict literal."""

from __future__ import annotations

import pprint
from collections.abc import Sequence

from esacli import texts
from esacli.commands.context import Context
from esacli.commands.menu import Command
from state.users import Act


async def showchanges(ctx: Context, args: Sequence[str]) -> None:
    # The model holds no private keys (profiles name them by key_id), so this
    # cannot reveal one.
    # On a cluster member: every mode with pending changes, each under its label.
    shown = ctx.session.showchanges()
    if ctx.cluster is not None:
        for session in ctx.cluster.pending:
            if session is not ctx.session:
                shown = {**shown, **session.showchanges()}
    ctx.console.say(pprint.pformat(shown, width=100, sort_dicts=False))


COMMAND = Command("showchanges", texts.shell.DESCRIPTIONS["showchanges"], showchanges,
                  kind=Act.LOOK)
