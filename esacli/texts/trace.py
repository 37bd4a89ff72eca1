"""CLI texts: `trace`, the appliance's what-if (nothing is sent).

The questions follow the appliance's trace ("Enter the source IP", "Select the listener
to trace behavior on:", "Enter the Envelope Recipient addresses. Separate multiple
addresses by commas."); the result is ours, one labelled line per step, in the order a
connection and its mail would meet them.
"""

from __future__ import annotations

from typing import Final

USAGE: Final = (
    "Usage: trace <source IP> [<recipient>[,<recipient>...]] [committed | pending]\n"
    "       trace destination <domain> [committed | pending]")
WHICH_CONFIG: Final = "Trace against which configuration?"
CONFIGS: Final = {"committed": "The committed configuration",
                  "pending": "This session's pending changes"}
SOURCE_IP: Final = "Enter the source IP"
BAD_IP: Final = 'Invalid IP address "{ip}".'
EHLO: Final = "Enter the name the client gives in EHLO (blank for none)"
CERT_NAME: Final = "Enter the name in the client's certificate (blank for none)"
LISTENER: Final = "Select the listener to trace behavior on:"
RECIPIENTS: Final = (
    "Enter the Envelope Recipient addresses.  Separate multiple addresses by commas.")
BAD_RECIPIENT: Final = 'Invalid address "{address}".'
DESTINATION: Final = "Enter the destination domain"
BAD_DOMAIN: Final = 'Invalid domain "{domain}".'
NO_LISTENER: Final = "There are no listeners to trace."

RESULT: Final = "Result (against {config}, nothing was sent):"
CONFIG_NAMES: Final = {"committed": "the committed configuration, version {version}",
                       "pending": "this session's pending changes"}
HAT: Final = "Host Access Table Processing"
RAT: Final = "Recipient Access Table Processing"
DELIVERY: Final = "Delivery Processing"
FIELDS: Final = {
    "listener": "Listener",
    "client": "Client",
    "ptr": "PTR name",
    "listed": "Listed in",
    "group": "Sender group",
    "policy": "Mail flow policy",
    "behavior": "Connection behavior",
    "tls": "TLS",
    "client_cert": "Client certificate",
    "report": "TLS report domain",
    "control": "Destination control",
    "route": "Route",
    "target": "Mail exchanger",
}
CLIENT: Final = "{ip} (EHLO {ehlo}; certificate name {cert})"
CLIENT_BARE: Final = "{ip}"
PTR: Final = "{name} ({status})"
PTR_NONE: Final = "none ({status})"
PTR_STATUS: Final = {"verified": "forward-confirmed", "unverified": "not forward-confirmed",
                     "none": "no PTR record", "unknown": "not looked up or the lookup failed"}
LISTENER_SUSPENDED: Final = (
    "  The listener is suspended (suspendlistener): connections get 421 4.3.2 until"
    " resumelistener.")
DELIVERY_SUSPENDED: Final = (
    "  Delivery is suspended (suspenddel): the recipients wait in the queue until resumedel.")
REFUSED: Final = "  The connection is refused: no recipient is accepted and nothing is delivered."
GROUP: Final = '{group} (row {row}, matched by "{rule}")'
GROUP_DEFAULT: Final = "none matched: the listener's default policy"
TLS_REQUIRED: Final = "{level}: STARTTLS offered and required before MAIL FROM"
TLS_OFFERED: Final = "{level}: STARTTLS offered"
TLS_NOT_OFFERED: Final = "{level}: STARTTLS not offered"
CERT_REQUIRED: Final = "asked for and required"
CERT_REQUESTED: Final = "asked for"
CERT_NOT_ASKED: Final = "not asked for"
RAT_SKIPPED: Final = "{address}: accepted (the RAT does not apply: {why})"
RAT_SKIPPED_WHY: Final = "a RELAY policy, or a private listener"
RAT_ACCEPT: Final = '{address}: {action} (entry "{entry}")'
RAT_NONE: Final = "{address}: REJECT (no entry matches)"
CONTROL: Final = "{row}: TLS {level}, {failure} when TLS fails"
ROUTE: Final = "{domain} -> {hosts}"
ROUTE_NONE: Final = "none: MX records"
FAILURES: Final = {"defer": "defer", "bounce": "bounce"}
TARGET: Final = "{host} ({ip}) port {port}, preference {preference}"
PLAN: Final = "    TLS plan: {level}, decided by {mechanism}"
PLAN_NAMES: Final = "    Names a Verify check accepts: {names}"
PLAN_REFUSED: Final = "    Refused: {reason}"
NO_DELIVERY: Final = "no delivery"  # the level a plan that refuses its MX shows
NO_TARGET: Final = "  No delivery: {reason}"
NO_TARGET_DEVNULL: Final = "  No delivery: the route drops the mail (/dev/null)"
DNS_NOTE: Final = "  {note}"
NONE: Final = "none"
