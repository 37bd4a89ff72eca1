"""What an edit of a log subscription means (logconfig EDIT)."""

from __future__ import annotations

from state.model import DEFAULT_LOGS, Config, LogSettings
from state.records import replace


def settings(config: Config, name: str) -> LogSettings:
    """The subscription of log `name` (its factory settings if the version has none)."""
    for log in (*config.logs, *DEFAULT_LOGS):
        if log.name == name:
            return log
    raise KeyError(name)


def put_log(config: Config, log: LogSettings) -> Config:
    """`config` with `log` in place of the subscription of the same name (kept in the
    appliance's order, mail_logs first)."""
    known = {entry.name: entry for entry in (*DEFAULT_LOGS, *config.logs)}
    known[log.name] = log
    order = [entry.name for entry in DEFAULT_LOGS]
    return replace(config, logs=tuple(known[name] for name in order if name in known))
