"""Small, meaning-free edits of the immutable model used by the dialogs."""

from __future__ import annotations

from typing import Any

from state import model
from state.model import Config, Listener, PolicyParams


def put_listener(config: Config, old_name: str, listener: Listener) -> Config:
    """Replace listener `old_name` in place (it may be renamed), or append it."""
    if model.by_name(config.listeners, old_name) is None:
        return model.replace(config, listeners=config.listeners + (listener,))
    listeners = tuple(listener if li.name == old_name else li for li in config.listeners)
    return model.replace(config, listeners=listeners)


def edit_listener(config: Config, name: str, **changes: Any) -> Config:
    listener = model.by_name(config.listeners, name)
    if listener is None:
        return config
    return put_listener(config, name, model.replace(listener, **changes))


def with_default_params(listener: Listener, params: PolicyParams) -> Listener:
    return model.replace(listener, hat=model.replace(listener.hat, default=params))
