"""The `commit confirmed` timer of a running appliance (commit model §4).

The waiting confirmation lives in the store (state/confirm.py decides what an
expired one means); this module only asks, about once a second and once at
boot, and writes the outcome to system_logs. It never writes engine logs: the
engine notices the new version like any other commit.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable

from esacli import texts
from state import confirm
from state.confirm import Expiry, Outcome
from state.secrets import Secrets
from state.store import Store

log = logging.getLogger("esacli.confirm")
INTERVAL = 1.0


def check_once(store: Store, secrets: Secrets, now: float) -> Expiry | None:
    """Roll back an expired confirmed commit now, and log what happened."""
    expiry = confirm.expire(store, secrets, now, texts.changes.AUTO_ROLLBACK_COMMENT)
    if expiry is not None:
        _log(expiry)
    return expiry


def _log(expiry: Expiry) -> None:
    p = expiry.pending
    if expiry.outcome is Outcome.ROLLED_BACK and expiry.written is not None:
        log.warning(texts.changes.LOG_ROLLED_BACK, p.version, p.user, p.previous,
                    expiry.written.number)
    elif expiry.outcome is Outcome.UNCHANGED:
        log.warning(texts.changes.LOG_UNCHANGED, p.version, p.user, p.previous)
    elif expiry.outcome is Outcome.CONFLICT:
        paths = ", ".join(c.path for c in expiry.conflicts)  # paths only, never values
        log.error(texts.changes.LOG_CONFLICT, p.version, p.user, paths, expiry.head)
    else:
        paths = ", ".join(e.path for e in expiry.errors)
        log.error(texts.changes.LOG_INVALID, p.version, p.user, paths, expiry.head)


def check_safely(store: Store, secrets: Secrets, now: float) -> None:
    """`check_once` for the appliance: a failure is logged, never fatal (retried next time)."""
    try:
        check_once(store, secrets, now)
    except Exception:
        log.exception("commit confirmed: the rollback check failed")


async def run(store: Store, secrets: Secrets, clock: Callable[[], float] = time.time,
              interval: float = INTERVAL) -> None:
    """Check every `interval` seconds until cancelled."""
    while True:
        check_safely(store, secrets, clock())
        await asyncio.sleep(interval)
