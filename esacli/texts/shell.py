"""CLI texts: The shell itself, commit and clear, generic validation messages, listenerconfig."""

from __future__ import annotations

from typing import Final

# -- §1 shell conventions ----------------------------------------------------------
CHOOSE_OPERATION: Final = "Choose the operation you want to perform:"
ANSWER_YES_NO: Final = "Please answer Y or N."
UNKNOWN_OPTION: Final = 'Unknown option: "{answer}"'
AMBIGUOUS_OPTION: Final = 'Unknown option: "{answer}" is ambiguous ({matches}).'
NOT_VALID: Final = "That value is not valid."
ENTER_A_VALUE: Final = "Please enter a value."
PRESS_ENTER: Final = "Press Enter to continue."

UNKNOWN_COMMAND: Final = "Unknown command or missing feature key: {command}"
NO_BATCH: Final = 'The "{command}" command does not take arguments here.'
HELP_HEADER: Final = "Type 'help <command>' for more information on a specific command."
HELP_NOT_AVAILABLE: Final = "help is not available for {command}"
HELP_USAGE: Final = "{command} - {description}"
INTERNAL_ERROR: Final = "An application fault occurred ({kind}). The command was not completed."
LINE_TOO_LONG: Final = "The line is longer than {limit} characters: it was discarded."
SESSION_FAULT: Final = "An application fault occurred ({kind}). The session was closed."

EXIT_WARNING: Final = (
    "Configuration changes entered but not committed. Exiting will lose changes.\n"
    "Type 'commit' at the command prompt to commit changes."
)
EXIT_CONFIRM: Final = "Are you sure you wish to exit?"

# -- validation messages used by the dialogs (§1.5) --------------------------------
# A number out of range: state.numbers (INT_RANGE), shared with commit validation.
SIZE_FORMAT: Final = (
    "The value must be a number of bytes, optionally followed by k for kilobytes"
    " or M for megabytes."
)
VALID_NAME_CHARS: Final = (
    'Valid characters are letters, digits, "-", "_" and "." (at most 64 characters).'
)

# -- command descriptions (help) ---------------------------------------------------
DESCRIPTIONS: Final = {
    "alertconfig": "Configure email alerts.",
    "destconfig": "Configure options for destination domains.",
    "dnsconfig": "Configure DNS setup.",
    "smtproutes": "Set up permanent domain redirections.",
    "sslconfig": "Configure SSL settings.",
    "tlsverify": "Check TLS configuration of a domain (no commit needed).",
    "certconfig": "Configure security certificates and keys.",
    "clear": "Clear pending configuration changes since last commit.",
    "commit": "Commit changes.",
    "exit": "Exit the CLI.",
    "help": "Help.",
    "listenerconfig": "Configure mail listeners.",
    "rollbackconfig": "Roll back to one of the last 10 committed configurations.",
    "showchanges": "Show the pending configuration changes.",
    "tail": "Continuously display the end of a log file.",
    "status": "System status.",
}

# -- §2 commit, clear ---------------------------------------------------------------
COMMIT_COMMENT: Final = "Please enter some comments describing your changes:"
COMMITTED: Final = "Changes committed: {date}"
NO_DATA_TO_COMMIT: Final = "There is no data to commit."
COMMIT_MERGED: Final = "These changes committed by another session were merged:"
COMMIT_ERRORS: Final = "The configuration is not valid:"
COMMIT_CONFLICTS: Final = "Another session committed changes to the same settings:"
CONFLICT_SIDES: Final = "    committed before: {base}\n    theirs: {theirs}\n    yours: {mine}"
NOTHING_COMMITTED: Final = "Nothing was committed. Your changes are still pending."
CLEAR_CONFIRM: Final = "Are you sure you want to clear all changes since the last commit?"
CLEARED: Final = "Changes cleared: {date}"
NO_CHANGES: Final = "No changes have been made since the last commit."

