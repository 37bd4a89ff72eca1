"""The top-level commands, as a table (esacli.commands.menu.Command: name, description,
handler). The shell adds `help` and `exit`; help, completion and dispatch all read it.

The package mirrors the menu tree. A command with menus is a package named for it
(`listenerconfig/`, `certconfig/`, `destconfig/`, `smtproutes/`, `sslconfig/`,
`dnsconfig/`, `alertconfig/`) whose `menu` module holds its top menu and its COMMAND; each
sub-menu is the module (or package) named for its item (`listenerconfig/edit.py`,
`listenerconfig/hostaccess/`). `changes/` holds the commit-model commands (§2), `ops/` the
operational ones (status, tail, tlsverify, the queue's). Shared by several commands:
`context` (what a handler receives), `menu` (items, menus, the command table entry),
`value_questions` (a number, a size, a list), `config_files` (IMPORT / EXPORT files).
"""

from __future__ import annotations

from esacli.commands.alertconfig import menu as alertconfig
from esacli.commands.certconfig import menu as certconfig
from esacli.commands.changes import clear, commit, rollbackconfig, showchanges
from esacli.commands.context import Context
from esacli.commands.destconfig import menu as destconfig
from esacli.commands.dnsconfig import menu as dnsconfig
from esacli.commands.listenerconfig import menu as listenerconfig
from esacli.commands.menu import Command, Handler
from esacli.commands.ops import tail, tlsverify
from esacli.commands.ops.queue import delivernow, showrecipients, tophosts
from esacli.commands.ops.status import command as status
from esacli.commands.smtproutes import menu as smtproutes
from esacli.commands.sslconfig import menu as sslconfig

COMMANDS: tuple[Command, ...] = (
    alertconfig.COMMAND,
    destconfig.COMMAND,
    dnsconfig.COMMAND,
    smtproutes.COMMAND,
    sslconfig.COMMAND,
    tlsverify.COMMAND,
    certconfig.COMMAND,
    clear.COMMAND,
    commit.COMMAND,
    listenerconfig.COMMAND,
    rollbackconfig.COMMAND,
    showchanges.COMMAND,
    tail.COMMAND,
    status.COMMAND,
    showrecipients.COMMAND,
    delivernow.COMMAND,
    tophosts.COMMAND,
)

__all__ = ["COMMANDS", "Command", "Context", "Handler"]
