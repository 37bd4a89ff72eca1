"""CLI texts: HOSTACCESS (§4): the Host Access Table, its policies and their parameters."""

from __future__ import annotations

from typing import Final

# -- §4 HOSTACCESS -------------------------------------------------------------------------
POLICY_BLOCK_TITLE: Final = "Default Policy Parameters\n=========================="
POLICY_LINES: Final = (
    ("max_message_size", "Maximum Message Size: {}"),
    ("max_concurrency", "Maximum Number Of Concurrent Connections From A Single IP: {}"),
    ("max_msgs_per_session", "Maximum Number Of Messages Per Connection: {}"),
    ("max_rcpts_per_msg", "Maximum Number Of Recipients Per Message: {}"),
    ("max_rcpts_per_hour", "Maximum Number Of Recipients Per Hour: {}"),
    ("tls", "Allow TLS Connections: {}"),
)
POLICY_COUNTS: Final = (
    "There are currently {policies} policies defined.\n"
    "There are currently {groups} sender groups."
)
HAT_MENU: Final = {
    "NEW": "Create a new entry.",
    "EDIT": "Modify an entry.",
    "DELETE": "Remove an entry.",
    "MOVE": "Move an entry.",
    "DEFAULT": "Set the defaults.",
    "PRINT": "Display the table.",
    "IMPORT": "Import a table from a file.",
    "EXPORT": "Export the table to a file.",
    "RESET": "Remove senders and set policies to system default.",
}
ASK_MAX_SIZE: Final = (
    "Enter the maximum message size. Add a trailing k for kilobytes, M for megabytes, or no"
    " letter for bytes."
)
ASK_MAX_CONCURRENCY: Final = (
    "Enter the maximum number of concurrent connections allowed from a single IP address."
)
ASK_MAX_MSGS: Final = "Enter the maximum number of messages per connection."
ASK_MAX_RCPTS: Final = "Enter the maximum number of recipients per message."
ASK_TLS: Final = "Do you want to allow encrypted TLS connections?"
# Labels in the order of the §4.4 list; keys are state.model.TLSMode values.
TLS_LABELS: Final = {
    "off": "No",
    "on": "Preferred",
    "required": "Required",
    "on_verify": "Preferred - Verify",
    "require_verify": "Required - Verify",
}
# The last TLS choice of a policy or sender group: inherit the listener's default policy.
TLS_DEFAULT: Final = "Default (currently: {label})"
TLS_REMINDER: Final = (
    "You have chosen to enable TLS. Please use the 'certconfig' command to ensure that there"
    " is a valid certificate configured."
)
# §4.3/§4.4 sender groups, policies and their parameters (wording [M] unless §4 quotes it).
RATE_DISABLED: Final = "Disabled"
USE_DEFAULT: Final = "Default"  # shown and typed for "use the default policy's value"
HAT_NEW_WHAT: Final = ("New Sender Group", "New Policy")
HAT_EDIT_WHAT: Final = ("Edit Sender Group", "Edit Policy")
HAT_DELETE_WHAT: Final = ("Delete Sender Group", "Delete Policy")
HAT_GROUP_NAME: Final = "Enter a name for this sender group. (optional)"
HAT_POLICY_NAME: Final = "Enter the name for this policy."
HAT_HOSTS: Final = (
    "Enter the hosts to add. CIDR addresses such as 10.1.1.0/24 are allowed. IP address ranges"
    " such as 10.1.1.10-20 are allowed. IP subnets such as 10.2.3. are allowed. Hostnames such"
    " as crm.example.com are allowed. Partial hostnames such as .example.com are allowed.\n"
    "Ranges of SenderBase Reputation scores such as SBRS[7.5:10.0] are allowed.\n"
    "SenderBase Network Owner IDs such as SBO:12345 are allowed.\n"
    "Remote blacklist queries such as dnslist[query.blacklist.example] are allowed.\n"
    "Verified TLS client certificates such as cert:partner.example (a certificate naming"
    " partner.example) or cert:.partner.example (naming a host under it) are allowed.\n"
    "Separate multiple hosts with commas"
)
HAT_BEHAVIOR: Final = "Select a behavior for this entry."
BEHAVIOR_LABELS: Final = {  # keys are state.model.Behavior values
    "ACCEPT": "Accept", "RELAY": "Relay", "REJECT": "Reject", "TCPREFUSE": "TCP Refuse",
    "CONTINUE": "Continue",
}
POLICY_CHOICE: Final = "Policy: {name}"
CHANGE_PARAMS: Final = "Would you like to change the policy parameters?"
HAT_COMMENT: Final = "Enter a comment for this sender group."
WHICH_GROUP: Final = "Enter the sender group number or name you wish to {action}."
WHICH_POLICY: Final = "Enter the policy number or name you wish to {action}."
MOVE_BEFORE: Final = "Enter the sender group number or name to insert it before."
NO_GROUPS: Final = "There are no sender groups to {action}."
NO_POLICIES: Final = "No policies to edit."
POLICY_IN_USE: Final = (
    'The policy "{name}" is used by these sender groups: {groups}.\n'
    "Deleting the policy also deletes them. Do you want to continue?"
)
POLICY_IN_USE_BATCH: Final = (
    'The policy "{name}" is used by these sender groups: {groups}. Delete them or give them'
    " another policy first (the dialog deletes them with it, once asked).")
