"""CLI texts: clustering (§10): clusterconfig, clustermode, clustercheck, the prompt of a
member, the NOTICE dialogs and the restricted-command questions; sethostname and
interfaceconfig (§8). Quoted where the reference quotes the appliance ([T]); the rest [M]
in the same style. Errors of the cluster itself are state's (state/cluster/messages.py)."""

from __future__ import annotations

from typing import Final

# -- the prompt (§10) ---------------------------------------------------------------------
PROMPT: Final = "({mode})> "
PROMPT_DISCONNECTED: Final = "({mode}) [disconnected]> "

COMMITTED_OFFLINE: Final = (
    "This machine is disconnected from the cluster: the change is applied here now and"
    " sent to the cluster when it reconnects.")

PENDING_ELSEWHERE: Final = (
    "There is no data to commit in this mode. Changes are pending in {modes}: switch to"
    " that mode with clustermode to commit them.")

# -- clustermode (§10) [T "Choose the configuration", "Choose"] -----------------------------
CHOOSE_MODE: Final = "Choose the configuration mode to edit:"
CHOOSE_GROUP: Final = "Choose the group to configure."
CHOOSE_MACHINE: Final = "Choose a machine."
MODE_USAGE: Final = "Usage: clustermode cluster | clustermode group NAME | clustermode machine NAME"
NOT_CLUSTERED: Final = "This command is only available on cluster system."

# -- NOTICE dialogs (§10) [T handlecluster.py] ----------------------------------------------
NOTICE: Final = (
    "NOTICE: This configuration command has not yet been configured for the current"
    " cluster mode ({mode})."
)
START_EMPTY_ONLY: Final = (
    "Do you want to start a new, empty configuration at the current mode ({mode})?")
WHAT_TO_DO: Final = "What would you like to do?"
SWITCH_TO: Final = 'Switch modes to edit at mode "{mode}".'
START_EMPTY: Final = "Start a new, empty configuration at the current mode ({mode})."
COPY_FROM: Final = "Copy settings from another cluster mode to the current mode ({mode})."
CHOOSE_COPY_SOURCE: Final = "Choose the mode from which to copy settings"
COPIED: Final = 'The settings of {command} were copied from "{source}" to "{mode}".'

# -- restricted commands (§10) [T handlecluster.py; D UG 39-15] -----------------------------
MACHINE_ONLY: Final = (
    "This command is restricted to run in machine mode of the machine you are logged in"
    ' to. Do you want to switch to "{mode}" mode?'
)
RESTRICTED: Final = 'This command is restricted to "{mode}" mode. Would you like to switch to' \
    ' "{mode}" mode?'

# -- clusterconfig standalone (§10) [T order; M text] -----------------------------------------
PENDING_LOST: Final = (
    "There are pending changes that may be lost if you join or create a cluster."
    " Do you want to continue?"
)
JOIN_OR_CREATE: Final = "Do you want to join or create a cluster?"
CHOICES: Final = (
    "No, configure as standalone.",
    "Create a new cluster.",
    "Join an existing cluster.",
)
CLUSTER_NAME: Final = "Enter the name of the new cluster."
CONNINFO: Final = (
    "Enter the address of the cluster database (PostgreSQL), for example"
    " postgresql://esacli@192.0.2.10:5432/esacli"
)
DB_PASSWORD: Final = "Enter the password of the database user (Enter for none):"
MACHINE_NAME: Final = "Enter the name of this machine in the cluster."
NEW_PASSPHRASE: Final = (
    "Enter a passphrase for the cluster. Every machine that joins the cluster asks for it"
    " once; it protects the private keys the cluster shares."
)
PASSPHRASE: Final = "Enter passphrase:"
PASSPHRASE_AGAIN: Final = "Enter passphrase again:"
PASSPHRASE_MISMATCH: Final = "The passphrases do not match."
CREATING: Final = "Creating the cluster {name}..."
CREATED: Final = (
    "Cluster {name} created. This machine is machine {machine} of group {group}; its"
    " configuration is now the cluster's (its host name and IP interfaces are its machine"
    " settings). The cluster takes effect immediately."
)
FOUND: Final = "The cluster database holds the cluster {name} (machines: {machines})."
CHOOSE_JOIN_GROUP: Final = "Choose the group to join."
JOIN_WARNING: Final = (
    "WARNING: joining the cluster replaces this machine's shared settings (listeners,"
    " certificates, destination controls, routes, DNS, alerts, SSL...) with the cluster's."
    " Its host name and IP interfaces are kept as its machine settings."
)
JOIN_CONFIRM: Final = "Do you want to join the cluster {name}?"
JOINED: Final = (
    "This machine joined the cluster {name} as machine {machine} of group {group}. The"
    " cluster configuration takes effect immediately."
)
NOTHING_CHANGED: Final = "Nothing was changed."
PASSPHRASE_TRIES_OVER: Final = (
    "{tries} incorrect passphrases: the machine did not join. Nothing was changed.")

