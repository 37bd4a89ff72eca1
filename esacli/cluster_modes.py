"""A shell's cluster modes on a member (reference §10): which level it edits now, and
one session per mode it has visited, so changes staged in one mode wait there while
the administrator works in another.

The prompt names the mode (`(Cluster Gateways)> `) and says when this machine is
disconnected from the cluster database. Every call that may reach the database runs
off the event loop (`state.cluster.threads`): the shell shares its loop with the queue.
This module is imported only on members (the cluster driver is not needed otherwise).
"""

from __future__ import annotations

from esacli import cluster_run, texts
from state.cluster import threads
from state.cluster.levels import Kind, Level
from state.cluster.node import ClusterNode
from state.cluster.session import LevelSession
from state.secrets import Secrets
from state.store import Store


class Modes:
    def __init__(self, node: ClusterNode, user: str, source: str, *,
                 enforce_role: bool = False) -> None:
        self.node = node
        self.user = user
        self.source = source
        self.enforce_role = enforce_role  # a remote login: the role decides (state.users)
        self.sessions: dict[Level, LevelSession] = {}
        self.level = node.membership.cluster_level

    @classmethod
    async def open(cls, store: Store, secrets: Secrets, user: str, source: str,
                   node: ClusterNode | None = None, *, enforce_role: bool = False) -> Modes:
        """The modes of a shell on this member, starting in Cluster mode."""
        if node is None:
            node = ClusterNode(store, secrets)
        modes = cls(node, user, source, enforce_role=enforce_role)
        await modes.switch(modes.level)
        return modes

    @property
    def session(self) -> LevelSession:
        return self.sessions[self.level]

    async def switch(self, level: Level) -> LevelSession:
        """Edit at `level` from now on (its session made on the first visit); Offline or
        UnknownName when it cannot be reached, and the mode stays as it was."""
        if level not in self.sessions:
            made = await threads.off_loop(
                LevelSession, self.node, level, self.user, self.source,
                enforce_role=self.enforce_role,
                on_password=cluster_run.password_hook(self.node.store, self.node.secrets))
            self.sessions[level] = made
        self.level = level
        return self.sessions[level]

    async def refresh(self) -> None:
        """A mode without pending changes shows the level's head as it is now."""
        await threads.off_loop(self.session.refresh)

    def current_label(self) -> str:
        """The current mode's label, following renames of this machine's own levels."""
        m = self.node.membership
        for own in (m.cluster_level, m.group_level, m.machine_level):
            if own == self.level:
                return own.label
        return self.level.label

    @property
    def connected(self) -> bool:
        link = self.node.local.link()
        return link.connected and not link.admin_disconnected

    @property
    def prompt(self) -> str:
        shape = texts.cluster.PROMPT if self.connected else texts.cluster.PROMPT_DISCONNECTED
        return shape.format(mode=self.current_label())

    @property
    def login_machine(self) -> Level:
        return self.node.membership.machine_level

    def is_login_machine(self) -> bool:
        return self.level == self.login_machine

    @property
    def pending(self) -> list[LevelSession]:
        return [s for s in self.sessions.values() if s.pending]

    def close(self) -> None:
        for session in self.sessions.values():
            session.close()
        self.node.close()


KINDS = {"cluster": Kind.CLUSTER, "group": Kind.GROUP, "machine": Kind.MACHINE}
