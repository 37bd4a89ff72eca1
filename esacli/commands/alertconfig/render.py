"""alertconfig's screen (§8.8): who receives alerts, and from which address."""

from __future__ import annotations

from esacli import texts
from state.model import Alerts


def alerts_status(alerts: Alerts, hostname: str) -> str:
    if not alerts.recipients:
        lines = [texts.alerts.ALERTS_NONE]
    else:
        lines = [texts.alerts.ALERTS_TO]
        for rcpt in alerts.recipients:
            lines.append(texts.alerts.ALERT_RECIPIENT.format(
                address=rcpt.address, classes=", ".join(rcpt.classes),
                severities=", ".join(rcpt.severities)))
    sender = alerts.from_address or texts.alerts.ALERT_FROM_DEFAULT.format(hostname=hostname)
    return "\n".join(lines) + "\n\n" + texts.alerts.ALERT_FROM_LINE.format(address=sender)
