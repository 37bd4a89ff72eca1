"""Validation of the log subscriptions (logconfig): the logs the appliance writes, each
once, with rollover settings inside their ranges."""

from __future__ import annotations

from collections.abc import Iterator

from state import messages, ranges
from state.errors import ConfigError
from state.model import DEFAULT_LOGS, Config

LOG_NAMES = tuple(log.name for log in DEFAULT_LOGS)


def logs(config: Config) -> Iterator[ConfigError]:
    seen: set[str] = set()
    for log in config.logs:
        path = f"logs[{log.name}]"
        if log.name not in LOG_NAMES or log.name in seen:
            yield ConfigError(path, messages.UNKNOWN_LOG(name=log.name))
        seen.add(log.name)
        for field, allowed in ranges.LOG_FIELDS.items():
            if getattr(log, field) not in allowed:
                yield ConfigError(f"{path}.{field}", allowed.refusal())
