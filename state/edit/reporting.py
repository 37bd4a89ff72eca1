"""What a reportingconfig edit means: the TLS statistics' retention and alerts, and the
web console's address (ranges in state/ranges.py; state/validate.py checks the same
fields at commit)."""

from __future__ import annotations

import ipaddress

from state import messages, ranges
from state.messages import Message
from state.model import Config, replace


def web_ip_refusal(text: str) -> Message | None:
    """Why `text` cannot be the web console's address (None: it can)."""
    try:
        ipaddress.ip_address(text.strip())
    except ValueError:
        return messages.INVALID_IP_REPR(ip=text.strip())
    return None


def is_loopback(ip: str) -> bool:
    return ipaddress.ip_address(ip).is_loopback


def with_reporting(config: Config, days: int, alerts: bool) -> Config:
    if days not in ranges.TLS_STATS_DAYS:
        raise ValueError(days)
    return replace(config, reporting=replace(config.reporting, tls_stats_days=days,
                                             downgrade_alerts=alerts))


def with_web(config: Config, enabled: bool, ip: str | None = None,
             port: int | None = None) -> Config:
    """The web console on (at `ip`:`port`, or where it was) or off."""
    web = config.web
    if ip is not None and web_ip_refusal(ip) is not None:
        raise ValueError(ip)
    if port is not None and port not in ranges.WEB_PORT:
        raise ValueError(port)
    return replace(config, web=replace(web, enabled=enabled, ip=(ip or web.ip).strip(),
                                       port=port or web.port))
