"""CLI texts: RCPTACCESS (§5): the Recipient Access Table."""

from __future__ import annotations

from typing import Final

# -- §5 RCPTACCESS -------------------------------------------------------------------------
RAT_MENU: Final = {
    "NEW": "Create a new entry.",
    "EDIT": "Modify an entry.",
    "DELETE": "Remove an entry.",
    "PRINT": "Display the table.",
    "IMPORT": "Import a table from a file.",
    "EXPORT": "Export the table to a file.",
    "CLEAR": "Remove all entries.",
}
RAT_TITLE: Final = "Recipient Access Table"
RAT_COUNT: Final = "There are currently {count} entries in the Recipient Access Table."
RAT_ADDRESS: Final = "Enter the recipient address for this entry."
RAT_EDIT_WHICH: Final = "Enter the address to edit"
RAT_DELETE_WHICH: Final = "Enter the address to delete"
RAT_NOT_FOUND: Final = 'The address "{address}" is not in the table.'
RAT_ACTION: Final = "Select the action to apply to this address:"
RAT_ACCESS_FOR: Final = "What access for {address}?"
RAT_ACTIONS: Final = ("Accept", "Reject")
RAT_CUSTOM: Final = "Would you like to specify a custom SMTP response?"
RAT_BYPASS: Final = "Would you like to bypass receiving control for this entry?"
RAT_CLEAR_DEFAULT: Final = "Select the default action for ALL other recipients:"
RAT_CLEARED: Final = "All entries were removed."
