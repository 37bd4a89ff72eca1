"""CLI texts: the TLS a partner's DNS publishes: daneverify, the MTA-STS policy cache
(mtastsconfig), TLS reporting (tlsrptconfig). The lines daneverify prints are the
engine's (engine/outbound/daneverify.py)."""

from __future__ import annotations

from typing import Final

# -- daneverify ------------------------------------------------------------------------------
DANEVERIFY_DOMAIN: Final = "Enter the domain to verify DANE support for:"
DANEVERIFY_USAGE: Final = "daneverify <domain>"
DANEVERIFY_BAD_DOMAIN: Final = 'Invalid hostname format: "{domain}".'

# -- mtastsconfig ----------------------------------------------------------------------------
MTASTS_MENU: Final = {
    "LIST": "Display the cached MTA-STS policies.",
    "REFRESH": "Fetch a domain's MTA-STS policy now.",
}
MTASTS_COUNT: Final = "There are currently {count} MTA-STS policies cached."
MTASTS_EMPTY: Final = "No MTA-STS policy has been cached."
MTASTS_COLUMNS: Final = ("Domain", "Mode", "Policy ID", "Expires (UTC)", "Last fetch")
MTASTS_NO_POLICY: Final = "(none)"
MTASTS_FETCH_OK: Final = "OK {when}"
MTASTS_FETCH_FAILED: Final = "failed {when}: {error}"
MTASTS_MX: Final = "    MX: {patterns}"
MTASTS_DOMAIN: Final = "Enter the domain whose MTA-STS policy to fetch now."
MTASTS_IP_DOMAIN: Final = (
    '"{domain}" is an IP address: MTA-STS policies belong to domain names, such as example.com.')
MTASTS_ONE_LABEL: Final = (
    '"{domain}" is a single label: MTA-STS policies belong to domain names of two labels or'
    ' more, such as example.com.')
MTASTS_REFRESHED: Final = (
    'Fetched the MTA-STS policy of "{domain}": mode {mode}, id {id}, max_age {max_age}.')
MTASTS_REFRESH_FAILED: Final = 'Unable to fetch the MTA-STS policy of "{domain}": {error}'
MTASTS_KEPT: Final = "The cached policy (mode {mode}, id {id}) is kept until {expires} UTC."
MTASTS_NONE_KEPT: Final = 'No MTA-STS policy of "{domain}" is cached: delivery applies none.'

# -- tlsrptconfig ----------------------------------------------------------------------------
TLSRPT_STATE: Final = {True: "TLS reporting is currently enabled.",
                       False: "TLS reporting is currently disabled."}
TLSRPT_SETTINGS: Final = (
    "Organization name: {organization}\n"
    "Contact: {contact}\n"
    "Sender address: {sender}"
)
TLSRPT_UNSET: Final = "(not set)"
TLSRPT_MENU: Final = {
    "SETUP": "Configure TLS reporting (RFC 8460).",
}
TLSRPT_ENABLE: Final = (
    "Do you want to send daily TLS reports (RFC 8460) to the domains that ask for them?"
)
TLSRPT_ORGANIZATION: Final = "Enter the organization name the reports are sent by:"
TLSRPT_CONTACT: Final = "Enter the contact address for the reports:"
TLSRPT_SENDER: Final = "Enter the address the reports are sent from:"
