"""CLI texts: the queue's operational commands, `showrecipients`, `delivernow`, `tophosts`.

Operational commands act at once and need no commit (§2.1). The reference names them
(§2.1, §10) without their dialogs; what is known comes from Cisco's test harness
(substrings "enter the hostname", "enter the Envelope", "Sort results", "Status as of",
and the list items picked by "host" / "all" for delivernow). The rest is [M]: the most
plausible wording, kept here so it is easy to correct.
"""

from __future__ import annotations

from typing import Final

# -- help ----------------------------------------------------------------------------------
SHOWRECIPIENTS_DESCRIPTION: Final = (
    "Show messages from the queue by recipient host, Envelope From address, or all messages."
)
DELIVERNOW_DESCRIPTION: Final = "Reschedule messages for immediate delivery."
TOPHOSTS_DESCRIPTION: Final = "Display the top hosts by queue size."

# -- showrecipients ------------------------------------------------------------------------
SHOW_HOW: Final = "Please select how you would like to show messages:"
SHOW_OPTIONS: Final = ("By recipient host.", "By Envelope From address.", "All messages.")
SHOW_DEFAULT: Final = 3  # All messages
SHOW_HOST: Final = "Please enter the hostname for the messages you wish to show."
SHOW_SENDER: Final = "Please enter the Envelope From address for the messages you wish to show."
SHOW_CASE: Final = "Do you want the search to be case sensitive?"
SHOW_WAIT: Final = "Showing messages, please wait."
SHOW_NONE: Final = "There are no messages in the queue that match."
SHOW_COLUMNS: Final = (
    "MID", "RID", "Bytes", "Sender", "Recipient", "Status", "Attempts", "Next Retry",
    "Last Reason",
)
SHOW_TRUNCATED: Final = "Only the first {count} recipients are shown."
# A queued recipient is either waiting for its retry time or due (being delivered, or
# taken at the queue's next poll), or held while its domain's delivery is suspended;
# final ones are no longer in the queue.
STATUS_LABELS: Final = {
    "deferred": "Deferred",
    "due": "Delivering",
    "suspended": "Suspended",
    "delivered": "Delivered",
    "bounced": "Bounced",
    "dropped": "Dropped",
}
NO_VALUE: Final = "-"  # an empty cell (no retry time, no reason yet)
NULL_SENDER: Final = "<>"

# -- delivernow ----------------------------------------------------------------------------
DELIVERNOW_HOW: Final = "Please choose an option for scheduling immediate delivery."
DELIVERNOW_OPTIONS: Final = ("By recipient host", "All messages")
DELIVERNOW_DEFAULT: Final = 1
DELIVERNOW_DOMAIN: Final = "Please enter the domain to schedule for immediate delivery."
DELIVERNOW_DOMAIN_DONE: Final = "Rescheduling all messages to {domain} for immediate delivery."
DELIVERNOW_ALL_DONE: Final = "Rescheduling all messages for immediate delivery."
DELIVERNOW_COUNT: Final = "Recipients rescheduled: {count}"
DELIVERNOW_HELD: Final = (
    "Delivery is suspended for {domains}: those recipients wait for resumedel."
)
DELIVERNOW_HELD_ALL: Final = "Delivery is suspended: the recipients wait for resumedel."
DELIVERNOW_USAGE: Final = "Usage: delivernow [all | <domain>]"
QUEUE_BAD_DOMAIN: Final = 'Invalid hostname format: "{domain}".'

# -- tophosts ------------------------------------------------------------------------------
TOPHOSTS_SORT: Final = "Sort results by:"
# The appliance also sorts by "Connections Out"; the queue database does not know
# connections (the engine holds them), so that column and choice are left out.
TOPHOSTS_OPTIONS: Final = (
    ("Active Recipients", "active"),
    ("Delivered Recipients", "delivered"),
    ("Hard Bounced Recipients", "hard_bounced"),
    ("Soft Bounced Events", "soft_bounced"),
)
TOPHOSTS_AS_OF: Final = "Status as of:"
TOPHOSTS_RANK: Final = "#"
TOPHOSTS_HOST: Final = "Recipient Host"
# (heading line 1, heading line 2, the DomainLoad count shown), left to right
TOPHOSTS_COUNTS: Final = (
    ("Active", "Recip.", "active"),
    ("Deliv.", "Recip.", "delivered"),
    ("Soft", "Bounced", "soft_bounced"),
    ("Hard", "Bounced", "hard_bounced"),
)
TOPHOSTS_NONE: Final = "There are no hosts in the queue."

# -- all three -----------------------------------------------------------------------------
QUEUE_UNAVAILABLE: Final = "Couldn't read the mail queue. Please try again."
