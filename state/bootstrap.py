"""Open a data dir; on first boot write version 1, the factory configuration."""

from __future__ import annotations

from pathlib import Path

from state.defaults import factory_config
from state.errors import StoreError
from state.secrets import Secrets
from state.store import Store

FACTORY_USER = "system"


def open_data_dir(data_dir: Path) -> tuple[Store, Secrets]:
    data_dir = Path(data_dir)
    for sub in ("logs", "configuration"):
        (data_dir / sub).mkdir(parents=True, exist_ok=True)
    secrets = Secrets(data_dir)
    store = Store(data_dir)
    if store.is_empty():
        try:
            store.write(factory_config(secrets), None, FACTORY_USER, "factory", "Factory defaults")
        except StoreError:
            pass  # another process booted the same data dir first
    return store, secrets
