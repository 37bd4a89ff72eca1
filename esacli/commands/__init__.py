"""The top-level commands, as a table (esacli.commands.menu.Command: name, description,
handler). The shell adds `help` and `exit`; help, completion and dispatch all read it.

The package mirrors the menu tree. A command with menus is a package named for it
(`listenerconfig/`, `certconfig/`, `destconfig/`, `smtproutes/`, `sslconfig/`,
`dnsconfig/`, `alertconfig/`) whose `menu` module holds its top menu and its COMMAND; each
sub-menu is the module (or package) named for its item (`listenerconfig/edit.py`,
`listenerconfig/hostaccess/`). `changes/` holds the commit-model commands (§2), `ops/` the
operational ones (status, tail, tlsverify, the logs' grep and findevent, listener
suspension, the queue's). Shared by several commands:
`context` (what a handler receives), `menu` (items, menus, the command table entry),
`value_questions` (a number, a size, a list), `config_files` (IMPORT / EXPORT files).
"""

from __future__ import annotations

from esacli.commands.adminaccessconfig import menu as adminaccessconfig
from esacli.commands.alertconfig import menu as alertconfig
from esacli.commands.certconfig import menu as certconfig
from esacli.commands.changes import (
    clear,
    clustermode,
    commit,
    commitdetail,
    rollbackconfig,
    sethostname,
    showchanges,
)
from esacli.commands.clusterconfig import menu as clusterconfig
from esacli.commands.configfile import load as loadconfig
from esacli.commands.configfile import show as configfile
from esacli.commands.context import Context
from esacli.commands.destconfig import menu as destconfig
from esacli.commands.dnsconfig import menu as dnsconfig
from esacli.commands.dnspolicy import daneverify, mtastsconfig, tlsrptconfig
from esacli.commands.interfaceconfig import menu as interfaceconfig
from esacli.commands.listenerconfig import menu as listenerconfig
from esacli.commands.logconfig import menu as logconfig
from esacli.commands.menu import Command, Handler
from esacli.commands.ops import clustercheck, listeners, logins, tail, tlsverify
from esacli.commands.ops.logs import findevent, grep
from esacli.commands.ops.queue import (
    delivernow,
    hoststatus,
    rate,
    recipients,
    showrecipients,
    suspension,
    tophosts,
    workqueue,
)
from esacli.commands.ops.status import command as status
from esacli.commands.ops.tlsreadiness import command as tlsreadiness
from esacli.commands.ops.tlsreport import command as tlsreport
from esacli.commands.ops.trace import command as trace
from esacli.commands.reportingconfig import menu as reportingconfig
from esacli.commands.smtproutes import menu as smtproutes
from esacli.commands.sshconfig import menu as sshconfig
from esacli.commands.sslconfig import menu as sslconfig
from esacli.commands.tools import dig, netstat, telnet, version
from esacli.commands.userconfig import menu as userconfig
from esacli.commands.userconfig import passwd

COMMANDS: tuple[Command, ...] = (
    adminaccessconfig.COMMAND,
    alertconfig.COMMAND,
    daneverify.COMMAND,
    destconfig.COMMAND,
    dig.COMMAND,
    dnsconfig.COMMAND,
    smtproutes.COMMAND,
    sslconfig.COMMAND,
    tlsverify.COMMAND,
    tlsreadiness.COMMAND,
    tlsreport.COMMAND,
    trace.COMMAND,
    certconfig.COMMAND,
    clear.COMMAND,
    clustercheck.COMMAND,
    clusterconfig.COMMAND,
    clustermode.COMMAND,
    commit.COMMAND,
    interfaceconfig.COMMAND,
    listenerconfig.COMMAND,
    mtastsconfig.COMMAND,
    reportingconfig.COMMAND,
    rollbackconfig.COMMAND,
    sethostname.COMMAND,
    showchanges.COMMAND,
    tail.COMMAND,
    tlsrptconfig.COMMAND,
    netstat.COMMAND,
    telnet.COMMAND,
    status.COMMAND,
    showrecipients.COMMAND,
    delivernow.COMMAND,
    tophosts.COMMAND,
    recipients.BOUNCE_COMMAND,
    recipients.DELETE_COMMAND,
    findevent.COMMAND,
    grep.COMMAND,
    hoststatus.COMMAND,
    logconfig.COMMAND,
    rate.COMMAND,
    recipients.REDIRECT_COMMAND,
    suspension.RESUME,
    listeners.RESUME,
    suspension.SUSPEND,
    listeners.SUSPEND,
    workqueue.COMMAND,
    version.COMMAND,
    commitdetail.COMMAND,
    logins.LAST,
    loadconfig.COMMAND,
    configfile.MAILCONFIG,
    passwd.COMMAND,
    configfile.SAVECONFIG,
    configfile.SHOWCONFIG,
    sshconfig.COMMAND,
    userconfig.COMMAND,
    logins.WHO,
)

__all__ = ["COMMANDS", "Command", "Context", "Handler"]
