"""Every AsyncOS prompt, menu label and message the shell prints, as data.

Taken from /work/shared/reference/asyncos-cli.md (section numbers below). Where the
reference marks wording as uncertain ([M]) the most plausible text is used; keep
every string here so it is easy to correct in one place.
"""

from __future__ import annotations

from typing import Final

MenuItem = tuple[str, str]

# -- §1 shell conventions ----------------------------------------------------------
CHOOSE_OPERATION: Final = "Choose the operation you want to perform:"
ANSWER_YES_NO: Final = "Please answer Y or N."
UNKNOWN_OPTION: Final = 'Unknown option: "{answer}"'
AMBIGUOUS_OPTION: Final = 'Unknown option: "{answer}" is ambiguous ({matches}).'
NOT_VALID: Final = "That value is not valid."
ENTER_A_VALUE: Final = "Please enter a value."
PRESS_ENTER: Final = "Press Enter to continue."

UNKNOWN_COMMAND: Final = "Unknown command or missing feature key: {command}"
NO_BATCH: Final = 'The "{command}" command does not take arguments here.'
HELP_HEADER: Final = "Type 'help <command>' for more information on a specific command."
HELP_NOT_AVAILABLE: Final = "help is not available for {command}"
HELP_USAGE: Final = "{command} - {description}"
INTERNAL_ERROR: Final = "An application fault occurred ({kind}). The command was not completed."

EXIT_WARNING: Final = (
    "Configuration changes entered but not committed. Exiting will lose changes.\n"
    "Type 'commit' at the command prompt to commit changes."
)
EXIT_CONFIRM: Final = "Are you sure you wish to exit?"

# -- validation messages used by the dialogs (§1.5) --------------------------------
INT_RANGE: Final = "The value must be an integer from {low} to {high}."
INT_POSITIVE: Final = "The value must be an integer greater than 0."
SIZE_FORMAT: Final = (
    "The value must be a number of bytes, optionally followed by k for kilobytes"
    " or M for megabytes."
)
VALID_NAME_CHARS: Final = (
    'Valid characters are letters, digits, "-", "_" and "." (at most 64 characters).'
)

# -- command descriptions (help) ---------------------------------------------------
DESCRIPTIONS: Final = {
    "alertconfig": "Configure email alerts.",
    "destconfig": "Configure options for destination domains.",
    "dnsconfig": "Configure DNS setup.",
    "smtproutes": "Set up permanent domain redirections.",
    "tlsverify": "Check TLS configuration of a domain (no commit needed).",
    "certconfig": "Configure security certificates and keys.",
    "clear": "Clear pending configuration changes since last commit.",
    "commit": "Commit changes.",
    "exit": "Exit the CLI.",
    "help": "Help.",
    "listenerconfig": "Configure mail listeners.",
    "showchanges": "Show the pending configuration changes.",
    "tail": "Continuously display the end of a log file.",
    "status": "System status.",
}

# -- §2 commit, clear ---------------------------------------------------------------
COMMIT_COMMENT: Final = "Please enter some comments describing your changes:"
COMMITTED: Final = "Changes committed: {date}"
NO_DATA_TO_COMMIT: Final = "There is no data to commit."
COMMIT_MERGED: Final = "These changes committed by another session were merged:"
COMMIT_ERRORS: Final = "The configuration is not valid:"
COMMIT_CONFLICTS: Final = "Another session committed changes to the same settings:"
CONFLICT_SIDES: Final = "    committed before: {base}\n    theirs: {theirs}\n    yours: {mine}"
NOTHING_COMMITTED: Final = "Nothing was committed. Your changes are still pending."
CLEAR_CONFIRM: Final = "Are you sure you want to clear all changes since the last commit?"
CLEARED: Final = "Changes cleared: {date}"
NO_CHANGES: Final = "No changes have been made since the last commit."

