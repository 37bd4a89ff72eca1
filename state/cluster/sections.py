"""What a level session does for the NOTICE dialogs (reference §10): which sections a
level defines, defining one (empty or copied from another level) and giving one up."""

from __future__ import annotations

from typing import TYPE_CHECKING

from state.cluster import levels, messages
from state.cluster.errors import NotDefined
from state.cluster.levels import Doc, Kind, Level

if TYPE_CHECKING:
    from state.cluster.node import ClusterNode
    from state.cluster.session import _Layers


class Sections:
    """Mixed into LevelSession, whose candidate document `_doc` it edits."""

    _doc: Doc
    level: Level
    node: ClusterNode
    _layers: _Layers

    def defines(self, section: str) -> bool:
        return section in self._doc

    def start_empty(self, section: str) -> None:
        """Define `section` here with the factory value ("start a new, empty configuration")."""
        self._doc = {**self._doc, section: levels.default_section(section)}

    def copy_from(self, section: str, source: Level) -> None:
        """Define `section` here as `source` defines it (NotDefined if it does not)."""
        if source == self.level:
            doc = self._doc
        else:
            with self.node.connect() as db:
                doc = db.head(source).document
        if section not in doc:
            raise NotDefined(messages.NOT_DEFINED(section=section, mode=source.label))
        self._doc = {**self._doc, section: doc[section]}

    def providers(self, section: str) -> list[Level]:
        """The levels above this one that define `section`, nearest first: where the
        settings this mode shows for it come from (the NOTICE dialog offers them)."""
        m = self.node.membership
        above = {Kind.CLUSTER: [], Kind.GROUP: [(m.cluster_level, self._layers.cluster)],
                 Kind.MACHINE: [(self._layers.group_level, self._layers.group),
                                (m.cluster_level, self._layers.cluster)]}[self.level.kind]
        return [level for level, doc in above if section in doc]

    def undefine(self, section: str) -> None:
        """Stop defining `section` here: the level above applies again."""
        self._doc = {s: v for s, v in self._doc.items() if s != section}

