"""Every text a cluster error carries, and the cluster's system_logs lines, in one place.

The shell prints an error's text as it is (str(exc)); `{...}` fields are filled
where the error is raised. Wording follows the appliance's style (AsyncOS clusters)
where it has one; the rest is ours.
"""

from __future__ import annotations

from typing import Final

UNREACHABLE: Final = "Unable to connect to the cluster database at {where}: {reason}"
OFFLINE: Final = (
    "This machine is currently disconnected from the cluster: changes at {mode} level"
    " cannot be committed until it reconnects. Machine-only settings (sethostname,"
    " interfaceconfig) can still be committed in machine mode."
)
OFFLINE_OPERATION: Final = (
    "This machine is currently disconnected from the cluster: this operation needs the"
    " cluster database."
)
OFFLINE_SHARED: Final = (
    "This machine is currently disconnected from the cluster: only machine-only settings"
    " (sethostname, interfaceconfig) can be committed until it reconnects; these cannot:"
    " {sections}."
)
OFFLINE_CONFIRMED: Final = (
    "This machine is currently disconnected from the cluster: commit confirmed needs the"
    " cluster database; use a plain commit for machine-only settings."
)
ADMIN_DISCONNECTED: Final = "disconnected by an administrator (clusterconfig RECONNECT)"
NOT_CLUSTERED: Final = "This command is only available on cluster system."
ALREADY_CLUSTERED: Final = 'This machine is already a member of the cluster "{name}".'
CLUSTER_EXISTS: Final = 'The cluster database already holds the cluster "{name}".'
NO_CLUSTER: Final = "The cluster database holds no cluster. Create the cluster first."
WRONG_PASSPHRASE: Final = "The cluster passphrase is incorrect."
SHORT_PASSPHRASE: Final = "The cluster passphrase must be at least {length} characters long."
DUPLICATE_MACHINE: Final = 'A machine named "{name}" is already in the cluster.'
DUPLICATE_GROUP: Final = 'A group named "{name}" already exists.'
UNKNOWN_MACHINE: Final = 'There is no machine named "{name}" in the cluster.'
UNKNOWN_GROUP: Final = 'There is no group named "{name}" in the cluster.'
BAD_NAME: Final = (
    'Invalid name "{name}": use 1 to 64 letters, digits, "_", "." or "-".'
)
REMOVE_SELF: Final = (
    'You cannot remove the machine you are logged in to ("{name}"). Remove it from'
    " another machine of the cluster."
)
GROUP_NOT_EMPTY: Final = (
    'The group "{name}" still has machines ({machines}). Move them to another group first.'
)
MACHINE_ONLY: Final = "This setting can only be configured in machine mode."
NOT_DEFINED: Final = (
    'The settings of {section} are not configured at mode "{mode}": nothing to copy.'
)
SEAL_BROKEN: Final = "A private key of the cluster cannot be decrypted with this cluster key."
ON_MACHINES: Final = "{message} (on {machines})"

# Why a machine is not at the head (clustercheck).
CHECK_DISCONNECTED: Final = "disconnected"
CHECK_BEHIND: Final = "not yet applied (applied {applied}, head {head})"
CHECK_ERROR: Final = "cannot apply: {error}"

# system_logs lines of the follower (logging %-style arguments; never values of settings).
LOG_CONNECTED: Final = "cluster %s: connected to the cluster database as machine %s"
LOG_DISCONNECTED: Final = "cluster %s: disconnected from the cluster database: %s"
LOG_APPLIED: Final = "cluster %s: applied levels %s as local version %d"
LOG_NOT_APPLIED: Final = "cluster %s: levels %s not applied: %s"
LOG_PUSHED: Final = "cluster %s: offline machine-level commit pushed as version %d"
LOG_PUSH_REFUSED: Final = "cluster %s: offline machine-level commit refused, conflicts at %s"
LOG_REMOVED: Final = "cluster %s: this machine was removed from the cluster; now standalone"
LOG_ROLLED_BACK: Final = "cluster %s: unconfirmed version %d at %s rolled back as version %d"
LOG_ROLLBACK_KEPT: Final = "cluster %s: unconfirmed version %d at %s kept (%s)"
LOG_REASSERTED: Final = (
    "cluster %s: the local configuration differed from the cluster's; the cluster's restored"
)
REASSERTED_COMMENT: Final = "The cluster's configuration, restored over a local change"
ROLLBACK_COMMENT: Final = "Automatic rollback of unconfirmed version {version}"
