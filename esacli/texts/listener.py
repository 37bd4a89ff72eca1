"""CLI texts: listenerconfig (§3): the listener list, NEW, EDIT, SETUP, and the one-line
forms (§1.4)."""

from __future__ import annotations

from typing import Final

# -- §3 listenerconfig ---------------------------------------------------------------------
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

# -- §1.4 listenerconfig batch forms -------------------------------------------------------
LISTENERCONFIG_USAGE: Final = (
    "listenerconfig edit <listener> hostaccess new sendergroup <name> <hosts> <behavior>"
    " [options]\n"
    "listenerconfig edit <listener> hostaccess new policy <name> <behavior> [options]\n"
    "listenerconfig edit <listener> hostaccess edit sendergroup <name> <new_host_list>\n"
    "listenerconfig edit <listener> hostaccess edit policy <name> <behavior> [options]\n"
    "listenerconfig edit <listener> hostaccess delete sendergroup|policy <name>\n"
    "listenerconfig edit <listener> hostaccess move <sendergroup> <before>\n"
    "listenerconfig edit <listener> hostaccess default [options]\n"
    "listenerconfig edit <listener> hostaccess print|import <file>|export <file>\n"
    "listenerconfig edit <listener> rcptaccess new <address> <accept|reject>\n"
    "options: --max_size= --max_conn= --max_msgs= --max_rcpt= --override= --rate_lim=\n"
    "         --cust_acc= --acc_code= --cust_rej= --rej_code= --cust_lim= --lim_code=\n"
    "         --tls=off|on|required|on_verify|require_verify  (policies: value \"default\")"
)
BATCH_USAGE_ERROR: Final = "Invalid listenerconfig batch command. Type 'help listenerconfig'."
BATCH_NO_LISTENER: Final = 'Unknown listener "{name}".'
BATCH_IMPORT_NEEDS_FILE: Final = 'The hostaccess "import" command requires a filename'
BATCH_EXPORT_NEEDS_FILE: Final = 'The hostaccess "export" command requires a filename.'
BATCH_DELETE_USAGE: Final = (
    'The hostaccess "delete" command requires either "sendergroup" or "policy" and a name.'
)
BATCH_MOVE_USAGE: Final = 'The hostaccess "move" command requires a sendergroup'