# -- §3 listenerconfig --------------------------------------------------------------
LISTENERS_HEADER: Final = "Currently configured listeners:"
NO_LISTENERS: Final = "No listeners configured."
LISTENER_LINE: Final = "{n}. {name} (on {interface}, {ip}) {protocol} TCP Port {port} {type}"
LISTENER_MENU: Final[list[MenuItem]] = [
    ("NEW", "Create a new listener."),
    ("EDIT", "Modify a listener."),
    ("DELETE", "Remove a listener."),
    ("SETUP", "Change global settings."),
]
LISTENER_TYPE: Final = "Please select the type of listener you want to create."
LISTENER_TYPES: Final = ("Private", "Public")  # Blackhole has no place in the model
LISTENER_NAME: Final = 'Please create a name for this listener (Ex: "InboundMail"):'
LISTENER_NAME_TAKEN: Final = 'A listener named "{name}" already exists.'
LISTENER_INTERFACE: Final = "Please choose an IP interface for this Listener."
INTERFACE_LINE: Final = "{name} ({ip}: {hostname})"
LISTENER_PROTOCOL: Final = "Choose a protocol."
PROTOCOLS: Final = ("SMTP",)  # QMQP is not served by this engine
LISTENER_PORT: Final = "Please enter the TCP port for this listener."
DEFAULT_PORT: Final = 25
ACCEPT_FOR: Final = (
    "Please specify the domains or specific addresses you want to accept mail for.\n"
    'Hostnames such as "example.com" are allowed.\n'
    'Partial hostnames such as ".example.com" are allowed.\n'
    'Usernames such as "postmaster@" are allowed.\n'
    'Full email addresses such as "joe@example.com" or "joe@[1.2.3.4]" are allowed.\n'
    "Separate multiple addresses with commas."
)
MODEL: Final = "appliance"
RELAY_FOR: Final = (
    f"Please specify the systems allowed to relay email through the {MODEL}.\n"
    'Hostnames such as "example.com" are allowed.\n'
    'Partial hostnames such as ".example.com" are allowed.\n'
    "IP addresses, IP address ranges, and partial IP addresses are allowed.\n"
    "Separate multiple entries with commas."
)
USE_SBRS: Final = (
    "Do you want to enable filtering based on SenderBase Reputation Service (SBRS) Scores for"
    " this listener? (Your selection will be used to filter all incoming mail based on its"
    " SBRS Score.)"
)
RATE_LIMIT: Final = (
    "Do you want to enable rate limiting for this listener? (Rate limiting defines the maximum"
    " number of recipients per hour you are willing to receive from a remote domain.)"
)
RATE_LIMIT_MAX: Final = (
    "Enter the maximum number of recipients per hour to accept from a remote domain."
)
CHANGE_HOST_ACCESS: Final = "Would you like to change the default host access policy?"
LISTENER_CREATED: Final = (
    "Listener {name} created.\n"
    "Defaults have been set for a {type} listener.\n"
    "Use the listenerconfig->EDIT command to customize the listener."
)
EDIT_WHICH: Final = "Enter the name or number of the listener you wish to edit."
DELETE_WHICH: Final = "Enter the name or number of the listener you wish to delete."
DELETE_CONFIRM: Final = 'Are you sure you want to delete the listener "{name}"?'
LISTENER_DELETED: Final = "Listener {name} deleted."
LISTENER_SUMMARY: Final = (
    "Name: {name}\n"
    "Type: {type}\n"
    "Interface: {interface} ({ip}) TCP Port {port}\n"
    "Protocol: {protocol}\n"
    "Max Concurrent Connections: {max_connections} (TCP Queue: {tcp_queue})\n"
    "TLS: {tls}\n"
    "Certificate: {certificate}"
)
EDIT_MENU: Final[list[MenuItem]] = [
    ("NAME", "Change the name of the listener."),
    ("INTERFACE", "Change the interface."),
    ("CERTIFICATE", "Choose the certificate."),
    ("LIMITS", "Change the injection limits."),
    ("HOSTACCESS", "Modify the Host Access Table."),
    ("RCPTACCESS", "Modify the Recipient Access Table."),
]
LISTENER_NEW_NAME: Final = "Please enter the new name for this listener:"
LISTENER_CERTIFICATE: Final = "Please choose the certificate to use for TLS on this listener."
DEMO_CERT_QUESTION: Final = (
    "You may use the demo certificate to test TLS, but this will not be secure.\n"
    "Do you really wish to use the demo certificate?"
)
MAX_CONNECTIONS: Final = "Please enter the maximum number of concurrent connections allowed."
TCP_QUEUE: Final = "Please enter the TCP listen queue size."

