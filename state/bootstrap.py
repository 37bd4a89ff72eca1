"""Open a data dir; on first boot write version 1, the factory configuration."""

from __future__ import annotations

import contextlib
from collections.abc import Mapping
from pathlib import Path

from state import files
from state.defaults import Address, factory_config
from state.errors import StoreError
from state.secrets import Secrets
from state.store import Store

FACTORY_USER = "system"


def open_data_dir(
    data_dir: Path, addresses: Mapping[str, Address] | None = None
) -> tuple[Store, Secrets]:
    """The store and secrets of `data_dir`; a first boot writes the factory configuration
    (its listeners at `addresses`, listener name -> (ip, port), where given)."""
    data_dir = Path(data_dir)
    files.harden(data_dir)
    for sub in ("logs", "configuration"):
        files.private_dir(data_dir / sub)
    secrets = Secrets(data_dir)
    store = Store(data_dir)
    if store.is_empty():
        # another process may have booted the same data dir first
        with contextlib.suppress(StoreError):
            store.write(factory_config(secrets, addresses), None, FACTORY_USER, "factory",
                        "Factory defaults")
    return store, secrets
