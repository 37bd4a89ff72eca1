"""CLI texts: listener and queue control (suspendlistener, resumelistener, suspenddel,
resumedel, workqueue, hoststatus, deleterecipients, bouncerecipients,
redirectrecipients, rate). All act at once, no commit (reference §2.1).

The reference names these commands only; the wording follows the appliance's as
administrators know it [M], in the catalogue's style.
"""

from __future__ import annotations

from typing import Final

from esacli.texts import configfile

# -- suspendlistener / resumelistener ------------------------------------------------------
LISTENERS_SUSPEND: Final = (
    "Choose the listener(s) you wish to suspend.\nSeparate multiple entries with commas.")
LISTENERS_RESUME: Final = (
    "Choose the listener(s) you wish to resume.\nSeparate multiple entries with commas.")
LISTENERS_ALL: Final = "All"
LISTENERS_NONE: Final = "There are no listeners."
LISTENERS_BAD_CHOICE: Final = 'Not a valid choice: "{answer}".'
SUSPENDED: Final = "Receiving suspended for {names}."
RESUMED: Final = "Receiving resumed for {names}."
ALREADY_SUSPENDED: Final = "Receiving was already suspended for {names}."
ALREADY_RESUMED: Final = "Receiving was not suspended for {names}."
SUSPEND_NOTE: Final = (
    "New connections are refused with 421; open connections finish their work.")
SUSPENDLISTENER_USAGE: Final = "Usage: suspendlistener [listener_name[,...] | all]"
RESUMELISTENER_USAGE: Final = "Usage: resumelistener [listener_name[,...] | all]"

# -- suspenddel / resumedel -------------------------------------------------------------------
DEL_SUSPEND_DOMAINS: Final = (
    "Enter one or more domains [comma-separated] to which you want to suspend delivery.")
DEL_RESUME_DOMAINS: Final = (
    "Enter one or more domains [comma-separated] to which you want to resume delivery.")
DEL_ALL: Final = "ALL"
DEL_SUSPENDED_ALL: Final = "Delivery suspended for all domains."
DEL_SUSPENDED: Final = "Delivery suspended for {domains}."
DEL_RESUMED_ALL: Final = "Delivery resumed for all domains."
DEL_RESUMED: Final = "Delivery resumed for {domains}."
DEL_UNCHANGED: Final = "Nothing to change: delivery is already so."
DEL_STILL_ALL: Final = (
    "Delivery is suspended for all domains: {domains} waits until resumedel all.")
SUSPENDDEL_USAGE: Final = "Usage: suspenddel [domain[,...] | all]"
RESUMEDEL_USAGE: Final = "Usage: resumedel [domain[,...] | all]"

# -- deleterecipients / bouncerecipients / redirectrecipients --------------------------------
RCPTS_HOW: Final = "Please select how you would like to {verb} messages:"
RCPTS_OPTIONS: Final = ("By recipient host.", "By envelope sender address.", "All.")
RCPTS_HOST: Final = "Please enter the hostname for the messages you wish to {verb}."
RCPTS_SENDER: Final = (
    "Please enter the envelope sender address for the messages you wish to {verb}.")
RCPTS_BAD_SENDER: Final = 'Invalid envelope sender address: "{sender}".'
RCPTS_COUNT: Final = ("There is {n} recipient that matches.",
                      "There are {n} recipients that match.")
RCPTS_N: Final = ("{n} recipient", "{n} recipients")
RCPTS_NONE: Final = "No recipients match."
RCPTS_CONFIRM: Final = "Are you sure you want to {verb} {count}?"
RCPTS_DONE: Final = "{count} {done}."
RCPTS_CANCELLED: Final = "Nothing was changed."
RCPTS_VERBS: Final = {"delete": ("delete", "deleted"), "bounce": ("bounce", "bounced"),
                      "redirect": ("redirect", "redirected")}
