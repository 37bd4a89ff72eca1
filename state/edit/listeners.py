"""Listeners: replacing one in place (renames included), their names, their default policy."""

from __future__ import annotations

from typing import Any

from state import messages, model
from state.messages import Message
from state.model import HAT, Config, Listener, PolicyParams
from state.names import is_name


def put_listener(config: Config, old_name: str, listener: Listener) -> Config:
    """Replace listener `old_name` in place (it may be renamed), or append it."""
    if model.by_name(config.listeners, old_name) is None:
        return model.replace(config, listeners=(*config.listeners, listener))
    listeners = tuple(listener if li.name == old_name else li for li in config.listeners)
    return model.replace(config, listeners=listeners)


def edit_listener(config: Config, name: str, **changes: Any) -> Config:
    """Listener `name` with some fields changed (the config as it is if there is none)."""
    listener = model.by_name(config.listeners, name)
    if listener is None:
        return config
    return put_listener(config, name, model.replace(listener, **changes))


def remove_listener(config: Config, name: str) -> Config:
    return model.replace(config, listeners=model.drop(config.listeners, name))


def with_default_params(listener: Listener, params: PolicyParams) -> Listener:
    return model.replace(listener, hat=model.replace(listener.hat, default=params))


def with_hat(listener: Listener, hat: HAT) -> Listener:
    return model.replace(listener, hat=hat)


def name_refusal(config: Config, name: str, current: str = "") -> Message | None:
    """Why `name` cannot name a listener (`current`: the listener's own name, which it
    may keep), or None. Names are case-sensitive."""
    if not name:
        return messages.ENTER_A_VALUE()
    if not is_name(name):
        return messages.NAME_CHARACTERS()
    if name != current and model.by_name(config.listeners, name) is not None:
        return messages.LISTENER_NAME_TAKEN(name=name)
    return None
