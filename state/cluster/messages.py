"""Every text a cluster error carries, and the cluster's system_logs lines, in one place.

An error's text is a `Template` (state.messages: the code, and the fields filled where
the error is raised); the shell prints it as it is. Log lines stay plain strings.
Wording follows the appliance's style (reference §10) where it has one; the rest is ours.
"""

from __future__ import annotations

from typing import Final

from state.messages import Template

UNREACHABLE: Final = Template(
    "CLUSTER_UNREACHABLE", "Unable to connect to the cluster database at {where}: {reason}")
FAULTED: Final = Template(
    "CLUSTER_FAULTED",
    "The cluster database at {where} refused the request: {reason}. Nothing was changed.")
UNCERTAIN: Final = Template(
    "CLUSTER_UNCERTAIN",
    "The connection to the cluster database was lost while it committed ({reason}): the"
    " commit may have been made or not. Your changes are still pending: once this machine"
    " is connected again, rollbackconfig lists what was committed; commit again if needed.")
WRONG_CLUSTER: Final = Template(
    "CLUSTER_WRONG_CLUSTER",
    'The cluster database at {where} holds {found}, not the cluster "{name}" this machine'
    " belongs to: it is not followed and nothing is written there; this machine keeps"
    " running its last configuration. Check what that address reaches.")
FOUND_CLUSTER: Final = 'another cluster ("{name}")'
FOUND_NONE: Final = "no cluster"
BUSY: Final = Template(
    "CLUSTER_BUSY",
    "Another commit has held the cluster's commit lock for {seconds} seconds (a machine"
    " that stopped in the middle of a commit holds it until the database notices)."
    " Nothing was committed; your changes are still pending: commit again later.")
OFFLINE: Final = Template(
    "CLUSTER_OFFLINE",
    "This machine is currently disconnected from the cluster{because}: changes at {mode} level"
    " cannot be committed until it reconnects. Machine-only settings (sethostname,"
    " interfaceconfig) can still be committed in machine mode."
)
OFFLINE_OPERATION: Final = Template(
    "CLUSTER_OFFLINE_OPERATION",
    "This machine is currently disconnected from the cluster: this operation needs the"
    " cluster database."
)
OFFLINE_SHARED: Final = Template(
    "CLUSTER_OFFLINE_SHARED",
    "This machine is currently disconnected from the cluster: only machine-only settings"
    " (sethostname, interfaceconfig) can be committed until it reconnects; these cannot:"
    " {sections}."
)
OFFLINE_CONFIRMED: Final = Template(
    "CLUSTER_OFFLINE_CONFIRMED",
    "This machine is currently disconnected from the cluster: commit confirmed needs the"
    " cluster database; use a plain commit for machine-only settings."
)
ADMIN_DISCONNECTED: Final = (
    "disconnected by an administrator (clusterconfig DISCONNECT; RECONNECT ends it)")
NOT_ANSWERING: Final = "the cluster database has not answered for {seconds} seconds"
NOT_CLUSTERED: Final = Template(
    "CLUSTER_NOT_CLUSTERED", "This command is only available on cluster system.")
ALREADY_CLUSTERED: Final = Template(
    "CLUSTER_ALREADY_CLUSTERED", 'This machine is already a member of the cluster "{name}".')
CLUSTER_EXISTS: Final = Template(
    "CLUSTER_CLUSTER_EXISTS", 'The cluster database already holds the cluster "{name}".')
NO_CLUSTER: Final = Template(
    "CLUSTER_NO_CLUSTER", "The cluster database holds no cluster. Create the cluster first.")
WRONG_PASSPHRASE: Final = Template(
    "CLUSTER_WRONG_PASSPHRASE", "The cluster passphrase is incorrect.")
SHORT_PASSPHRASE: Final = Template(
    "CLUSTER_SHORT_PASSPHRASE", "The cluster passphrase must be at least {length} characters long.")
DUPLICATE_MACHINE: Final = Template(
    "CLUSTER_DUPLICATE_MACHINE", 'A machine named "{name}" is already in the cluster.')
DUPLICATE_GROUP: Final = Template(
    "CLUSTER_DUPLICATE_GROUP", 'A group named "{name}" already exists.')
UNKNOWN_MACHINE: Final = Template(
    "CLUSTER_UNKNOWN_MACHINE", 'There is no machine named "{name}" in the cluster.')
UNKNOWN_GROUP: Final = Template(
    "CLUSTER_UNKNOWN_GROUP", 'There is no group named "{name}" in the cluster.')
BAD_NAME: Final = Template(
    "CLUSTER_BAD_NAME",
    'Invalid name "{name}": use 1 to 64 letters, digits, "_", "." or "-".'
)
REMOVE_SELF: Final = Template(
    "CLUSTER_REMOVE_SELF",
    'You cannot remove the machine you are logged in to ("{name}"). Remove it from'
    " another machine of the cluster."
)
GROUP_NOT_EMPTY: Final = Template(
    "CLUSTER_GROUP_NOT_EMPTY",
    'The group "{name}" still has machines ({machines}). Move them to another group first.'
)
MACHINE_ONLY: Final = Template(
    "CLUSTER_MACHINE_ONLY", "This setting can only be configured in machine mode.")
NOT_DEFINED: Final = Template(
    "CLUSTER_NOT_DEFINED",
    'The settings of {section} are not configured at mode "{mode}": nothing to copy.'
)
SEAL_BROKEN: Final = Template(
    "CLUSTER_SEAL_BROKEN",
    "A private key of the cluster cannot be decrypted with this cluster key.")

ON_MACHINES: Final = Template("CLUSTER_ON_MACHINES", "{message} (on {machines})")

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
INVALID_LEVEL: Final = Template(
    "CLUSTER_INVALID_LEVEL", "a cluster level holds an invalid document: {reason}")
UNKNOWN_SECTIONS: Final = Template(
    "CLUSTER_UNKNOWN_SECTIONS", "a cluster level names unknown sections: {sections}")
LEVEL_NOT_OBJECT: Final = Template(
    "CLUSTER_LEVEL_NOT_OBJECT", "a cluster level's document is not an object")
LOCAL_TOO_FAST: Final = Template(
    "CLUSTER_LOCAL_TOO_FAST", "the local configuration is changing too fast")
NO_LEVEL_VERSION: Final = Template("CLUSTER_NO_LEVEL_VERSION", "no version {number} at {level}")
