"""CLI texts: destconfig (§6): destination controls."""

from __future__ import annotations

from typing import Final

# -- §6 destconfig -------------------------------------------------------------------------
DEST_COUNT: Final = "There are currently {count} entries configured."
DEST_MENU: Final = {
    "SETUP": "Change global settings.",
    "NEW": "Create a new entry.",
    "EDIT": "Modify an entry.",
    "DELETE": "Remove an entry.",
    "DEFAULT": "Change the default.",
    "LIST": "Display a summary list of all entries.",
    "DETAIL": "Display details for one destination or all entries.",
    "CLEAR": "Remove all entries.",
    "IMPORT": "Import tables from a file.",
    "EXPORT": "Export tables to a file.",
}
DEST_CERTIFICATE: Final = "Please choose the certificate to apply:"
DEST_TLS_ALERT: Final = "Do you want to send an alert when a required TLS connection fails?"
DEST_DEMO_QUESTION: Final = (
    "You have not entered a certificate. To assure privacy, run 'certconfig' first.\n"
    "You may use the demo certificate to test TLS, but this will not be secure.\n"
    "Do you really wish to use the demo certificate?"
)
DEST_NEW_DOMAIN: Final = "Enter the domain you wish to configure."
DEST_EDIT_DOMAIN: Final = "Enter the domain you wish to edit."
DEST_DELETE_DOMAIN: Final = "Enter the domain you wish to delete."
DEST_DETAIL_DOMAIN: Final = 'Enter the domain you wish to view, or "all".'
DEST_ALL: Final = "all"
DEST_NOT_FOUND: Final = 'The domain "{domain}" was not found in the destination control table.'
DEST_ASK_CONCURRENCY: Final = "Do you wish to configure a concurrency limit for {domain}?"
DEST_CONCURRENCY: Final = 'Enter the max concurrency limit for "{domain}".'
DEST_ASK_MSGS: Final = "Do you wish to apply a messages-per-connection limit to this domain?"
DEST_MSGS: Final = 'Enter the max number of messages per connection for "{domain}".'
DEST_ASK_RCPT: Final = "Do you wish to apply a recipient limit to this domain?"
DEST_RCPT_MINUTES: Final = "Enter the number of minutes used to measure the recipient limit."
DEST_RCPT_LIMIT: Final = 'Enter the max number of recipients per {minutes} minutes for "{domain}".'
DEST_LIMIT_TYPE: Final = "Select how you want to apply the limits for {domain}:"
DEST_LIMIT_TYPES: Final = (
    "One limit applies to the entire domain for {domain}",
    "Separate limit for each mail exchanger IP address",
)
DEST_LIMIT_APPLY: Final = "Select how the limits will be enforced:"
DEST_LIMIT_APPLIES: Final = ("System Wide", "Per Virtual Gateway(tm)")
DEST_ASK_TLS: Final = "Do you wish to apply a specific TLS setting for this domain?"
DEST_TLS: Final = "Do you want to use TLS support?"
DEST_ASK_BOUNCE: Final = (
    "Do you wish to apply a specific bounce verification address tagging setting for this"
    " domain?"
)
DEST_BOUNCE: Final = "Perform bounce verification address tagging?"
DEST_ASK_SORT: Final = "Do you wish to apply a specific IP sort preference to this domain?"
DEST_SORT: Final = "How should the appliance sort IP addresses within an MX preference level?"
DEST_SORTS: Final = {  # state values -> list labels, in list order
    "PREFER_V4": "Prefer IPv4",
    "PREFER_V6": "Prefer IPv6",
    "REQUIRE_V4": "Require IPv4",
    "REQUIRE_V6": "Require IPv6",
}
DEST_DEFAULT_CONCURRENCY: Final = "Enter the default maximum concurrency limit."
DEST_DEFAULT_ASK_RCPT: Final = "Do you wish to specify a default recipient limit?"
DEST_DEFAULT_RCPT_MINUTES: Final = "Enter the number of minutes used to measure recipient limit."
DEST_DEFAULT_RCPT_LIMIT: Final = "Enter the number of recipients per {minutes} minutes."
DEST_DEFAULT_LIMIT_TYPE: Final = "Select how you want to apply the default limits:"
DEST_DEFAULT_MSGS: Final = (
    "Enter the default maximum number of messages to send per connection."
)
DEST_CLEAR_CONFIRM: Final = "Are you sure you want to remove all destination control entries?"
DEST_IMPORT_FILE: Final = "Enter the name of the file to import:"
DEST_EXPORT_FILE: Final = "Enter the name of the file to export:"
# LIST (§6.6): two header lines per column, then one row per domain, (Default) last.
DEST_LIST_COLUMNS: Final = (
    ("", "Domain"), ("Rate", "Limiting"), ("", "TLS"), ("Bounce", "Verification"),
    ("Bounce", "Profile"), ("IP Sort", "Pref"),
)
DEST_DEFAULT_ROW: Final = "(Default)"
DEST_VALUE_DEFAULT: Final = "Default"
DEST_ON: Final = "On"
DEST_OFF: Final = "Off"
DEST_TLS_SHORT: Final = {  # TLSMode values -> LIST column
    "off": "Off", "on": "On", "required": "Req", "on_verify": "On/Verify",
    "require_verify": "Req/Verify",
}
DEST_TLS_DETAIL: Final = {  # TLSMode values -> DETAIL "TLS:" line
    "off": "No", "on": "Preferred", "required": "Required", "on_verify": "Preferred (Verify)",
    "require_verify": "Required (Verify)",
}
DEST_DETAIL: Final = (
    "{domain}\n"
    "    Maximum messages per connection: {msgs}\n"
    "    Maximum concurrency: {concurrency}\n"
    "    Recipient limit: {rcpt}\n"
    "    Limits apply to: {limit_type}, {limit_apply}\n"
    "    TLS: {tls}\n"
    "    Bounce Verification: {bounce}\n"
    "    Bounce Profile: {profile}\n"
    "    IP Sort Preference: {sort}"
)
DEST_RCPT_VALUE: Final = "{limit} per {minutes} minutes"
DEST_LIMIT_TYPE_SHORT: Final = ("Domain", "MX IP")
DEST_LIMIT_APPLY_SHORT: Final = ("System Wide", "Virtual Gateway")
