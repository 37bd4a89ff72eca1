"""Levels and their partial configurations: the pure rules of a cluster's configuration.

A level (Cluster, a Group, a Machine) holds a *document*: a dict from section
(a top-level field of `state.model.Config`: "listeners", "destinations", ...) to
that section's plain tree, for the sections the level defines. A machine runs
`effective(cluster, group, machine)`: for each section, the lowest level that
defines it wins, whole; a section no level defines has the model's default.

Why per section, not per path: it is the appliance's own model (a command's
settings are configured at a mode or not, hence the NOTICE dialogs "start a new,
empty configuration" / "copy settings from another mode"), and a HAT or a
destination table is one policy that must be read as a whole: merging one
listener's rows from the Cluster level with another's from the Machine level
would make a policy nobody wrote. Inside a level, diffs, `showchanges` and the
three-way merge of concurrent commits work by path exactly as on a standalone
appliance (state/diff.py): a level's document has the same paths
(``listeners[InboundMail].hat.default.tls``), only fewer of them.

Machine-only sections (`MACHINE_ONLY`: host name, IP interfaces) are defined
at Machine level only; everything operational (queue, logs) is not configuration.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

import msgspec

from state import model
from state.cluster import messages
from state.defaults import HOSTNAME
from state.errors import ConfigError, StoreError
from state.model import Config

Doc = dict[str, Any]  # section -> plain tree

SECTIONS: tuple[str, ...] = tuple(Config.__struct_fields__)
MACHINE_ONLY: frozenset[str] = frozenset({"hostname", "interfaces"})
SHARED: tuple[str, ...] = tuple(s for s in SECTIONS if s not in MACHINE_ONLY)

# The sections each configuration command edits: what the NOTICE dialog of §10
# asks about before the command runs at a mode that does not define them.
COMMAND_SECTIONS: Mapping[str, tuple[str, ...]] = {
    "listenerconfig": ("listeners", "listener_setup"),
    "certconfig": ("certificates", "authorities"),
    "destconfig": ("destinations",),
    "smtproutes": ("routes",),
    "alertconfig": ("alerts",),
    "dnsconfig": ("dns",),
    "sslconfig": ("ssl",),
    "userconfig": ("users", "access"),
    "sshconfig": ("users", "access"),
    "adminaccessconfig": ("access",),
    "sethostname": ("hostname",),
    "interfaceconfig": ("interfaces",),
}

def plain(config: Config) -> dict[str, Any]:
    """A configuration as JSON-shaped data (lists, not tuples): what documents hold, so a
    document read back from the database compares equal to the one written."""
    tree: dict[str, Any] = msgspec.json.decode(msgspec.json.encode(config))
    return tree


_DEFAULT_TREE: dict[str, Any] = plain(Config(hostname=HOSTNAME))


class Kind(enum.Enum):
    CLUSTER = "cluster"
    GROUP = "group"
    MACHINE = "machine"


@dataclass(frozen=True)
class Level:
    """One level: its kind, the id of its scope (0 for the cluster) and its name.

    Levels are equal by kind and scope: a group or machine keeps its id when renamed."""

    kind: Kind
    scope: int
    name: str = field(compare=False)

    @property
    def label(self) -> str:
        """`Cluster NAME`, `Group NAME`, `Machine NAME`: the mode as the prompt shows it."""
        return f"{self.kind.value.capitalize()} {self.name}"


def default_section(section: str) -> Any:
    """A section's value when no level defines it ("start a new, empty configuration")."""
    return _DEFAULT_TREE[section]


def _tree(layers: Iterable[Mapping[str, Any]], machine: Mapping[str, Any]) -> dict[str, Any]:
    ordered = list(layers)
    tree = dict(_DEFAULT_TREE)
    for section in SECTIONS:
        sources = (machine,) if section in MACHINE_ONLY else ordered
        for layer in sources:
            if section in layer:
                tree[section] = layer[section]
                break
    return tree


def view(kind: Kind, cluster: Mapping[str, Any], group: Mapping[str, Any],
         machine: Mapping[str, Any]) -> Config:
    """The whole configuration as seen in `kind` mode: the shared sections of that
    level and those above it, the machine-only sections of `machine` (in Cluster or
    Group mode they are the login machine's, shown so dialogs can name interfaces)."""
    layers = {Kind.CLUSTER: (cluster,), Kind.GROUP: (group, cluster),
              Kind.MACHINE: (machine, group, cluster)}[kind]
    return _config(_tree(layers, machine))


def effective(cluster: Mapping[str, Any], group: Mapping[str, Any],
              machine: Mapping[str, Any]) -> Config:
    """The configuration a machine runs: its three levels merged."""
    return view(Kind.MACHINE, cluster, group, machine)


def _config(tree: dict[str, Any]) -> Config:
    try:
        return model.from_tree(tree)
    except msgspec.ValidationError as exc:
        raise StoreError(messages.INVALID_LEVEL(reason=exc)) from None


def stage(doc: Mapping[str, Any], before: Config, after: Config) -> Doc:
    """The level's document once `after` replaces the view `before` in its mode: the
    sections it defines take their new values; a section it did not define but that
    changed becomes defined here (the shell asks first, §10 NOTICE)."""
    a, b = plain(before), plain(after)
    staged = dict(doc)
    for section in SECTIONS:
        if section in doc or a[section] != b[section]:
            staged[section] = b[section]
    return staged


def split(config: Config) -> tuple[Doc, Doc]:
    """A standalone configuration as (shared sections, machine-only sections)."""
    tree = plain(config)
    shared = {s: tree[s] for s in SHARED}
    return shared, {s: tree[s] for s in SECTIONS if s in MACHINE_ONLY}


def changed_sections(old: Mapping[str, Any], new: Mapping[str, Any]) -> set[str]:
    return {s for s in set(old) | set(new) if old.get(s) != new.get(s)}


def misplaced(kind: Kind, doc: Mapping[str, Any]) -> list[ConfigError]:
    """Machine-only sections in a Cluster or Group level's document."""
    if kind is Kind.MACHINE:
        return []
    return [ConfigError(s, messages.MACHINE_ONLY()) for s in SECTIONS
            if s in MACHINE_ONLY and s in doc]


def normalise(doc: Mapping[str, Any]) -> Doc:
    """A document in canonical form (every field present, in model order); StoreError
    if a section is not a valid value of its type."""
    unknown = set(doc) - set(SECTIONS)
    if unknown:
        raise StoreError(messages.UNKNOWN_SECTIONS(sections=sorted(unknown)))
    tree = plain(_config({**_DEFAULT_TREE, **doc}))
    return {s: tree[s] for s in SECTIONS if s in doc}


def encode(doc: Mapping[str, Any]) -> str:
    return msgspec.json.encode(normalise(doc)).decode()


def decode(text: str | bytes) -> Doc:
    """A document as the database holds it; StoreError if it is not one (made by hand)."""
    try:
        raw = msgspec.json.decode(text)
    except msgspec.DecodeError as exc:
        raise StoreError(messages.INVALID_LEVEL(reason=exc)) from None
    if not isinstance(raw, dict):
        raise StoreError(messages.LEVEL_NOT_OBJECT())
    return normalise(raw)


def key_ids(doc: Mapping[str, Any]) -> set[str]:
    """The private keys a document's certificate profiles name."""
    return {str(c["key_id"]) for c in doc.get("certificates", ()) if c.get("key_id")}
