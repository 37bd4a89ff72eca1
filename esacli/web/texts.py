"""Every text the web console shows (column labels and definitions of the TLS report come
from engine/tlsstats/texts.py, TLS setting names from esacli/texts)."""

from __future__ import annotations

from typing import Final

TITLE: Final = "{hostname}: {page}"
NAV: Final = {
    "/": "TLS connections",
    "/readiness": "Partner readiness",
    "/queue": "Queue",
    "/listeners": "Listeners",
    "/commits": "Recent commits",
}
LOGOUT: Final = "Log out"
SIGNED_IN: Final = "Signed in as {user}"

LOGIN_PAGE: Final = "Log in"
LOGIN_USER: Final = "User name"
LOGIN_PASSWORD: Final = "Password"
LOGIN_BUTTON: Final = "Log in"
LOGIN_FAILED: Final = "Login failed: wrong user name or password."
LOGIN_BAD_REQUEST: Final = "The request was refused."
REQUEST_TIMEOUT: Final = "The request took too long and was dropped."

REPORT_PAGE: Final = "TLS connections"
REPORT_INBOUND: Final = "Incoming connections ({period})"
REPORT_OUTBOUND: Final = "Outgoing connections ({period})"
REPORT_NONE: Final = "No connections recorded in this time range."
REPORT_PERIODS: Final = {"hour": "Last hour", "day": "Last day", "week": "Last 7 days",
                         "month": "Last 30 days"}
REPORT_CUSTOM: Final = "Custom range"
REPORT_FROM: Final = "From (YYYY-MM-DD)"
REPORT_TO: Final = "To (YYYY-MM-DD)"
REPORT_SHOW: Final = "Show"
REPORT_BAD_RANGE: Final = "{why} The last day is shown."
REPORT_BAD_PERIOD: Final = (
    'The time range "{period}" is not known ({periods}): the last day is shown.')
REPORT_DEFINITIONS: Final = "What each column counts"
CHART_TLS: Final = "{direction}: TLS and clear connections"
CHART_VERIFIED: Final = "{direction}: verified and not verified TLS connections"
CHART_FAILURES: Final = "{direction}: TLS failures by RFC 8460 result type"
SERIES_TLS: Final = "TLS"
SERIES_CLEAR: Final = "Clear"
SERIES_VERIFIED: Final = "Verified"
SERIES_NOT_VERIFIED: Final = "Not verified"
DIRECTIONS: Final = {"in": "Incoming", "out": "Outgoing"}

READINESS_PAGE: Final = "Partner readiness"
READINESS_DOMAIN: Final = "Domain"
READINESS_DIRECTION: Final = "Direction"
READINESS_NONE: Final = "Nothing recorded for {domain} ({direction}) in the last {period}."
READINESS_NOTE: Final = (
    "From the connections recorded in the last {period} (live probes come from the shell's"
    " tlsverify)."
)
READINESS_COLUMNS: Final = ("Host", "Addresses", "Connections", "STARTTLS offered", "TLS",
                            "Verified", "Versions", "Ciphers", "Certificate names",
                            "Failures", "Last seen")
READINESS_PICK: Final = "Pick a domain of the report, or type one."
READINESS_BAD_DOMAIN: Final = (
    'Invalid domain "{domain}". Type a domain such as example.com, or a client address'
    " as [192.0.2.1]."
)

QUEUE_PAGE: Final = "Queue"
QUEUE_SUMMARY: Final = "Messages in the queue: {messages}; recipients waiting: {recipients}."
QUEUE_COLUMNS: Final = ("Domain", "Active", "Delivered", "Hard bounced", "Soft bounced",
                        "Oldest (seconds)")
QUEUE_EMPTY: Final = "The queue is empty."
QUEUE_UNAVAILABLE: Final = "The queue cannot be read: {reason}"

LISTENERS_PAGE: Final = "Listeners"
LISTENERS_COLUMNS: Final = ("Listener", "Address", "State", "Reason")
ENGINE_DOWN: Final = "The engine is not running (no recent status)."
ENGINE_VERSION: Final = "Configuration version applied: {version}; newest committed: {head}."

COMMITS_PAGE: Final = "Recent commits"
COMMITS_COLUMNS: Final = ("Version", "Time", "User", "Source", "Comment")

NOT_FOUND: Final = "Not found."

# -- esacli run ---------------------------------------------------------------------------
CONSOLE_RUNNING: Final = "Web console on https://{address}"
CONSOLE_FAILED: Final = "Web console cannot listen on {address}: {reason}"
CONSOLE_OFF: Final = "Web console off"

# -- metrics (help texts) ---------------------------------------------------------------
METRIC_HELP: Final = {
    "up": "1 when the engine has published a live status, else 0",
    "config_version_applied": "The configuration version the engine runs",
    "config_version_committed": "The newest committed configuration version",
    "inbound_connections": "Inbound connections open now",
    "queue_messages": "Messages in the queue, not yet done",
    "queue_recipients": "Recipients waiting for delivery",
    "messages_received": "Messages received since the engine started",
    "recipients_delivered": "Recipients delivered since the engine started",
    "recipients_bounced": "Recipients hard-bounced since the engine started",
    "deferrals": "Temporary delivery failures (soft bounces) since the engine started",
    "connections_rejected": "Inbound connections refused by the HAT or a limit since start",
    "connections": "Connections recorded by the TLS statistics, by direction",
    "messages": "Messages over recorded connections, by direction and TLS",
    "tls_connections": (
        "Connections recorded by the TLS statistics, by direction, TLS or not, and RFC 8460"
        " result type (\"none\" where the connection had no failure)"
    ),
}
