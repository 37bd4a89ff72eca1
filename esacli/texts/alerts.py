"""CLI texts: alertconfig (§8.8): alert recipients."""

from __future__ import annotations

from typing import Final

# -- §8.8 alertconfig ----------------------------------------------------------------------
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
