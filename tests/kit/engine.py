"""The engine in the test's own event loop, and what it writes to mail_logs."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from pathlib import Path

from engine.service import Engine, mail_logs_path
from state.model import Config
from state.secrets import Secrets
from state.store import Store
from tests.kit.loopback import loopback_dns


def read_mail_logs(data_dir: Path) -> str:
    path = mail_logs_path(data_dir)
    return path.read_text() if path.exists() else ""


def log_has(data_dir: Path, text: str) -> Callable[[], bool]:
    return lambda: text in read_mail_logs(data_dir)


@asynccontextmanager
async def running_engine(
    data_dir: Path, config: Config | None = None, **kwargs: object
) -> AsyncIterator[Engine]:
    """Start an Engine on `data_dir` (writing `config` as the first version if the store
    is empty; no validation, so port 0 is fine) and stop it on exit."""
    store = Store(data_dir)
    if config is not None and store.is_empty():
        store.write(loopback_dns(config), None, "test", "test", "test")
    engine = Engine(data_dir, store, Secrets(data_dir), **kwargs)  # type: ignore[arg-type]
    await engine.start()
    try:
        yield engine
    finally:
        await engine.stop()
        store.close()
