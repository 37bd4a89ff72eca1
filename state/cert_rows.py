"""What a certificate row costs the clients below it (pure; engine/policy.py
`asks_certificate`): from the first sender group naming a certificate (`cert:` forms),
STARTTLS asks every client placed below it for one, and Python's TLS cannot take a
certificate without verifying it, so a client presenting one that does not verify fails
its handshake. A commit that makes a listener start asking warns once, naming the row.
A row that can never match (state/hat_shadow.py, which warns of it) asks nobody."""

from __future__ import annotations

from state import hat_shadow, messages
from state.hat_rules import certificate_rows
from state.messages import Message
from state.model import Config


def first_asking(config: Config | None) -> dict[str, tuple[int, str]]:
    """Listener name -> the position and name of its first sender group naming a
    certificate, for the listeners that have one."""
    if config is None:
        return {}
    found = {}
    for li in config.listeners:
        shadowed = {s.index for s in hat_shadow.shadowed_groups(li.hat)}
        rows = [row for row in certificate_rows(li.hat) if row not in shadowed]
        if rows:
            found[li.name] = (rows[0], li.hat.groups[rows[0]].name)
    return found


def newly_asking(base: Config | None, target: Config) -> list[Message]:
    """A warning for every listener of `target` that asks more clients than in `base`:
    it has a certificate row where it had none, or its first one stands higher."""
    before, warnings = first_asking(base), []
    for name, (row, group) in first_asking(target).items():
        if name not in before or row < before[name][0]:
            warnings.append(messages.CERTIFICATE_ROW_ASKS(listener=name, group=group))
    return warnings
