"""CLI texts: the operational commands status (§8.6), tail (§8.7) and tlsverify (§8.3)."""

from __future__ import annotations

from typing import Final

# -- tail (§8.7) [T "Unable to tail"; listing and stop line M] -----------------------------
TAIL_CONFIGURED: Final = "Currently configured logs:"
TAIL_WHICH: Final = "Enter the number of the log you wish to tail."
TAIL_LOG_LINE: Final = '"{name}" Type: "{kind}" Retrieval: Manual Download'
TAIL_LOG_TYPES: Final = {"mail_logs": "IronPort Text Mail Logs", "system_logs": "System Logs"}
TAIL_STOP: Final = "Press Ctrl-C to stop."
TAIL_UNABLE: Final = 'Unable to tail "{name}": no such log.'
TAIL_USAGE: Final = "Usage: tail [log_name]"

# -- status (§8.6) [T labels; the Listeners block and the not-running lines are ours] ------
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

# -- §8.3 tlsverify ------------------------------------------------------------------------
TLSVERIFY_DOMAIN: Final = "Enter the TLS domain to verify against:"
TLSVERIFY_HOST: Final = (
    "Enter the destination host to connect to. Leave the host blank to connect to the MX"
    " servers for the domain."
)
TLSVERIFY_USAGE: Final = "tlsverify [<domain> [<hostname>[:<port>]]]"
TLSVERIFY_BAD_DOMAIN: Final = 'Invalid hostname format: "{domain}".'
