"""Which services use which certificate profile (certconfig PRINT and DELETE).

A listener with no certificate chosen serves the demo certificate, and so does
outbound TLS when destconfig SETUP has chosen none (as on the appliance).
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

from state.defaults import DEMO_CERT
from state.model import Config, Listener


def listener_certificate(listener: Listener) -> str:
    """The profile a listener serves: its own, else the demo certificate."""
    return listener.certificate or DEMO_CERT


def outbound_certificate(config: Config) -> str:
    """The profile outbound TLS presents: destconfig SETUP's, else the demo certificate."""
    return config.destinations.client_certificate or DEMO_CERT


def is_demo(profile: str | None) -> bool:
    """Whether a chosen profile (None: none chosen) means the demo certificate."""
    return profile in (None, DEMO_CERT)


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
    found = [Use(Service.LISTENER, li.name, listener_certificate(li)) for li in config.listeners]
    found.append(Use(Service.OUTBOUND, "", outbound_certificate(config)))
    return found


def users(config: Config, profile: str) -> list[Use]:
    """The services that would break if `profile` were deleted."""
    return [u for u in uses(config) if u.certificate == profile]


def uses_demo(config: Config) -> bool:
    return bool(users(config, DEMO_CERT))