# -- §4 HOSTACCESS ------------------------------------------------------------------
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
HAT_MENU: Final[list[MenuItem]] = [
    ("NEW", "Create a new entry."),
    ("EDIT", "Modify an entry."),
    ("DELETE", "Remove an entry."),
    ("MOVE", "Move an entry."),
    ("DEFAULT", "Set the defaults."),
    ("PRINT", "Display the table."),
    ("IMPORT", "Import a table from a file."),
    ("EXPORT", "Export the table to a file."),
    ("RESET", "Remove senders and set policies to system default."),
]
ASK_MAX_SIZE: Final = (
    "Enter the maximum message size. Add a trailing k for kilobytes, M for megabytes, or no"
    " letter for bytes."
)
ASK_MAX_CONCURRENCY: Final = (
    "Enter the maximum number of concurrent connections allowed from a single IP address."
)
ASK_MAX_MSGS: Final = "Enter the maximum number of messages per connection."
ASK_MAX_RCPTS: Final = "Enter the maximum number of recipients per message."
# Printed when an interactive session has been idle too long (commit-model.md §1).
IDLE_TIMEOUT: Final = "\n\nSession idle too long: logging out. Uncommitted changes were discarded.\n"
ASK_TLS: Final = "Do you want to allow encrypted TLS connections?"
# Labels in the order of the §4.4 list; keys are state.model.TLSMode values.
TLS_LABELS: Final = {
    "off": "No",
    "on": "Preferred",
    "required": "Required",
    "on_verify": "Preferred - Verify",
    "require_verify": "Required - Verify",
}
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
    "Separate multiple hosts with commas"
)
INVALID_HOST: Final = 'Invalid IP or IP range: "{host}"'
GROUP_EXISTS: Final = 'A sender group named "{name}" already exists.'
POLICY_EXISTS: Final = 'A policy named "{name}" already exists.'
UNKNOWN_POLICY: Final = 'Unknown policy "{name}".'
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
ALL_IS_FIXED: Final = "The ALL sender group cannot be changed that way."
NO_GROUPS: Final = "There are no sender groups to {action}."
NO_POLICIES: Final = "No policies to edit."
POLICY_IN_USE: Final = (
    'The policy "{name}" is used by these sender groups: {groups}.\n'
    "Deleting the policy also deletes them. Do you want to continue?"
)
POLICY_USED_BY_ALL: Final = 'The policy "{name}" is used by ALL and cannot be deleted.'
GROUP_DELETED: Final = 'Sender group "{name}" deleted.'
POLICY_DELETED: Final = 'Policy "{name}" deleted.'
GROUP_MENU: Final[list[MenuItem]] = [
    ("NEW", "Add a new host."),
    ("DELETE", "Remove a host."),
    ("MOVE", "Reorder the hosts."),
    ("POLICY", "Change the policy settings and options."),
    ("PRINT", "Display the current definition."),
    ("RENAME", "Rename this sender group."),
]
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
INVALID_HOSTNAME: Final = "Invalid hostname format."
HAT_IMPORT_FILE: Final = "Enter the name of the file to import:"
HAT_EXPORT_FILE: Final = "Enter the name of the file to export to:"
HAT_DELAYED_REJECTION: Final = (
    "Perform HAT rejection at the message recipient level instead of at the start of the"
    " SMTP conversation?"
)

