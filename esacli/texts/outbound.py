"""CLI texts: destconfig (§6), smtproutes (§8.2), alertconfig (§8.8), tlsverify (§8.3)."""

from __future__ import annotations

from typing import Final

# == issue 5 (shell half): destconfig, smtproutes, alertconfig, tlsverify ==============
# -- §6 destconfig ------------------------------------------------------------------
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
DEST_INVALID_DOMAIN: Final = (
    'Invalid hostname format: "{domain}". Enter a domain such as "example.com",'
    ' a partial domain such as ".example.com", or an IP address.'
)
DEST_EXISTS: Final = 'The domain "{domain}" is already in the destination control table.'
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

# -- files in the configuration folder (IMPORT / EXPORT) ----------------------------
FILE_NAME_INVALID: Final = (
    'Invalid file name "{name}". Valid characters are letters, digits, "-", "_" and "."'
)
FILE_MISSING: Final = 'Error: the file "{name}" does not exist.'
FILE_READ_ERROR: Final = "Error reading file."
FILE_WRITE_ERROR: Final = "Error writing file."
FILE_LINE_ERROR: Final = "Error on line {line}: {message}"
IMPORT_FAILED: Final = "Import failed."
IMPORT_DONE: Final = 'Imported the file "{name}".'
EXPORT_DONE: Final = (
    'File written on machine "{hostname}" to the location "/configuration/{name}".'
)

# -- §8.2 smtproutes ----------------------------------------------------------------
ROUTES_NONE: Final = "There are no routes configured."
ROUTES_COUNT: Final = "There are currently {count} routes configured."
ROUTES_MENU: Final = {
    "NEW": "Create a new route.",
    "EDIT": "Edit destinations of an existing route.",
    "DELETE": "Remove a route.",
    "PRINT": "Display a listing of routes.",
    "IMPORT": "Import new routes from a file.",
    "EXPORT": "Export all routes to a file.",
    "CLEAR": "Remove all routes.",
}
ROUTES_EDIT_MENU: Final = {
    "ADD": "Add new destination hosts.",
    "REPLACE": "Specify a new destination or set of destinations.",
    "REMOVE": "Remove destination hosts.",
}
ROUTE_NEW_DOMAIN: Final = (
    "Enter the domain for which you want to set up a permanent route.\n"
    'Partial hostnames such as ".example.com" are allowed.\n'
    'Use "ALL" for the default route.'
)
ROUTE_HOSTS: Final = (
    "Enter the destination hosts, separated by commas, which you want mail for {domain}"
    " to be delivered.\n"
    'Enter "USEDNS" by itself to use normal DNS resolution for this route.\n'
    'Enter "/dev/null" by itself if you wish to discard the mail.\n'
    'Add ":<port>" for a port other than 25 and "/pri=<n>" for a priority (lower is preferred).'
)
ROUTE_ADD_HOSTS: Final = (
    "Enter the additional destination hosts, separated by commas, which you want mail for"
    " {domain} to be delivered."
)
ROUTE_REMOVE_HOSTS: Final = "Enter the destination hosts, separated by commas, to remove."
ROUTE_EDIT_DOMAIN: Final = "Enter the domain of the route you wish to edit."
ROUTE_DELETE_DOMAIN: Final = "Enter the domain of the route you wish to delete."
ROUTE_CURRENT: Final = "Current destinations for {domain}: {hosts}"
ROUTE_INVALID_DOMAIN: Final = (
    'Invalid hostname format: "{domain}". Enter a domain such as "example.com",'
    ' a partial domain such as ".example.com", an IP address, or "ALL".'
)
ROUTE_EXISTS: Final = "The value {domain} is already in the routing table."
ROUTE_DEFAULT_EXISTS: Final = "There is already a default route set."
ROUTE_NOT_FOUND: Final = "The entry {domain} does not appear to be in the routing table."
ROUTE_HOST_NOT_FOUND: Final = "The destination {host} does not appear to be in this route."
ROUTE_LAST_HOST: Final = "A route must keep at least one destination."
ROUTE_MAXIMUM: Final = "There is a maximum of {count} routes."
ROUTE_RESET_DEFAULT: Final = "Are you sure you want to reset the default route?"
ROUTE_CLEAR_CONFIRM: Final = "Are you sure you want to delete all of the configured routes?"
ROUTES_PRINT_TITLE: Final = "Host routes for all domains:"

# -- §8.8 alertconfig ---------------------------------------------------------------
ALERTS_TO: Final = "Sending alerts to:"
ALERTS_NONE: Final = "No alert recipients are configured."
ALERT_RECIPIENT: Final = "    {address}\n        Class: {classes} - Severities: {severities}"
ALERT_FROM_LINE: Final = "Alerts are sent from: {address}"
ALERT_FROM_DEFAULT: Final = "alert@{hostname}"
ALERT_MENU: Final = {
    "NEW": "Add a new email address to send alerts.",
    "EDIT": "Modify an email address.",
    "DELETE": "Remove an email address.",
    "CLEAR": "Remove all email addresses (disable alerts).",
    "SETUP": "Configure alert settings.",
}
ALERT_NEW_ADDRESS: Final = (
    'Please enter a new email address to send alerts.\n(Ex: "administrator@example.com")'
)
ALERT_EDIT_WHICH: Final = "Choose the email address you wish to edit."
ALERT_DELETE_WHICH: Final = "Choose the email address you wish to delete."
ALERT_INVALID_ADDRESS: Final = (
    "An email address is a localname and domain separated by an @, such as"
    ' "joe@example.com".'
)
ALERT_ADDRESS_EXISTS: Final = 'The address "{address}" already receives alerts.'
ALERT_CLASSES: Final = (
    "Choose the Alert Class for this email address. Separate multiple choices with commas."
)
ALERT_SEVERITIES: Final = "Select a Severity Level. Separate multiple choices with commas."
ALERT_CHANGE_ADDRESS: Final = "Enter the new email address."
ALERT_CLEAR_CONFIRM: Final = "Are you sure you want to remove all alert recipients?"
ALERT_FROM: Final = (
    'Enter the From: address for alert messages. Enter "DEFAULT" to use "{default}".'
)
ALERT_FROM_RESET: Final = "DEFAULT"

# -- §8.3 tlsverify -----------------------------------------------------------------
TLSVERIFY_DOMAIN: Final = "Enter the TLS domain to verify against:"
TLSVERIFY_HOST: Final = (
    "Enter the destination host to connect to. Leave the host blank to connect to the MX"
    " servers for the domain."
)
TLSVERIFY_USAGE: Final = "tlsverify [<domain> [<hostname>[:<port>]]]"
TLSVERIFY_BAD_PORT: Final = "The value must be an integer from 1 to 65535."
TLSVERIFY_BAD_DOMAIN: Final = 'Invalid hostname format: "{domain}".'
