"""The HAT decided again once STARTTLS has shown the client's certificate. Pure.

A sender group may name the partner by the certificate it holds (`cert:partner.example`,
engine/policy.py). At connect the certificate is not known, so the HAT decides without it
(the banner, whether STARTTLS is offered or required, and whether a certificate is asked
for); once TLS is up with a verified certificate it decides again with the certificate's
names, and the row found then governs the rest of the conversation: its mail flow policy
(limits, relaying, the RAT), its behavior. RFC 3207 §4.2 makes the client start over after
STARTTLS (EHLO again, no transaction carried across), so nothing already accepted changes.
A row that rejects the client after TLS refuses every command but QUIT.
"""

from __future__ import annotations

from dataclasses import dataclass

from engine import policy
from engine.policy import ClientFacts, HatMatch, Opening
from state.hat_rules import certificate_rows
from state.model import HAT


@dataclass(frozen=True)
class Rematch:
    match: HatMatch
    refuse: bool  # the row found rejects the client: no command goes on
    delayed_reject: bool  # the row rejects it, delayed: MAIL taken, every RCPT refused


def rematch(hat: HAT, facts: ClientFacts, before: HatMatch, delayed_rejection: bool
            ) -> Rematch | None:
    """The HAT's decision with the certificate's names in `facts`; None when the row is
    the one found at connect (or the HAT names no certificate)."""
    if not facts.cert_names or not certificate_rows(hat):
        return None
    match = policy.evaluate_hat(hat, facts)
    if (match.row, match.rule) == (before.row, before.rule):
        return None
    how = policy.opening(match.behavior, delayed_rejection)
    return Rematch(match, how in (Opening.REFUSE, Opening.REJECT), how is Opening.DELAYED_REJECT)