# -- §5 RCPTACCESS ------------------------------------------------------------------
RAT_MENU: Final[list[MenuItem]] = [
    ("NEW", "Create a new entry."),
    ("EDIT", "Modify an entry."),
    ("DELETE", "Remove an entry."),
    ("PRINT", "Display the table."),
    ("IMPORT", "Import a table from a file."),
    ("EXPORT", "Export the table to a file."),
    ("CLEAR", "Remove all entries."),
]
RAT_TITLE: Final = "Recipient Access Table"
RAT_COUNT: Final = "There are currently {count} entries in the Recipient Access Table."
RAT_ADDRESS: Final = "Enter the recipient address for this entry."
RAT_EDIT_WHICH: Final = "Enter the address to edit"
RAT_DELETE_WHICH: Final = "Enter the address to delete"
RAT_INVALID: Final = (
    "A Recipient Access Table address can be one of the following: a domain (example.com),"
    ' a partial domain (.example.com), a user name ("postmaster@"), a full address'
    ' (joe@example.com or joe@[1.2.3.4]), or ALL.'
)
RAT_EXISTS: Final = 'The address "{address}" is already in the table.'
RAT_NOT_FOUND: Final = 'The address "{address}" is not in the table.'
RAT_ALL_FIXED: Final = "The ALL entry cannot be removed."
RAT_ACTION: Final = "Select the action to apply to this address:"
RAT_ACCESS_FOR: Final = "What access for {address}?"
RAT_ACTIONS: Final = ("Accept", "Reject")
RAT_CUSTOM: Final = "Would you like to specify a custom SMTP response?"
RAT_BYPASS: Final = "Would you like to bypass receiving control for this entry?"
RAT_CLEAR_DEFAULT: Final = "Select the default action for ALL other recipients:"
RAT_CLEARED: Final = "All entries were removed."

# -- §1.4 listenerconfig batch forms ---------------------------------------------------
LISTENERCONFIG_USAGE: Final = (
    "listenerconfig edit <listener> hostaccess new sendergroup <name> <hosts> <behavior> [options]\n"
    "listenerconfig edit <listener> hostaccess new policy <name> <behavior> [options]\n"
    "listenerconfig edit <listener> hostaccess edit sendergroup <name> <new_host_list>\n"
    "listenerconfig edit <listener> hostaccess edit policy <name> <behavior> [options]\n"
    "listenerconfig edit <listener> hostaccess delete sendergroup|policy <name>\n"
    "listenerconfig edit <listener> hostaccess move <sendergroup> <before>\n"
    "listenerconfig edit <listener> hostaccess default [options]\n"
    "listenerconfig edit <listener> hostaccess print|import <file>|export <file>\n"
    "listenerconfig edit <listener> rcptaccess new <address> <accept|reject>\n"
    "options: --max_size= --max_conn= --max_msgs= --max_rcpt= --override= --rate_lim=\n"
    "         --cust_acc= --acc_code= --cust_rej= --rej_code= --cust_lim= --lim_code=\n"
    "         --tls=off|on|required|on_verify|require_verify  (policies: value \"default\")"
)
BATCH_USAGE_ERROR: Final = "Invalid listenerconfig batch command. Type 'help listenerconfig'."
BATCH_NO_LISTENER: Final = 'Unknown listener "{name}".'
BATCH_IMPORT_NEEDS_FILE: Final = 'The hostaccess "import" command requires a filename'
BATCH_EXPORT_NEEDS_FILE: Final = 'The hostaccess "export" command requires a filename.'
BATCH_DELETE_USAGE: Final = (
    'The hostaccess "delete" command requires either "sendergroup" or "policy" and a name.'
)
BATCH_MOVE_USAGE: Final = 'The hostaccess "move" command requires a sendergroup'
BATCH_BAD_BEHAVIOR: Final = "Invalid selected behavior: {value}"
BATCH_BAD_OPTION: Final = 'Invalid "{name}" value: {value}'
BATCH_CONN_DEFAULT: Final = '"max_conn" can only be "default" when working with policies.'
BATCH_DONE: Final = "Changes staged. Use 'commit' to apply them."