REDIRECT_HOST: Final = "Please enter the hostname of the machine you want to send the mail to."
REDIRECT_NO_IP: Final = (
    "Please enter a hostname: mail redirected to an IP address could not be delivered"
    " (give the address a name, or an smtproutes route).")
REDIRECT_WARNING: Final = (
    "WARNING: redirecting recipients to a host or IP address that is not prepared to accept"
    " them may result in message loss.")
REDIRECT_DONE: Final = '{count} redirected to "{host}".'
REDIRECT_CONFIRM: Final = 'Are you sure you want to redirect {count} to "{host}"?'
REDIRECT_NOT_FQDN: Final = (
    'Please enter a fully qualified hostname: "{host}" would bounce every message sent'
    " to it.")
RCPTS_USAGE: Final = "Usage: {command} [host <domain> | sender <address> | all] [yes]"
REDIRECT_USAGE: Final = (
    "Usage: redirectrecipients <host> [host <domain> | sender <address> | all] [yes]")

# -- hoststatus ----------------------------------------------------------------------------
HOSTSTATUS_DOMAIN: Final = "Recipient host:"
HOSTSTATUS_USAGE: Final = "Usage: hoststatus <domain>"
HOSTSTATUS_HEAD: Final = 'Host mail status for: "{domain}"'
HOSTSTATUS_ROWS: Final = (
    ("Status as of:", "as_of"),
    ("Host up/down:", "up"),
    ("Delivery:", "delivery"),
    ("Active Recipients:", "active"),
    ("Delivered Recipients:", "delivered"),
    ("Hard Bounced Recipients:", "hard_bounced"),
    ("Soft Bounced Events:", "soft_bounced"),
    ("Connections (last 30 days):", "connections"),
    ("Last TLS outcome:", "tls"),
    ("Last error:", "error"),
)
HOSTSTATUS_UP: Final = "up"
HOSTSTATUS_UNKNOWN: Final = "unknown"
HOSTSTATUS_DOWN: Final = "down"
HOSTSTATUS_RUNNING: Final = "running"
HOSTSTATUS_SUSPENDED: Final = "suspended (suspenddel)"
# A value that is not there, as every screen shows one (commitdetail, tlsverify).
HOSTSTATUS_ABSENT: Final = configfile.DETAIL_ABSENT

# -- workqueue ------------------------------------------------------------------------------
WORKQUEUE_MENU: Final = {"STATUS": "Display work queue status.",
                         "RATE": "Display work queue statistics."}
WORKQUEUE_STATUS: Final = (
    "Status as of:                  {date}\n"
    "Status:                        {state}\n"
    "Messages in Work Queue:        {incoming}\n"
    "Active Recipients:             {active}\n"
    "Delivery:                      {delivery}")
WORKQUEUE_USAGE: Final = "Usage: workqueue [status | rate [seconds]]"
WORKQUEUE_OPERATIONAL: Final = "Operational"
WORKQUEUE_RUNNING: Final = "running"
WORKQUEUE_SUSPENDED_ALL: Final = "suspended for all domains"
WORKQUEUE_SUSPENDED_SOME: Final = "suspended for {domains}"

# -- rate -----------------------------------------------------------------------------------
RATE_INTERVAL: Final = "Enter the number of seconds between displays."
RATE_USAGE: Final = "Usage: rate [seconds]"
RATE_STOP: Final = "Hit Ctrl-C to return to the main prompt."
# (top line, second line, width) of each column after the time; status.json's figures
RATE_COLUMNS: Final = (
    ("Connections", "In", 12),
    ("Messages", "Received", 10),
    ("", "Delta", 7),
    ("Recipients", "Received", 11),
    ("", "Delta", 7),
    ("Recipients", "Completed", 11),
    ("", "Delta", 7),
    ("Queue", "Active", 8),
)
RATE_TIME: Final = "Time"
RATE_UNAVAILABLE: Final = "Couldn't obtain mail stats"
