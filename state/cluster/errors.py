"""The exception tree of `state.cluster` (all are `state.errors.StateError`).

Each carries its message as every state error does (`reason`: a Template of
state/cluster/messages.py, the cluster's catalogue, with its code and fields).

ClusterError            base; str(exc) is a complete message for the administrator
 +-- Unreachable        PostgreSQL cannot be reached or refuses us (address, port,
 |    |                 authentication, database): nothing was changed
 |    +-- Faulted       it answers, with an error of its own (out of disk space, a table
 |    |                 missing, read-only): its words, nothing was changed
 |    +-- Uncertain     the connection was lost while the server committed: it may have
 |                      committed or not (the change is kept pending)
 |    +-- WrongCluster  the database at the address holds another cluster, or none:
 |                      not followed, nothing written there
 +-- Busy               the commit lock is held longer than db.LOCK_TIMEOUT (another
 |                      machine's commit that does not end): nothing was committed
 +-- Offline            this machine is disconnected (PostgreSQL away, or DISCONNECT):
 |                      a commit at Cluster or Group level, or an operation that needs
 |                      the cluster database, is refused
 +-- NotClustered       the data dir is not a member of a cluster
 +-- AlreadyClustered   create or join on a data dir that already is a member
 +-- ClusterExists      create on a database that already holds a cluster
 +-- NoCluster          join on a database that holds no cluster
 +-- WrongPassphrase    the cluster passphrase does not unwrap the cluster key
 +-- DuplicateName      a machine or group name already taken
 +-- UnknownName        no machine or group of that name
 +-- BadName            a machine or group name that is not allowed
 +-- RemoveSelf         REMOVEMACHINE of the machine the session runs on
 +-- GroupNotEmpty      DELETEGROUP of a group that still has machines
 +-- NotDefined         copy from a level that does not define that section
 +-- SealError          a sealed key cannot be opened (wrong cluster key, tampering)

Commits refused for conflicts or validation errors raise `state.errors.CommitRefused`,
as a standalone commit does; `state.errors.ConfirmationPending` likewise.
"""

from __future__ import annotations

from state.errors import StateError


class ClusterError(StateError):
    """Base of every error of `state.cluster`."""


class Unreachable(ClusterError):
    pass


class Faulted(Unreachable):
    pass


class Uncertain(Unreachable):
    pass


class WrongCluster(Unreachable):
    pass


class Busy(ClusterError):
    pass


class Offline(ClusterError):
    pass


class NotClustered(ClusterError):
    pass


class AlreadyClustered(ClusterError):
    pass


class ClusterExists(ClusterError):
    pass


class NoCluster(ClusterError):
    pass


class WrongPassphrase(ClusterError):
    pass


class DuplicateName(ClusterError):
    pass


class UnknownName(ClusterError):
    pass


class BadName(ClusterError):
    pass


class RemoveSelf(ClusterError):
    pass


class GroupNotEmpty(ClusterError):
    pass


class NotDefined(ClusterError):
    pass


class SealError(ClusterError):
    pass