# -- §7 certconfig ------------------------------------------------------------------
DEMO_WARNING: Final = (
    "WARNING: You are currently using a demonstration certificate which is not secure and is"
    " not recommended for general use. Please create or import a certificate with the"
    " certconfig command."
)
CERTCONFIG_MENU: Final[list[MenuItem]] = [
    ("CERTIFICATE", "Import, Create a request, Edit or Remove Certificate Profiles"),
    ("CERTAUTHORITY", "Manage System and Customized Authorities"),
]
CERT_LIST_TITLE: Final = "List of Certificates"
CERT_COLUMNS: Final = ("Name", "Common Name", "Issued By", "Status", "Remaining")
CERT_REMAINING: Final = "{days} days"
CERTIFICATE_MENU: Final[list[MenuItem]] = [
    ("IMPORT", "Import a certificate from a local PKCS#12 file"),
    ("PASTE", "Paste a certificate into the CLI"),
    ("NEW", "Create a self-signed certificate and CSR"),
    ("EDIT", "Update certificate or view the signing request"),
    ("EXPORT", "Export a certificate"),
    ("DELETE", "Remove a certificate"),
    ("PRINT", "View certificates assigned to services"),
]
CERT_PROFILE_NAME: Final = "Enter a name for this certificate profile:"
CERT_OVERWRITE: Final = (
    'Certificate profile "{name}" already exists. Do you want to overwrite with this new one?'
)
PASTE_CERT: Final = "Paste public certificate in PEM format (end with '.'):"
PASTE_KEY: Final = "Paste private key in PEM format (end with '.'):"
PASTE_INTERMEDIATE: Final = "Paste intermediate certificate in PEM format (end with '.'):"
ADD_INTERMEDIATE: Final = "Do you want to add an intermediate certificate?"
ADD_ANOTHER_INTERMEDIATE: Final = "Do you want to add another intermediate certificate?"
CHECK_FQDN: Final = (
    "Do you want to check if Common Name is in Fully Qualified Domain Name(FQDN) format?"
)
NOT_FQDN: Final = 'The Common Name "{cn}" is not in FQDN format. The certificate was not added.'
INVALID_CERT: Final = "Invalid certificate...discarding"
INVALID_KEY: Final = "Invalid private key ...discarding"
KEY_MISMATCH: Final = "key does not sign certificate"
END_OF_PASTE: Final = "."
# (issue 4) validity warnings when pasting or importing [M]
CERT_EXPIRED: Final = "The certificate has expired (it was valid until {date})."
CERT_NOT_YET_VALID: Final = "The certificate is not valid until {date}."
USE_ANYWAY: Final = "Do you want to use it anyway?"
NOT_ISSUER: Final = (
    "This intermediate certificate did not issue the certificate before it...discarding"
)
# NEW [T order; M wording]
CERT_COMMON_NAME: Final = "Enter Common Name (CN):"
NOT_FQDN_CN: Final = 'The Common Name "{cn}" is not in FQDN format.'
CERT_ORGANIZATION: Final = "Enter Organization (O):"
CERT_UNIT: Final = "Enter Organizational Unit (OU):"
CERT_LOCALITY: Final = "Enter Locality or City (L):"
CERT_STATE: Final = "Enter State or Province (ST):"
CERT_COUNTRY: Final = "Enter Country (2 letter code) (C):"
BAD_COUNTRY: Final = "Country should be a ISO two character country code"
CERT_SAN: Final = (
    "Enter the host names for the Subject Alternative Name (DNS) extension."
    " Separate multiple host names with commas."
)
BAD_HOSTNAME: Final = 'Invalid hostname format: "{name}"'
CERT_DURATION: Final = "Duration before expiration (in days):"
CERT_DEFAULT_DAYS: Final = 3650
CERT_KEY_TYPE: Final = "Enter type and size of private key:"
KEY_TYPE_LABELS: Final = {
    "rsa-2048": "RSA 2048", "rsa-3072": "RSA 3072", "rsa-4096": "RSA 4096",
    "ecdsa-p256": "ECDSA P-256",
}
VIEW_CSR: Final = "Do you want to view the CSR?"
# EDIT
CERT_EDIT_WHICH: Final = "Select the certificate profile you wish to edit:"
UPDATE_CERT: Final = "Would you like to update the public certificate?"
REMOVE_INTERMEDIATE: Final = "Do you want to remove an intermediate certificate?"
REMOVE_WHICH: Final = "Select the intermediate certificate to remove:"
# IMPORT / EXPORT (PKCS#12 files in the configuration directory)
CERT_IMPORT_FILE: Final = 'Enter the name of the file on machine "{host}" to import:'
CERT_FILE_MISSING: Final = "the file {file} does not exist."
P12_PASSPHRASE: Final = "Enter passphrase:"
P12_REFUSED: Final = "The passphrase is wrong or the file is not a PKCS#12 file."
P12_NO_KEY: Final = "The file does not hold a certificate and its private key."
CERT_EXPORT_WHICH: Final = "Select the certificate profile you wish to export:"
CERT_EXPORT_FILE: Final = "Enter a filename for the exported file:"
CERT_FILE_EXISTS: Final = "The file {file} already exists. Do you want to overwrite it?"
CREATE_PASSPHRASE: Final = "Create a passphrase for file {file}:"
CONFIRM_PASSPHRASE: Final = "Confirm the passphrase for file {file}:"
PASSPHRASE_MISMATCH: Final = "The passphrases do not match."
CERT_FILE_WRITTEN: Final = 'File "{file}" written.'
CERT_FILE_UNWRITABLE: Final = "The file {file} could not be written."
# DELETE / PRINT
CERT_DELETE_WHICH: Final = "Select the certificate profile you wish to delete:"
CERT_IN_USE: Final = 'The certificate profile "{name}" cannot be deleted: it is used by {users}.'
CERT_DELETE_CONFIRM: Final = 'Are you sure you want to delete the certificate profile "{name}"?'
USER_LISTENER: Final = 'listener "{name}"'
USER_OUTBOUND: Final = "the outbound TLS client certificate (destconfig SETUP)"
CERT_PRINT_COLUMNS: Final = ("Service", "Certificate Profile")
SERVICE_LISTENER: Final = "Listener {name}"
SERVICE_OUTBOUND: Final = "Outbound TLS client (destconfig)"
# CERTAUTHORITY (§7.3) [T sub-commands; M text]
CA_MENU: Final[list[MenuItem]] = [
    ("SYSTEM", "Manage the system's trusted Certificate Authorities"),
    ("CUSTOM", "Manage custom Certificate Authorities"),
]
CA_SYSTEM_STATUS: Final = "System Certificate Authorities: {state} ({count} certificates)"
CA_CUSTOM_STATUS: Final = "Custom Certificate Authorities: {state} ({count} certificates)"
CA_ENABLED: Final = "Enabled"
CA_DISABLED: Final = "Disabled"
CA_ENABLE: Final[MenuItem] = ("ENABLE", "Enable the list.")
CA_DISABLE: Final[MenuItem] = ("DISABLE", "Disable the list.")
CA_SYSTEM_MENU: Final[list[MenuItem]] = [("PRINT", "Display the list.")]
CA_CUSTOM_MENU: Final[list[MenuItem]] = [
    ("IMPORT", "Import custom Certificate Authorities from a file or a paste."),
    ("EXPORT", "Export custom Certificate Authorities to a file."),
    ("PRINT", "Display the list."),
    ("DELETE", "Remove a custom Certificate Authority."),
]
CA_IMPORT_FROM: Final = "Import the Certificate Authorities from:"
CA_IMPORT_SOURCES: Final = ("A file in the configuration directory", "Paste")
CA_PASTE: Final = "Paste the Certificate Authorities in PEM format (end with '.'):"
CA_BAD_PEM: Final = "Could not read PEM data from file."
CA_NOT_ADDED: Final = "Not added (not a Certificate Authority, or already in the list): {names}"
CA_ADDED: Final = "Certificate Authorities added: {names}"
CA_EXPORT_WHICH: Final = "Select the Certificate Authorities to export:"
CA_EXPORT_ALL: Final = "All"
CA_PRINT_COLUMNS: Final = ("Name", "Expires", "SHA-256 Fingerprint")
CA_NONE: Final = "There are no custom Certificate Authorities."
CA_DELETE_WHICH: Final = "Select the custom Certificate Authority you wish to delete:"
CA_DELETE_CONFIRM: Final = 'Are you sure you want to delete "{name}"?'