GROUP_DELETE_SURE: Final = 'Are you sure you want to delete the sender group "{name}"?'
GROUP_DELETED: Final = 'Sender group "{name}" deleted.'
POLICY_DELETED: Final = 'Policy "{name}" deleted.'
GROUP_MENU: Final = {
    "NEW": "Add a new host.",
    "DELETE": "Remove a host.",
    "MOVE": "Reorder the hosts.",
    "POLICY": "Change the policy settings and options.",
    "PRINT": "Display the current definition.",
    "RENAME": "Rename this sender group.",
}
GROUP_HEADER: Final = "Sender Group {name}: {target}"
WHICH_HOST: Final = "Enter the host number or name you wish to {action}."
HOST_BEFORE: Final = "Enter the host number or name to insert it before."
HOST_ELSEWHERE: Final = 'The host "{host}" is already in sender group {group}. Add anyway?'
GROUP_NEW_NAME: Final = "Enter the new name for this sender group."
RESET_CONFIRM: Final = (
    "Are you sure you want to remove all sender groups and set the policies to system defaults?"
)
ASK_BANNER_OVERRIDE: Final = "Do you want to override the hostname in the SMTP banner?"
ASK_BANNER_HOST: Final = "Enter the hostname to use in the SMTP banner"
ASK_CUSTOM_ACCEPT: Final = "Would you like to specify a custom SMTP acceptance response?"
ASK_CUSTOM_REJECT: Final = "Would you like to specify a custom SMTP rejection response?"
ASK_RATE_LIMIT: Final = "Do you want to enable rate limiting per host?"
ASK_RATE_MAX: Final = "Enter the maximum number of recipients per hour from a remote host."
ASK_CUSTOM_LIMIT: Final = "Would you like to specify a custom SMTP limit exceeded response?"
ASK_CODE: Final = "Enter the SMTP code to use in the response. {code} is the standard code."
ASK_RESPONSE: Final = "Enter your custom SMTP response. Press Enter on a blank line to finish."
CODE_RANGE: Final = "The value must be an SMTP code from {low} to {high}."
# The question each policy parameter is asked with, by its wording key (the parameter
# table, state.policy_params); rate limiting is asked ASK_RATE_LIMIT first.
PARAM_QUESTIONS: Final = {
    "message_size": ASK_MAX_SIZE,
    "connections": ASK_MAX_CONCURRENCY,
    "messages": ASK_MAX_MSGS,
    "recipients": ASK_MAX_RCPTS,
    "rate": ASK_RATE_MAX,
    "banner": ASK_BANNER_OVERRIDE,
    "accept_response": ASK_CUSTOM_ACCEPT,
    "reject_response": ASK_CUSTOM_REJECT,
    "rate_response": ASK_CUSTOM_LIMIT,
    "tls": ASK_TLS,
}
INVALID_HOSTNAME: Final = "Invalid hostname format."
HAT_IMPORT_FILE: Final = "Enter the name of the file to import:"
HAT_EXPORT_FILE: Final = "Enter the name of the file to export to:"
HAT_DELAYED_REJECTION: Final = (
    "Perform HAT rejection at the message recipient level instead of at the start of the"
    " SMTP conversation?"
)
