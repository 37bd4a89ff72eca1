"""CLI texts: dnsconfig, tail (§8.7) and status (§8.6)."""

from __future__ import annotations

from typing import Final

# -- dnsconfig ----------------------------------------------------------------------
# Not in the reference: the wording is reconstructed from AsyncOS's `dnsconfig` as best
# known. The appliance's "Internet root DNS servers" are the system's resolver here, and
# the priority of a server is its place in the query order (0 is asked first).
DNS_LOCAL: Final = "Currently using the local DNS cache servers:"
DNS_SERVER: Final = "Priority: {priority} {ip}"
DNS_SYSTEM: Final = "Currently using the system resolver."
DNS_MENU: Final = {
    "NEW": "Add a new server.",
    "EDIT": "Edit a server.",
    "DELETE": "Remove a server.",
    "USE": "Use the system resolver.",
    "SETUP": "Configure general settings.",
}
DNS_NEW_IP: Final = "Please enter the IP address of your DNS server."
DNS_EDIT_IP: Final = "Please enter the new IP address of the DNS server."
DNS_INVALID_IP: Final = 'Invalid IP address: "{ip}"'
DNS_SERVER_EXISTS: Final = "The DNS server {ip} is already configured."
DNS_PRIORITY: Final = (
    "Please enter the priority for {ip}.\n"
    "A value of 0 is the highest priority."
)
DNS_EDIT_WHICH: Final = "Please enter the number of the server you wish to edit."
DNS_DELETE_WHICH: Final = "Please enter the number of the server you wish to remove."
DNS_USE_CONFIRM: Final = (
    "Are you sure you want to remove all DNS servers and use the system resolver?"
)
DNS_PORT: Final = "Please enter the port to send DNS queries to."
DNS_TIMEOUT: Final = "Enter the number of seconds to wait for a DNS query."


# -- tail (§8.7) [T "Unable to tail"; listing and stop line M] ----------------------
TAIL_CONFIGURED: Final = "Currently configured logs:"
TAIL_WHICH: Final = "Enter the number of the log you wish to tail."
TAIL_LOG_LINE: Final = '"{name}" Type: "{kind}" Retrieval: Manual Download'
TAIL_LOG_TYPES: Final = {"mail_logs": "IronPort Text Mail Logs", "system_logs": "System Logs"}
TAIL_STOP: Final = "Press Ctrl-C to stop."
TAIL_UNABLE: Final = 'Unable to tail "{name}": no such log.'
TAIL_USAGE: Final = "Usage: tail [log_name]"


# -- status (§8.6) [T labels; the Listeners block and the not-running lines are ours] ----
STATUS_USAGE: Final = "Usage: status [detail]"
STATUS_UNAVAILABLE: Final = "Couldn't obtain mail stats"
STATUS_NOT_RUNNING: Final = "The appliance is not running."
STATUS_LAST_SEEN: Final = "Last seen: {date}"
STATUS_AS_OF: Final = "Status as of:"
STATUS_UP_SINCE: Final = "Up since:"
STATUS_SYSTEM: Final = "System status:"
STATUS_ONLINE: Final = "Online"
STATUS_VERSION: Final = "Configuration version:"
STATUS_PENDING: Final = "{applied} ({head} pending apply)"
STATUS_NOT_APPLIED: Final = "{applied} (version {version} could not be applied: {reason})"
STATUS_NO_VERSION: Final = "None"
STATUS_OLDEST: Final = "Oldest Message:"
STATUS_NO_MESSAGES: Final = "No Messages"
STATUS_COUNTERS: Final = "Counters:"
STATUS_UPTIME: Final = "Uptime"
STATUS_GAUGES: Final = "Gauges:"
STATUS_CURRENT: Final = "Current"
# (indent level, label, key): level 1 is a heading, level 2 a row, level 3 a sub-row.
STATUS_COUNTER_ROWS: Final = (
    (1, "Receiving", ""),
    (2, "Messages Received", "messages_received"),
    (2, "Recipients Received", "recipients_received"),
    (1, "Rejection", ""),
    (2, "Rejected Recipients", "rejected_recipients"),
    (2, "Rejected Messages", "rejected_messages"),
    (2, "Rejected Connections", "rejected_connections"),
    (2, "Timed Out Connections", "timed_out_connections"),
    (2, "Refused Commands", "refused_commands"),
    (1, "Queue", ""),
    (2, "Soft Bounced Events", "soft_bounced_events"),
    (1, "Completion", ""),
    (2, "Completed Recipients", "completed_recipients"),
    (3, "Hard Bounced Recipients", "hard_bounced_recipients"),
    (3, "Delivered Recipients", "delivered_recipients"),
    (3, "Deleted Recipients", "deleted_recipients"),
)
# `status detail`: the rejected recipients by cause, under Rejected Recipients.
STATUS_REJECTION_DETAIL: Final = (
    (3, "Rejected by RAT", "rejected_recipients_rat"),
    (3, "Rejected by HAT", "rejected_recipients_hat"),
    (3, "Rate Limited", "rejected_recipients_rate_limit"),
    (3, "Over Recipient Limit", "rejected_recipients_limit"),
    (3, "Invalid Address", "rejected_recipients_invalid"),
)
STATUS_GAUGE_ROWS: Final = (
    (1, "Connections", ""),
    (2, "Current Inbound Conn.", "inbound_connections"),
    (1, "Queue", ""),
    (2, "Active Recipients", "active_recipients"),
    (2, "Messages In Work Queue", "messages_in_queue"),
)
STATUS_LISTENERS: Final = "Listeners:"
STATUS_RUNNING: Final = "Running"
STATUS_FAILED: Final = "Failed: {reason}"
# A listener that could not move to its new address and still listens on the old one.
STATUS_RUNNING_OLD: Final = "Running (cannot listen on {reason})"
STATUS_STOPPED: Final = "Stopped"
STATUS_DISABLED: Final = "Disabled: {reason}"


# -- esacli run: the console of a booting appliance --------------------------------------
BOOT_NOT_APPLIED: Final = (
    "Configuration version {version} could not be applied: {reason}\n"
    "Running configuration version {applied} instead. Commit a corrected configuration"
    " (or use rollbackconfig) to apply it."
)
BOOT_NOTHING_APPLIED: Final = (
    "No configuration version could be applied (version {version}: {reason}).\n"
    "No listener runs until a valid configuration is committed."
)
BOOT_LISTENER: Final = "Listener {name} on {address}: {state}"
BOOT_RUNNING: Final = "esacli running: SSH on {host}:{port}, data in {data}"
BOOT_FIRST_ONLY: Final = (
    "{option} ignored: it chooses the address of {listener} on the first boot only;"
    " {listener} is configured on {address} (change it with listenerconfig)."
)