# -- clusterconfig on a member (§10) [T names; M labels] ------------------------------------
CLUSTER_HEADER: Final = "Cluster {name}"
MENU: Final = {
    "ADDGROUP": "Add a cluster group.",
    "SETGROUP": "Set the group that machines are a member of.",
    "RENAMEGROUP": "Rename a cluster group.",
    "DELETEGROUP": "Remove a cluster group.",
    "REMOVEMACHINE": "Remove a machine from the cluster.",
    "SETNAME": "Set the cluster name.",
    "LIST": "List the machines in the cluster.",
    "CONNSTATUS": "Show the status of this machine's connection to the cluster.",
    "DISCONNECT": "Temporarily detach this machine from the cluster.",
    "RECONNECT": "Restore the connection of this machine to the cluster.",
}
NEW_GROUP: Final = "Enter the name of the new cluster group."
GROUP_ADDED: Final = "Cluster group {name} added."
WHICH_MACHINE: Final = "Choose the machine."
WHICH_GROUP: Final = "Choose the group."
GROUP_SET: Final = "Machine {machine} is now a member of group {group}."
RENAME_WHICH: Final = "Choose the group to rename."
RENAME_TO: Final = "Enter the new name of the group."
GROUP_RENAMED: Final = "Cluster group {old} renamed to {new}."
DELETE_WHICH: Final = "Choose the group to remove."
GROUP_DELETED: Final = "Cluster group {name} removed."
REMOVE_WHICH: Final = "Choose the machine to remove from the cluster."
REMOVE_CONFIRM: Final = (
    "Machine {name} will leave the cluster and go on as a standalone appliance with the"
    " configuration it runs. Do you want to continue?"
)
MACHINE_REMOVED: Final = "Machine {name} removed from the cluster."
SETNAME_PROMPT: Final = "Enter the new name of the cluster."
CLUSTER_RENAMED: Final = "The cluster is now named {name}."
LIST_GROUP: Final = "Group {name}:"
LIST_MACHINE: Final = "    Machine {name}{this} ({state}; versions {applied})"
LIST_THIS: Final = " (this machine)"
LIST_EMPTY: Final = "    (no machines)"
CONNECTED: Final = "connected"
DISCONNECTED: Final = "disconnected"
CONN_LINES: Final = (
    "Cluster:          {cluster}",
    "Machine:          {machine} (group {group})",
    "Cluster database: {server}",
    "Connection:       {state}",
)
CONN_SINCE: Final = "{state} since {date}"
CONN_REASON: Final = "{state} since {date} ({reason})"
CONN_OUTBOX: Final = "A machine-level commit made offline waits to be sent to the cluster."
CONN_PUSH_ERROR: Final = "The cluster refused the last offline commit: {error}"
DISCONNECT_CONFIRM: Final = (
    "This machine keeps serving mail on its current configuration but stops following"
    " the cluster, and commits at Cluster and Group level are refused until RECONNECT."
    " Do you want to disconnect it?"
)
DISCONNECTED_NOW: Final = "This machine is now disconnected from the cluster."
RECONNECTED: Final = "This machine is connected to the cluster again; it catches up at once."
RECONNECT_LATER: Final = (
    "This machine will reconnect to the cluster as soon as the cluster database can be"
    " reached."
)

# -- clustercheck (§10) [M] --------------------------------------------------------------
CHECK_OK: Final = "No inconsistencies found: every machine runs the head of its levels."
CHECK_HEADER: Final = "Inconsistencies found:"
CHECK_LINE: Final = "Machine {machine} (group {group}): {reason}"

# -- status (§8.6): a member's line [M] ------------------------------------------------------
STATUS_CLUSTER: Final = "Cluster:"
STATUS_CONNECTED: Final = "{cluster}, machine {machine}: connected"
STATUS_DISCONNECTED: Final = "{cluster}, machine {machine}: DISCONNECTED since {date} ({reason})"

# -- sethostname (§8) [M] ---------------------------------------------------------------------
HOSTNAME_PROMPT: Final = "Enter the hostname."
HOSTNAME_USAGE: Final = "Usage: sethostname [hostname]"
HOSTNAME_SET: Final = "The hostname {name} takes effect when you commit."

# -- interfaceconfig (§8) [M, after AsyncOS's interfaceconfig] ---------------------------------
INTERFACES_HEADER: Final = "Currently configured interfaces:"
INTERFACE_LINE: Final = "{n}. {name} ({ip}): {hostname}"
NO_INTERFACES: Final = "No interfaces are configured."
INTERFACE_MENU: Final = {
    "NEW": "Create a new interface.",
    "EDIT": "Modify an interface.",
    "DELETE": "Remove an interface.",
}
INTERFACE_WHICH: Final = "Enter the number of the interface you wish to {action}."
INTERFACE_NAME: Final = "Please enter a name for this IP interface (Ex: \"InternalNet\"):"
INTERFACE_IP: Final = "Enter the IP address to assign."
INTERFACE_HOSTNAME: Final = "Hostname:"
INTERFACE_USED: Final = (
    "The interface {name} is used by these listeners: {listeners}. On this machine they run"
    " disabled until an interface of that name exists again."
)
INTERFACE_DELETE_CONFIRM: Final = "Do you want to remove the interface {name}?"
