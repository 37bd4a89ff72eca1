"""`showchanges` (§2.1): the pending changes as a nested dict literal."""

from __future__ import annotations

import pprint
from collections.abc import Sequence

from esacli import texts
from esacli.commands.context import Context
from esacli.commands.menu import Command


async def showchanges(ctx: Context, args: Sequence[str]) -> None:
    # The model holds no private keys (profiles name them by key_id), so this
    # cannot reveal one.
    ctx.console.say(pprint.pformat(ctx.session.showchanges(), width=100, sort_dicts=False))


COMMAND = Command("showchanges", texts.shell.DESCRIPTIONS["showchanges"], showchanges)
