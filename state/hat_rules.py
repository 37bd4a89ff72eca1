"""What a HAT row means, apart from the client it meets (pure; §4.4, §4.7).

Which behavior and parameters a sender group's row carries (its named policy, a bare
behavior, or its own), and how parameters a policy leaves at "use default" come from the
listener's default policy. The engine's HAT evaluation (engine/policy.py), the shadowed-row
check (state/hat_shadow.py) and the stricter-TLS comparison (state/tls_levels.py) read
these, so a row means the same everywhere.
"""

from __future__ import annotations

from state import senders
from state.model import HAT, Behavior, PolicyParams, SenderGroup, TLSMode

_PARAM_FIELDS = tuple(PolicyParams.__struct_fields__)


def resolve_params(params: PolicyParams, default: PolicyParams) -> PolicyParams:
    """Fields a policy leaves at None ("use default") come from the listener's default."""
    values = {
        name: getattr(params, name) if getattr(params, name) is not None else getattr(default, name)
        for name in _PARAM_FIELDS
    }
    return PolicyParams(**values)


def row_policy(group: SenderGroup, hat: HAT) -> tuple[Behavior, PolicyParams] | None:
    """The behavior and parameters of a row: its named policy, or its own (policy "").

    None when the row names no policy that exists: the engine skips such a row."""
    if not group.policy:
        return (group.behavior, group.params) if group.behavior is not None else None
    name = group.policy
    for policy in hat.policies:
        if policy.name == name:
            return policy.behavior, policy.params
    # A row may name a bare behavior (the compact `TCPREFUSE` form of §4.6).
    try:
        return Behavior(name.upper()), PolicyParams()
    except ValueError:
        return None


def decides(group: SenderGroup, hat: HAT) -> bool:
    """A client this row matches stops here (CONTINUE and unknown policies go on)."""
    found = row_policy(group, hat)
    return found is not None and found[0] is not Behavior.CONTINUE


def row_tls(group: SenderGroup, hat: HAT) -> TLSMode | None:
    """The TLS setting a client matched by this row gets; None when the row does not
    decide (CONTINUE, unknown policy) or refuses the connection."""
    found = row_policy(group, hat)
    if found is None or found[0] in (Behavior.CONTINUE, Behavior.TCPREFUSE, Behavior.REJECT):
        return None
    return resolve_params(found[1], hat.default).tls or TLSMode.NO


# certificate_rows' answers by HAT object: the engine asks on every connection, and a
# committed HAT never changes (the HAT is kept with its answer so its id is not reused).
_ROWS: dict[int, tuple[HAT, tuple[int, ...]]] = {}
_ROWS_KEPT = 64


def certificate_rows(hat: HAT) -> tuple[int, ...]:
    """The positions of the sender groups that name a certificate (`cert:` forms)."""
    known = _ROWS.get(id(hat))
    if known is not None and known[0] is hat:
        return known[1]
    rows = tuple(i for i, group in enumerate(hat.groups)
                 if any(isinstance(senders.parse(form), senders.CertificateName)
                        for form in group.senders))
    if len(_ROWS) >= _ROWS_KEPT:
        _ROWS.clear()
    _ROWS[id(hat)] = (hat, rows)
    return rows
