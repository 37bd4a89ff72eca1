"""Which services use which certificate profile (certconfig PRINT and DELETE).

A listener with no certificate chosen serves the demo certificate, and so does
outbound TLS when destconfig SETUP has chosen none (as on the appliance).
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

from state.defaults import DEMO_CERT
from state.model import Config


class Service(enum.Enum):
    LISTENER = "listener"
    OUTBOUND = "outbound"


@dataclass(frozen=True)
class Use:
    service: Service
    name: str  # the listener's name; "" for the outbound setting
    certificate: str


def uses(config: Config) -> list[Use]:
    """Every service that can hold a certificate, in the order PRINT shows them."""
    found = [
        Use(Service.LISTENER, li.name, li.certificate or DEMO_CERT) for li in config.listeners
    ]
    found.append(Use(Service.OUTBOUND, "", config.destinations.client_certificate or DEMO_CERT))
    return found


def users(config: Config, profile: str) -> list[Use]:
    """The services that would break if `profile` were deleted."""
    return [u for u in uses(config) if u.certificate == profile]


def uses_demo(config: Config) -> bool:
    return bool(users(config, DEMO_CERT))
