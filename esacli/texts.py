"""Every AsyncOS prompt, menu label and message the shell prints, as data.

Taken from /work/shared/reference/asyncos-cli.md (section numbers below). Where the
reference marks wording as uncertain ([M]) the most plausible text is used; keep
every string here so it is easy to correct in one place.
"""

from __future__ import annotations

from typing import Final

MenuItem = tuple[str, str]

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

EXIT_WARNING: Final = (
    "Configuration changes entered but not committed. Exiting will lose changes.\n"
    "Type 'commit' at the command prompt to commit changes."
)
EXIT_CONFIRM: Final = "Are you sure you wish to exit?"

# -- validation messages used by the dialogs (§1.5) --------------------------------
INT_RANGE: Final = "The value must be an integer from {low} to {high}."
INT_POSITIVE: Final = "The value must be an integer greater than 0."
SIZE_FORMAT: Final = (
    "The value must be a number of bytes, optionally followed by k for kilobytes"
    " or M for megabytes."
)
VALID_NAME_CHARS: Final = (
    'Valid characters are letters, digits, "-", "_" and "." (at most 64 characters).'
)

# -- command descriptions (help) ---------------------------------------------------
DESCRIPTIONS: Final = {
    "certconfig": "Configure security certificates and keys.",
    "clear": "Clear pending configuration changes since last commit.",
    "commit": "Commit changes.",
    "exit": "Exit the CLI.",
    "help": "Help.",
    "listenerconfig": "Configure mail listeners.",
    "showchanges": "Show the pending configuration changes.",
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
LISTENER_MENU: Final[list[MenuItem]] = [
    ("NEW", "Create a new listener."),
    ("EDIT", "Modify a listener."),
    ("DELETE", "Remove a listener."),
]
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
EDIT_MENU: Final[list[MenuItem]] = [
    ("NAME", "Change the name of the listener."),
    ("INTERFACE", "Change the interface."),
    ("CERTIFICATE", "Choose the certificate."),
    ("LIMITS", "Change the injection limits."),
    ("HOSTACCESS", "Modify the Host Access Table."),
]
LISTENER_NEW_NAME: Final = "Please enter the new name for this listener:"
LISTENER_CERTIFICATE: Final = "Please choose the certificate to use for TLS on this listener."
DEMO_CERT_QUESTION: Final = (
    "You may use the demo certificate to test TLS, but this will not be secure.\n"
    "Do you really wish to use the demo certificate?"
)
MAX_CONNECTIONS: Final = "Please enter the maximum number of concurrent connections allowed."
TCP_QUEUE: Final = "Please enter the TCP listen queue size."

# -- §4 HOSTACCESS ------------------------------------------------------------------
POLICY_BLOCK_TITLE: Final = "Default Policy Parameters\n=========================="
POLICY_LINES: Final = (
    ("max_message_size", "Maximum Message Size: {}"),
    ("max_concurrency", "Maximum Number Of Concurrent Connections From A Single IP: {}"),
    ("max_msgs_per_session", "Maximum Number Of Messages Per Connection: {}"),
    ("max_rcpts_per_msg", "Maximum Number Of Recipients Per Message: {}"),
    ("tls", "Allow TLS Connections: {}"),
)
POLICY_COUNTS: Final = (
    "There are currently {policies} policies defined.\n"
    "There are currently {groups} sender groups."
)
HAT_MENU: Final[list[MenuItem]] = [
    ("DEFAULT", "Set the defaults."),
    ("PRINT", "Display the table."),
]
ASK_MAX_SIZE: Final = (
    "Enter the maximum message size. Add a trailing k for kilobytes, M for megabytes, or no"
    " letter for bytes."
)
ASK_MAX_CONCURRENCY: Final = (
    "Enter the maximum number of concurrent connections allowed from a single IP address."
)
ASK_MAX_MSGS: Final = "Enter the maximum number of messages per connection."
ASK_MAX_RCPTS: Final = "Enter the maximum number of recipients per message."
# Printed when an interactive session has been idle too long (commit-model.md §1).
IDLE_TIMEOUT: Final = "\n\nSession idle too long: logging out. Uncommitted changes were discarded.\n"
ASK_TLS: Final = "Do you want to allow encrypted TLS connections?"
# Labels in the order of the §4.4 list; keys are state.model.TLSMode values.
TLS_LABELS: Final = {
    "off": "No",
    "on": "Preferred",
    "required": "Required",
    "on_verify": "Preferred - Verify",
    "require_verify": "Required - Verify",
}
TLS_REMINDER: Final = (
    "You have chosen to enable TLS. Please use the 'certconfig' command to ensure that there"
    " is a valid certificate configured."
)

# -- §7 certconfig ------------------------------------------------------------------
DEMO_WARNING: Final = (
    "WARNING: You are currently using a demonstration certificate which is not secure and is"
    " not recommended for general use. Please create or import a certificate with the"
    " certconfig command."
)
CERTCONFIG_MENU: Final[list[MenuItem]] = [
    ("CERTIFICATE", "Import, Create a request, Edit or Remove Certificate Profiles"),
]
CERT_LIST_TITLE: Final = "List of Certificates"
CERT_COLUMNS: Final = ("Name", "Common Name", "Issued By", "Status", "Remaining")
CERT_REMAINING: Final = "{days} days"
CERTIFICATE_MENU: Final[list[MenuItem]] = [
    ("PASTE", "Paste a certificate into the CLI"),
]
CERT_PROFILE_NAME: Final = "Enter a name for this certificate profile:"
CERT_OVERWRITE: Final = (
    'Certificate profile "{name}" already exists. Do you want to overwrite with this new one?'
)
PASTE_CERT: Final = "Paste public certificate in PEM format (end with '.'):"
PASTE_KEY: Final = "Paste private key in PEM format (end with '.'):"
PASTE_INTERMEDIATE: Final = "Paste intermediate certificate in PEM format (end with '.'):"
ADD_INTERMEDIATE: Final = "Do you want to add an intermediate certificate?"
ADD_ANOTHER_INTERMEDIATE: Final = "Do you want to add another intermediate certificate?"
CHECK_FQDN: Final = (
    "Do you want to check if Common Name is in Fully Qualified Domain Name(FQDN) format?"
)
NOT_FQDN: Final = 'The Common Name "{cn}" is not in FQDN format. The certificate was not added.'
INVALID_CERT: Final = "Invalid certificate...discarding"
INVALID_KEY: Final = "Invalid private key ...discarding"
KEY_MISMATCH: Final = "key does not sign certificate"
END_OF_PASTE: Final = "."
