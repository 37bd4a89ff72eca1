"""The required-TLS-failure alert (destconfig SETUP; class System, severity Warning).

`TlsAlerts.due` decides, purely from the configuration and the clock time it is
given, whether an alert goes out now and to whom; at most one per domain per
hour. The manager turns the answer into a queued message.
"""

from __future__ import annotations

from dataclasses import dataclass

from engine.outbound.scheduler import alert_message
from state.model import Config

THROTTLE_SECONDS = 3600.0
ALERT_CLASS = "System"
ALERT_SEVERITY = "Warning"
ALERT = "alert"  # why mail_logs says an alert message was generated


@dataclass(frozen=True)
class Alert:
    sender: str
    recipients: tuple[str, ...]
    content: bytes


def subscribed(
    config: Config, klass: str = ALERT_CLASS, severity: str = ALERT_SEVERITY
) -> tuple[str, ...]:
    """Alert recipients subscribed to `klass` at `severity` ("All" subscribes to every one)."""
    def takes(values: tuple[str, ...], wanted: str) -> bool:
        return any(v.strip().lower() in ("all", wanted.lower()) for v in values)

    return tuple(
        r.address for r in config.alerts.recipients
        if takes(r.classes, klass) and takes(r.severities, severity)
    )


class TlsAlerts:
    def __init__(self) -> None:
        self._last: dict[str, float] = {}

    def due(self, config: Config, domain: str, reason: str, now: float) -> Alert | None:
        if not config.destinations.tls_failure_alert:
            return None
        recipients = subscribed(config)
        if not recipients:
            return None
        last = self._last.get(domain)
        if last is not None and now - last < THROTTLE_SECONDS:
            return None
        self._last[domain] = now
        sender = config.alerts.from_address or f"alert@{config.hostname}"
        subject = f"Warning <System> {config.hostname}: TLS required but failed for {domain}"
        body = (
            f"The Warning message is:\n\n"
            f"Delivery to the domain {domain} requires TLS, and TLS could not be negotiated:"
            f" {reason}\nMessages for {domain} stay queued and are retried.\n\n"
            f"Version: esacli\nHostname: {config.hostname}\n"
        )
        return Alert(
            sender,
            recipients,
            alert_message(config.hostname, sender, list(recipients), subject, body, now),
        )