# == issue 5 (shell half): destconfig, smtproutes, alertconfig, tlsverify ==============
# -- §6 destconfig ------------------------------------------------------------------
DEST_COUNT: Final = "There are currently {count} entries configured."
DEST_MENU: Final[list[MenuItem]] = [
    ("SETUP", "Change global settings."),
    ("NEW", "Create a new entry."),
    ("EDIT", "Modify an entry."),
    ("DELETE", "Remove an entry."),
    ("DEFAULT", "Change the default."),
    ("LIST", "Display a summary list of all entries."),
    ("DETAIL", "Display details for one destination or all entries."),
    ("CLEAR", "Remove all entries."),
    ("IMPORT", "Import tables from a file."),
    ("EXPORT", "Export tables to a file."),
]
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
ROUTES_MENU: Final[list[MenuItem]] = [
    ("NEW", "Create a new route."),
    ("EDIT", "Edit destinations of an existing route."),
    ("DELETE", "Remove a route."),
    ("PRINT", "Display a listing of routes."),
    ("IMPORT", "Import new routes from a file."),
    ("EXPORT", "Export all routes to a file."),
    ("CLEAR", "Remove all routes."),
]
ROUTES_EDIT_MENU: Final[list[MenuItem]] = [
    ("ADD", "Add new destination hosts."),
    ("REPLACE", "Specify a new destination or set of destinations."),
    ("REMOVE", "Remove destination hosts."),
]
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
ALERT_MENU: Final[list[MenuItem]] = [
    ("NEW", "Add a new email address to send alerts."),
    ("EDIT", "Modify an email address."),
    ("DELETE", "Remove an email address."),
    ("CLEAR", "Remove all email addresses (disable alerts)."),
    ("SETUP", "Configure alert settings."),
]
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