# -- §3 listenerconfig --------------------------------------------------------------
LISTENERS_HEADER: Final = "Currently configured listeners:"
NO_LISTENERS: Final = "No listeners configured."
LISTENER_LINE: Final = "{n}. {name} (on {interface}, {ip}) {protocol} TCP Port {port} {type}"
LISTENER_MENU: Final = {
    "NEW": "Create a new listener.",
    "EDIT": "Modify a listener.",
    "DELETE": "Remove a listener.",
    "SETUP": "Change global settings.",
}
LISTENER_TYPE: Final = "Please select the type of listener you want to create."
LISTENER_TYPES: Final = ("Private", "Public")  # Blackhole has no place in the model
LISTENER_NAME: Final = 'Please create a name for this listener (Ex: "InboundMail"):'
LISTENER_NAME_TAKEN: Final = 'A listener named "{name}" already exists.'
LISTENER_INTERFACE: Final = "Please choose an IP interface for this Listener."
INTERFACE_LINE: Final = "{name} ({ip}: {hostname})"
LISTENER_PROTOCOL: Final = "Choose a protocol."
PROTOCOLS: Final = ("SMTP",)  # QMQP is not served by this engine
LISTENER_PORT: Final = "Please enter the TCP port for this listener."
DEFAULT_PORT: Final = 25
ACCEPT_FOR: Final = (
    "Please specify the domains or specific addresses you want to accept mail for.\n"
    'Hostnames such as "example.com" are allowed.\n'
    'Partial hostnames such as ".example.com" are allowed.\n'
    'Usernames such as "postmaster@" are allowed.\n'
    'Full email addresses such as "joe@example.com" or "joe@[1.2.3.4]" are allowed.\n'
    "Separate multiple addresses with commas."
)
MODEL: Final = "appliance"
RELAY_FOR: Final = (
    f"Please specify the systems allowed to relay email through the {MODEL}.\n"
    'Hostnames such as "example.com" are allowed.\n'
    'Partial hostnames such as ".example.com" are allowed.\n'
    "IP addresses, IP address ranges, and partial IP addresses are allowed.\n"
    "Separate multiple entries with commas."
)
USE_SBRS: Final = (
    "Do you want to enable filtering based on SenderBase Reputation Service (SBRS) Scores for"
    " this listener? (Your selection will be used to filter all incoming mail based on its"
    " SBRS Score.)"
)
RATE_LIMIT: Final = (
    "Do you want to enable rate limiting for this listener? (Rate limiting defines the maximum"
    " number of recipients per hour you are willing to receive from a remote domain.)"
)
RATE_LIMIT_MAX: Final = (
    "Enter the maximum number of recipients per hour to accept from a remote domain."
)
CHANGE_HOST_ACCESS: Final = "Would you like to change the default host access policy?"
LISTENER_CREATED: Final = (
    "Listener {name} created.\n"
    "Defaults have been set for a {type} listener.\n"
    "Use the listenerconfig->EDIT command to customize the listener."
)
EDIT_WHICH: Final = "Enter the name or number of the listener you wish to edit."
DELETE_WHICH: Final = "Enter the name or number of the listener you wish to delete."
DELETE_CONFIRM: Final = 'Are you sure you want to delete the listener "{name}"?'
LISTENER_DELETED: Final = "Listener {name} deleted."
LISTENER_SUMMARY: Final = (
    "Name: {name}\n"
    "Type: {type}\n"
    "Interface: {interface} ({ip}) TCP Port {port}\n"
    "Protocol: {protocol}\n"
    "Max Concurrent Connections: {max_connections} (TCP Queue: {tcp_queue})\n"
    "TLS: {tls}\n"
    "Certificate: {certificate}"
)
EDIT_MENU: Final = {
    "NAME": "Change the name of the listener.",
    "INTERFACE": "Change the interface.",
    "CERTIFICATE": "Choose the certificate.",
    "LIMITS": "Change the injection limits.",
    "HOSTACCESS": "Modify the Host Access Table.",
    "RCPTACCESS": "Modify the Recipient Access Table.",
}
LISTENER_NEW_NAME: Final = "Please enter the new name for this listener:"
LISTENER_CERTIFICATE: Final = "Please choose the certificate to use for TLS on this listener."
DEMO_CERT_QUESTION: Final = (
    "You may use the demo certificate to test TLS, but this will not be secure.\n"
    "Do you really wish to use the demo certificate?"
)
MAX_CONNECTIONS: Final = "Please enter the maximum number of concurrent connections allowed."
TCP_QUEUE: Final = "Please enter the TCP listen queue size."


# -- sessions ---------------------------------------------------------------------
# Printed when an interactive session has been idle too long (commit-model.md §1).
IDLE_TIMEOUT: Final = "\n\nSession idle too long: logging out. Uncommitted changes were discarded.\n"
