"""The configuration commands, one module each, as a table (name, description, handler).

The shell adds `help` and `exit`; help, completion and dispatch all read this table.
"""

from __future__ import annotations

from esacli import texts
from esacli.commands import (
    alertconfig,
    certconfig,
    clear,
    commit,
    destconfig,
    dnsconfig,
    listenerconfig,
    queuecmds,
    rollbackconfig,
    showchanges,
    smtproutes,
    sslconfig,
    status,
    tail,
    tlsverify,
)
from esacli.commands.base import Command, Context, Handler

COMMANDS: tuple[Command, ...] = (
    Command("alertconfig", texts.DESCRIPTIONS["alertconfig"], alertconfig.run),
    Command("destconfig", texts.DESCRIPTIONS["destconfig"], destconfig.run),
    Command("dnsconfig", texts.DESCRIPTIONS["dnsconfig"], dnsconfig.run),
    Command("smtproutes", texts.DESCRIPTIONS["smtproutes"], smtproutes.run),
    Command("sslconfig", texts.DESCRIPTIONS["sslconfig"], sslconfig.run),
    Command("tlsverify", texts.DESCRIPTIONS["tlsverify"], tlsverify.run,
            usage=texts.TLSVERIFY_USAGE, takes_args=True),
    Command("certconfig", texts.DESCRIPTIONS["certconfig"], certconfig.run),
    Command("clear", texts.DESCRIPTIONS["clear"], clear.clear, aliases=("clearchanges",)),
    Command("commit", texts.DESCRIPTIONS["commit"], commit.commit, usage=texts.COMMIT_USAGE,
            takes_args=True),
    Command("listenerconfig", texts.DESCRIPTIONS["listenerconfig"], listenerconfig.run,
            usage=texts.LISTENERCONFIG_USAGE, takes_args=True),
    Command("rollbackconfig", texts.DESCRIPTIONS["rollbackconfig"], rollbackconfig.run),
    Command("showchanges", texts.DESCRIPTIONS["showchanges"], showchanges.showchanges),
    Command("tail", texts.DESCRIPTIONS["tail"], tail.run, usage=texts.TAIL_USAGE,
            takes_args=True),
    Command("status", texts.DESCRIPTIONS["status"], status.run, usage=texts.STATUS_USAGE,
            takes_args=True),
    Command("showrecipients", texts.SHOWRECIPIENTS_DESCRIPTION, queuecmds.showrecipients),
    Command("delivernow", texts.DELIVERNOW_DESCRIPTION, queuecmds.delivernow,
            usage=texts.DELIVERNOW_USAGE, takes_args=True),
    Command("tophosts", texts.TOPHOSTS_DESCRIPTION, queuecmds.tophosts),
)

__all__ = ["COMMANDS", "Command", "Context", "Handler"]
