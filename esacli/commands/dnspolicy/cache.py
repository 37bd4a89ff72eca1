"""The engine's MTA-STS policy cache (`<data>/mta-sts.db`) as the shell's probes use it:
mtastsconfig's fetch now and tlsverify's "decided by". SQLite's WAL lets the engine
write at the same time."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from engine.outbound.mtasts import FetchOptions, https_context
from engine.outbound.mtasts_cache import FILE, PolicyStore, StsCache
from engine.outbound.resolver import Resolver
from engine.outbound.scheduler import SystemClock
from esacli.commands.dnspolicy import ports
from state.model import Config


def path(data_dir: Path) -> Path:
    return Path(data_dir) / FILE


@contextmanager
def policy_store(data_dir: Path) -> Iterator[PolicyStore]:
    store = PolicyStore(path(data_dir))
    try:
        yield store
    finally:
        store.close()


@contextmanager
def sts_cache(data_dir: Path, config: Config) -> Iterator[StsCache]:
    """A cache that fetches as delivery would under `config` (resolver, trusted CAs)."""
    resolver = Resolver(config.dns)
    with policy_store(data_dir) as store:
        yield StsCache(store, resolver.lookups, resolver.addresses,
                       https_context(config.authorities), SystemClock(),
                       FetchOptions(port=ports.POLICY_PORT))