# -- dnsconfig ----------------------------------------------------------------------
# Not in the reference: the wording is reconstructed from AsyncOS's `dnsconfig` as best
# known. The appliance's "Internet root DNS servers" are the system's resolver here, and
# the priority of a server is its place in the query order (0 is asked first).
DNS_LOCAL: Final = "Currently using the local DNS cache servers:"
DNS_SERVER: Final = "Priority: {priority} {ip}"
DNS_SYSTEM: Final = "Currently using the system resolver."
DNS_MENU: Final[list[MenuItem]] = [
    ("NEW", "Add a new server."),
    ("EDIT", "Edit a server."),
    ("DELETE", "Remove a server."),
    ("USE", "Use the system resolver."),
    ("SETUP", "Configure general settings."),
]
DNS_MENU_SYSTEM: Final[list[MenuItem]] = [
    ("NEW", "Add a new server."),
    ("SETUP", "Configure general settings."),
]
DNS_NEW_IP: Final = "Please enter the IP address of your DNS server."
DNS_EDIT_IP: Final = "Please enter the new IP address of the DNS server."
DNS_INVALID_IP: Final = 'Invalid IP address: "{ip}"'
DNS_SERVER_EXISTS: Final = "The DNS server {ip} is already configured."
DNS_PRIORITY: Final = (
    "Please enter the priority for {ip}.\n"
    "A value of 0 is the highest priority."
)
DNS_EDIT_WHICH: Final = "Please enter the number of the server you wish to edit."
DNS_DELETE_WHICH: Final = "Please enter the number of the server you wish to remove."
DNS_USE_CONFIRM: Final = (
    "Are you sure you want to remove all DNS servers and use the system resolver?"
)
DNS_PORT: Final = "Please enter the port to send DNS queries to."
DNS_TIMEOUT: Final = "Enter the number of seconds to wait for a DNS query."
DNS_TIMEOUT_INVALID: Final = "The value must be a number greater than 0."


