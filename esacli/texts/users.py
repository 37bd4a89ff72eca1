"""CLI texts: accounts and access (userconfig, passwd, who, last, sshconfig,
adminaccessconfig). The reference is silent on most of these dialogs: the wording is the
plainest in the appliance's style. What an account may be is state's to say
(state/messages.py)."""

from __future__ import annotations

from typing import Final

from state import users
from state.model_access import Role

# -- roles: the label and the appliance's meaning (state.users.ALLOWED enforces it) ------
ROLE_LABELS: Final = users.ROLE_NAMES  # state's messages name them the same way
ROLE_MEANINGS: Final = {
    Role.ADMINISTRATOR: "Administrators have full access to all settings of the system.",
    Role.OPERATOR: "Operators are restricted from creating new user accounts.",
    Role.READ_ONLY: "Read-Only operators may only view settings and status information.",
    Role.GUEST: "Guest users may only view status information.",
}

# -- userconfig ---------------------------------------------------------------------------
USERCONFIG_MENU: Final = {
    "NEW": "Create a new account.",
    "EDIT": "Modify an account.",
    "DELETE": "Remove an account.",
    "LIST": "List the accounts.",
    "POLICY": "Change the password policy.",
}
USERS_HEADER: Final = "Users:"
USER_LINE: Final = "{number}. {name} - {full_name} ({role})"
PASSWORD_POLICY_LINE: Final = "Password policy: at least {length} characters."
USER_NEW_NAME: Final = "Enter the new username."
USER_FULL_NAME: Final = "Enter the full name for {user}."
USER_ROLE: Final = 'Assign a role to "{user}":'
USER_EDIT_WHICH: Final = "Enter the username or number to edit."
USER_DELETE_WHICH: Final = "Enter the username or number to delete."
USER_DELETE_CONFIRM: Final = 'Are you sure you want to delete "{user}"?'
USER_CHANGE_PASSWORD: Final = "Do you want to change the password?"
USER_ADMIN_ROLE: Final = 'The "admin" account is always an Administrator.'
USER_LIST_COLUMNS: Final = ("Username", "Full Name", "Role", "SSH Keys")
POLICY_LENGTH: Final = "Enter the minimum password length."
PASSWORD_FOR: Final = "Enter the password for {user}:"
PASSWORD_AGAIN: Final = "Please enter the new password again:"

# -- passwd -------------------------------------------------------------------------------
PASSWD_OLD: Final = "Old password:"
PASSWD_NEW: Final = "New password:"
PASSWD_CHANGED: Final = "Password changed."
PASSWD_NO_ACCOUNT: Final = 'There is no account "{user}" on this machine to change the password of.'

# -- who, last ---------------------------------------------------------------------------
WHO_COLUMNS: Final = ("Username", "Login Time", "Idle Time", "Remote Host", "What")
LAST_COLUMNS: Final = ("Username", "Remote Host", "Login Time", "Logout Time", "Total Time")
LAST_STILL: Final = "still logged in"
LAST_NONE: Final = "No logins have been recorded."

# -- sshconfig ----------------------------------------------------------------------------
SSHCONFIG_MENU: Final = {
    "NEW": "Add a new key.",
    "DELETE": "Remove a key.",
    "PRINT": "Display a key.",
    "USER": "Switch to a different user to edit.",
    "SETUP": "Configure SSH login settings.",
}
SSH_KEYS_HEADER: Final = "Currently installed keys for {user}:"
SSH_KEY_LINE: Final = "{number}. {type} {fingerprint} ({comment})"
SSH_NO_KEYS: Final = "No keys are installed for {user}."
SSH_KEY_PASTE: Final = ("Please enter the public SSH key for authorization.\n"
                        "Press enter on a blank line to finish.")
SSH_KEY_WHICH: Final = "Enter the number of the key you wish to {action}."
SSH_SWITCH_USER: Final = "Enter the username whose keys you wish to edit."
SSH_UNKNOWN_USER: Final = 'Unknown user "{user}".'
SSH_PASSWORD_LOGIN: Final = "Do you want to allow logins with a password (keys are always allowed)?"
SSH_MAX_TRIES: Final = "Enter the number of failed passwords after which a connection is closed."
SSH_FREE_FAILURES: Final = (
    "Enter the number of recent failed logins from one address after which its logins are"
    " slowed down.")
SSH_MAX_GAP: Final = ("Enter the longest wait in seconds between two login attempts from a"
                      " slowed-down address.")
SSH_FORGET: Final = "Enter the number of minutes after which failed logins are forgotten."
SSH_SETTINGS: Final = ("Password login: {password}\n"
                       "Failed passwords per connection: {tries}\n"
                       "Slow down an address after {free} failures, waiting up to {gap} seconds;"
                       " forget failures after {forget} minutes.")
ENABLED: Final = "Enabled"
DISABLED: Final = "Disabled"

# -- adminaccessconfig -------------------------------------------------------------------
ADMINACCESS_MENU: Final = {
    "TIMEOUT": "Configure the CLI session inactivity timeout.",
}
ADMINACCESS_STATUS: Final = "CLI session inactivity timeout: {minutes} minutes."
ADMINACCESS_TIMEOUT: Final = "Enter the CLI session inactivity timeout (in minutes)."
