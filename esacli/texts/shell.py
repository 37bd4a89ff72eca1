"""CLI texts: the shell itself (§1): conventions, help, the command descriptions, sessions."""

from __future__ import annotations

from typing import Final

from state import messages

# -- §1 shell conventions ------------------------------------------------------------------
CHOOSE_OPERATION: Final = "Choose the operation you want to perform:"
ANSWER_YES_NO: Final = "Please answer Y or N."
UNKNOWN_OPTION: Final = 'Unknown option: "{answer}"'
AMBIGUOUS_OPTION: Final = 'Unknown option: "{answer}" is ambiguous ({matches}).'
NOT_VALID: Final = "That value is not valid."
ENTER_A_VALUE: Final = messages.ENTER_A_VALUE().text  # state says it too (an empty list)
PRESS_ENTER: Final = "Press Enter to continue."
MORE: Final = "-Press Any Key For More-"  # the pager (§1.2)
UNKNOWN_COMMAND: Final = "Unknown command or missing feature key: {command}"
# batch, after a failure or a dialog: the line could be an answer (esacli/shell.py)
UNKNOWN_LINE: Final = "Unknown command or missing feature key (not shown: it could be an answer)."
NOT_PERMITTED: Final = "You are not in the correct access group to use {command}."
NO_BATCH: Final = 'The "{command}" command does not take arguments here.'
HELP_HEADER: Final = "Type 'help <command>' for more information on a specific command."
HELP_NOT_AVAILABLE: Final = "help is not available for {command}"
HELP_USAGE: Final = "{command} - {description}"
HELP_SELF_USAGE: Final = "Usage: help [command]"
HELP_OPERATIONS: Final = "Operations:"
MENU_HELP: Final = "?"  # at an operation prompt: the operations again
INTERNAL_ERROR: Final = "An application fault occurred ({kind}). The command was not completed."
LINE_TOO_LONG: Final = "The line is longer than {limit} characters: it was discarded."
SESSION_FAULT: Final = "An application fault occurred ({kind}). The session was closed."
EXIT_WARNING: Final = (
    "Configuration changes entered but not committed. Exiting will lose changes.\n"
    "Type 'commit' at the command prompt to commit changes."
)
EXIT_CONFIRM: Final = "Are you sure you wish to exit?"
INPUT_ENDED_UNCOMMITTED: Final = (
    "The input ended with configuration changes not committed: they were discarded.\n"
    "End the input with 'commit' to keep them.")
# A batch input stopped by the shell's rule (esacli/shell.py): what follows a failure
# could be answers (a password) meant for questions never asked.
INPUT_STOPPED: Final = (
    "Input stopped: a line of it failed or was refused, and the lines after it could be"
    " answers to questions that were not asked. Nothing more was run or committed.")

# -- validation messages used by the dialogs (§1.5) ----------------------------------------
# What a value may be is state's to say (state/messages.py); the dialogs that check a
# name themselves (profiles, files) say it with the same words.
VALID_NAME_CHARS: Final = messages.NAME_CHARACTERS().text

# -- command descriptions (help) -----------------------------------------------------------
DESCRIPTIONS: Final = {
    "adminaccessconfig": "Configure the CLI session inactivity timeout.",
    "alertconfig": "Configure email alerts.",
    "daneverify": "Verify DANE support for a domain (no commit needed).",
    "destconfig": "Configure options for destination domains.",
    "bouncerecipients": "Bounce messages from the queue.",
    "deleterecipients": "Delete messages from the queue.",
    "dig": "Look up a DNS record.",
    "dnsconfig": "Configure DNS setup.",
    "findevent": "Find events in mail log files.",
    "grep": "Search for text in a log file.",
    "hoststatus": "Get the status of the given hostname.",
    "logconfig": "Configure access to log files.",
    "rate": "Monitor message throughput.",
    "redirectrecipients": "Redirect all messages to another relay host.",
    "resumedel": "Resume deliveries.",
    "resumelistener": "Resume receiving.",
    "suspenddel": "Suspend deliveries.",
    "suspendlistener": "Suspend receiving.",
    "workqueue": "Display work queue status and statistics.",
    "smtproutes": "Set up permanent domain redirections.",
    "sslconfig": "Configure SSL settings.",
    "tlsverify": "Check TLS configuration of a domain (no commit needed).",
    "tlsreadiness": "Show a partner domain's TLS readiness and what Required - Verify would do.",
    "tlsreport": "Show the TLS connections report (incoming and outgoing, per domain).",
    "trace": "Trace the flow of a message through the system (nothing is sent).",
    "reportingconfig": "Configure the TLS statistics and the web console.",
    "certconfig": "Configure security certificates and keys.",
    "clear": "Clear pending configuration changes since last commit.",
    "clustercheck": "Check the configuration of every machine of the cluster.",
    "clusterconfig": "Configure cluster related settings.",
    "clustermode": "Select the cluster mode (level) to edit.",
    "commit": "Commit changes.",
    "commitdetail": "Display details of a committed configuration version.",
    "exit": "Exit the CLI.",
    "help": "Help.",
    "interfaceconfig": "Configure the IP interfaces.",
    "listenerconfig": "Configure mail listeners.",
    "mtastsconfig": "View the cached MTA-STS policies, fetch one now.",
    "rollbackconfig": "Roll back to one of the last 10 committed configurations.",
    "sethostname": "Set the name of the machine.",
    "last": "Display who has recently logged into the system.",
    "loadconfig": "Load a configuration file.",
    "mailconfig": "Mail the current configuration to an email address.",
    "passwd": "Change your password.",
    "saveconfig": "Save the configuration to disk.",
    "showchanges": "Show the pending configuration changes.",
    "showconfig": "Display all configuration values.",
    "sshconfig": "Configure SSH keys and SSH login settings.",
    "tail": "Continuously display the end of a log file.",
    "tlsrptconfig": "Configure TLS reporting (RFC 8460).",
    "netstat": "Display network connections of the appliance.",
    "telnet": "Connect to a remote host's SMTP service (banner, EHLO, QUIT).",
    "status": "System status.",
    "version": "View system version information.",
    "userconfig": "Manage user accounts.",
    "who": "List who is logged in.",
}

# -- sessions ------------------------------------------------------------------------------
# Printed when an interactive session has been idle too long (commit model §1).
IDLE_TIMEOUT: Final = (
    "\n\nSession idle too long: logging out. Uncommitted changes were discarded.\n")
# Printed on every open session when `esacli run` stops (SIGTERM, Ctrl-C on its console).
SHUTTING_DOWN: Final = (
    "The appliance is shutting down: this session ends. Changes not committed are lost.")
