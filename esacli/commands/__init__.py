"""The configuration commands, one module each, as a table (name, description, handler).

The shell adds `help` and `exit`; help, completion and dispatch all read this table.
"""

from __future__ import annotations

from esacli import texts
from esacli.commands import certconfig, clear, commit, listenerconfig, showchanges
from esacli.commands.base import Command, Context, Handler

COMMANDS: tuple[Command, ...] = (
    Command("certconfig", texts.DESCRIPTIONS["certconfig"], certconfig.run),
    Command("clear", texts.DESCRIPTIONS["clear"], clear.clear, aliases=("clearchanges",)),
    Command("commit", texts.DESCRIPTIONS["commit"], commit.commit),
    Command("listenerconfig", texts.DESCRIPTIONS["listenerconfig"], listenerconfig.run),
    Command("showchanges", texts.DESCRIPTIONS["showchanges"], showchanges.showchanges),
)

__all__ = ["COMMANDS", "Command", "Context", "Handler"]