# -- tail (§8.7) [T "Unable to tail"; listing and stop line M] ----------------------
TAIL_CONFIGURED: Final = "Currently configured logs:"
TAIL_WHICH: Final = "Enter the number of the log you wish to tail."
TAIL_LOG_LINE: Final = '"{name}" Type: "{kind}" Retrieval: Manual Download'
TAIL_LOG_TYPES: Final = {"mail_logs": "IronPort Text Mail Logs", "system_logs": "System Logs"}
TAIL_STOP: Final = "Press Ctrl-C to stop."
TAIL_UNABLE: Final = 'Unable to tail "{name}": no such log.'
TAIL_USAGE: Final = "Usage: tail [log_name]"


# -- status (§8.6) [T labels; the Listeners block and the not-running lines are ours] ----
STATUS_USAGE: Final = "Usage: status [detail]"
STATUS_UNAVAILABLE: Final = "Couldn't obtain mail stats"
STATUS_NOT_RUNNING: Final = "The appliance is not running."
STATUS_LAST_SEEN: Final = "Last seen: {date}"
STATUS_AS_OF: Final = "Status as of:"
STATUS_UP_SINCE: Final = "Up since:"
STATUS_SYSTEM: Final = "System status:"
STATUS_ONLINE: Final = "Online"
STATUS_VERSION: Final = "Configuration version:"
STATUS_PENDING: Final = "{applied} ({head} pending apply)"
STATUS_NO_VERSION: Final = "None"
STATUS_OLDEST: Final = "Oldest Message:"
STATUS_NO_MESSAGES: Final = "No Messages"
STATUS_COUNTERS: Final = "Counters:"
STATUS_UPTIME: Final = "Uptime"
STATUS_GAUGES: Final = "Gauges:"
STATUS_CURRENT: Final = "Current"
# (indent level, label, key): level 1 is a heading, level 2 a row, level 3 a sub-row.
STATUS_COUNTER_ROWS: Final = (
    (1, "Receiving", ""),
    (2, "Messages Received", "messages_received"),
    (2, "Recipients Received", "recipients_received"),
    (1, "Rejection", ""),
    (2, "Rejected Recipients", "rejected_recipients"),
    (1, "Queue", ""),
    (2, "Soft Bounced Events", "soft_bounced_events"),
    (1, "Completion", ""),
    (2, "Completed Recipients", "completed_recipients"),
    (3, "Hard Bounced Recipients", "hard_bounced_recipients"),
    (3, "Delivered Recipients", "delivered_recipients"),
    (3, "Deleted Recipients", "deleted_recipients"),
)
# `status detail`: the rejected recipients by cause, under Rejected Recipients.
STATUS_REJECTION_DETAIL: Final = (
    (3, "Rejected by RAT", "rejected_recipients_rat"),
    (3, "Rejected by HAT", "rejected_recipients_hat"),
    (3, "Rate Limited", "rejected_recipients_rate_limit"),
)
STATUS_GAUGE_ROWS: Final = (
    (1, "Connections", ""),
    (2, "Current Inbound Conn.", "inbound_connections"),
    (1, "Queue", ""),
    (2, "Active Recipients", "active_recipients"),
    (2, "Messages In Work Queue", "messages_in_queue"),
)
STATUS_LISTENERS: Final = "Listeners:"
STATUS_RUNNING: Final = "Running"
STATUS_FAILED: Final = "Failed: {reason}"
STATUS_STOPPED: Final = "Stopped"
