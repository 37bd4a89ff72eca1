"""Edits of the alert recipients (alertconfig, reference §8.8)."""

from __future__ import annotations

from collections.abc import Sequence

from state import messages, model
from state.messages import Message
from state.model import AlertRecipient, Alerts
from state.validate_outbound import is_email

ALL = "All"


def chosen(options: Sequence[str], picked: Sequence[str]) -> tuple[str, ...]:
    """Classes or severities as picked, each once; "All" (the first option) absorbs
    the others."""
    return (options[0],) if options[0] in picked else tuple(dict.fromkeys(picked))


def address_refusal(alerts: Alerts, address: str, current: str = "") -> Message | None:
    """Why `address` cannot receive alerts (`current`: the recipient's own), or None."""
    taken = {r.address.lower() for r in alerts.recipients} - {current.lower()}
    if not is_email(address):
        return messages.ALERT_INVALID_ADDRESS()
    if address.lower() in taken:
        return messages.ALERT_ADDRESS_EXISTS(address=address)
    return None


def put_recipient(alerts: Alerts, old_address: str, rcpt: AlertRecipient) -> Alerts:
    """Replace recipient `old_address` in place (the address may change), or append."""
    if not any(r.address == old_address for r in alerts.recipients):
        return model.replace(alerts, recipients=(*alerts.recipients, rcpt))
    recipients = tuple(rcpt if r.address == old_address else r for r in alerts.recipients)
    return model.replace(alerts, recipients=recipients)


def remove_recipient(alerts: Alerts, address: str) -> Alerts:
    recipients = tuple(r for r in alerts.recipients if r.address != address)
    return model.replace(alerts, recipients=recipients)


def from_address(answer: str, fallback: str, reset_word: str) -> str | None:
    """The From: address to store for an answer ("" for the default one, which the
    answer names by `reset_word` or by being `fallback`); None when it is not one."""
    if answer.upper() == reset_word or answer == fallback:
        return ""
    return answer if is_email(answer) else None
