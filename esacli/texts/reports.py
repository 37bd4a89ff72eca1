"""CLI texts: the TLS connections report (`tlsreport`), partner readiness
(`tlsreadiness`) and the reporting and web console settings (`reportingconfig`).

The appliance has the TLS connections report only in its GUI; the wording follows its
CLI's question style (§1.1-1.2). Column labels and what each counts are the engine's
(engine/tlsstats/texts.py COLUMN_TEXTS): the shell, the web page and `help tlsreport`
read the same definitions.
"""

from __future__ import annotations

from typing import Final

# -- tlsreport ---------------------------------------------------------------------------
REPORT_USAGE: Final = (
    "Usage: tlsreport [in | out | both] [hour | day | week | month | <start> <end>]"
    " [<domain>] [detail]\n"
    "  <start>, <end>: YYYY-MM-DD (the whole day) or YYYY-MM-DDTHH:MM, local time.\n"
    "  detail: also print what each column counts.")
REPORT_DIRECTION: Final = "Choose the direction of the report:"
REPORT_DIRECTIONS: Final = {"in": "Incoming connections", "out": "Outgoing connections",
                            "both": "Incoming and outgoing connections"}
REPORT_PERIOD: Final = "Choose the time range:"
REPORT_PERIODS: Final = {"hour": "Last hour", "day": "Last day", "week": "Last 7 days",
                         "month": "Last 30 days", "custom": "Custom range"}
REPORT_START: Final = "Enter the start of the range (YYYY-MM-DD or YYYY-MM-DD HH:MM)."
REPORT_END: Final = "Enter the end of the range (YYYY-MM-DD or YYYY-MM-DD HH:MM)."
REPORT_DOMAIN: Final = "Enter a domain to report on, or leave blank for every domain."
REPORT_BAD_DOMAIN: Final = 'Invalid domain "{domain}".'
REPORT_TITLE: Final = "TLS Connections: {direction}, last {period}"
REPORT_TITLE_CUSTOM: Final = "TLS Connections: {direction}"
REPORT_TITLE_DOMAIN: Final = '{title}, domain "{domain}"'
REPORT_TITLE_DIRECTIONS: Final = {"in": "Incoming", "out": "Outgoing"}
REPORT_RANGE: Final = "From {start} to {end}."
REPORT_EMPTY: Final = "No connections recorded in this range."
REPORT_UNREADABLE: Final = "The TLS statistics could not be read: {reason}"
REPORT_DEFINITIONS: Final = "What each column counts:"
REPORT_HINT: Final = "Type 'help tlsreport' for what each column counts."

# -- tlsreadiness -----------------------------------------------------------------------
READY_USAGE: Final = "Usage: tlsreadiness <domain> [in | out | both] [nolive]"
READY_DOMAIN: Final = "Enter the partner domain."
READY_TITLE: Final = "TLS readiness of {domain}, {direction}: what the last {period} showed"
READY_TITLE_DIRECTIONS: Final = {"in": "incoming", "out": "outgoing"}
READY_NONE: Final = "No connections recorded."
READY_PEER: Final = "{name}"
READY_FIELDS: Final = {
    "addresses": "Addresses",
    "connections": "Connections",
    "offered": "STARTTLS offered",
    "tls": "Over TLS",
    "verified": "Certificate verified",
    "versions": "Protocol versions",
    "ciphers": "Ciphers",
    "cert_names": "Certificate names",
    "matched_names": "Names matched",
    "failures": "Failures (RFC 8460)",
    "last_seen": "Last seen",
}
READY_OF: Final = "{n} of {total}"
READY_NOTHING: Final = "none"
READY_DRYRUN: Final = "Dry run: {text}"
READY_LIVE: Final = "Probed now (no mail is sent):"
READY_LIVE_FIELDS: Final = {
    "starttls": "STARTTLS offered",
    "tls": "TLS",
    "chain": "Certificate chain",
    "names": "Certificate names",
    "expiry": "Days to expiry",
    "verify": "At Required - Verify",
}
READY_LIVE_TLS: Final = "{version}, {cipher}"
READY_LIVE_FAILED: Final = "failed: {reason}"
READY_LIVE_EXPIRY: Final = "{days} (until {date})"
READY_LIVE_VERIFIES: Final = "would deliver (certificate matches {name})"
READY_LIVE_FAILS: Final = "would fail: {result_type}"
READY_LIVE_UNREACHABLE: Final = "{host} ({ip}) port {port}: not reachable: {reason}"
READY_LIVE_NO_TARGET: Final = "No mail exchanger to probe: {reason}"
READY_DNS_POLICY: Final = "DNS policies: {text}"
READY_DNS_NONE: Final = "DANE and MTA-STS are not enabled for this destination."
READY_DNS_PLAN: Final = "{host}: {level}, decided by {mechanism}"
# the engine's MTA-STS cache for the domain (mtastsconfig fetches one now)
READY_STS_CACHED: Final = "MTA-STS policy cached: mode {mode}, MX {patterns}, valid until {until}"
READY_STS_EXPIRED: Final = "MTA-STS policy cached: expired {until} (delivery fetches it again)"
READY_STS_NONE: Final = (
    "MTA-STS policy cached: none (delivery fetches one if the domain publishes it;"
    " mtastsconfig REFRESH fetches it now)")
READY_STS_FAILED: Final = "MTA-STS last fetch failed: {error}"
YES: Final = "Yes"
NO: Final = "No"

# -- reportingconfig --------------------------------------------------------------------
REPORTING_MENU: Final = {
    "SETUP": "Configure the TLS statistics (days kept, downgrade alerts).",
    "WEBCONSOLE": "Configure the read-only web console.",
}
REPORTING_STATUS: Final = (
    "TLS statistics are kept for {days} days (hourly for the last 7 days).\n"
    "TLS downgrade alerts: {alerts}.\n"
    "Web console: {web}.")
REPORTING_WEB_ON: Final = "enabled on https://{ip}:{port}/"
REPORTING_WEB_OFF: Final = "disabled"
REPORTING_ENABLED: Final = "enabled"
REPORTING_DISABLED: Final = "disabled"
REPORTING_DAYS: Final = "Enter the number of days to keep TLS statistics."
REPORTING_ALERTS: Final = "Do you want to send an alert when a partner's TLS gets weaker?"
REPORTING_USAGE: Final = (
    "Usage: reportingconfig setup <days> <alerts: yes|no>\n"
    "       reportingconfig webconsole disable\n"
    "       reportingconfig webconsole enable <ip> <port>")
WEB_ENABLE: Final = "Do you want to enable the web console?"
WEB_IP: Final = "Enter the IP address the web console listens on."
WEB_PORT: Final = "Enter the port the web console listens on."
WEB_NOT_LOOPBACK: Final = (
    "Note: the web console is read-only but shows mail traffic; {ip} is not a loopback"
    " address.")
