"""Password checks for logins (SSH, the web console), kept from slowing mail and from
helping a guesser.

- A check (scrypt: tens of ms of CPU and 32 MiB) runs on this module's own small thread
  pool, never on asyncio's default executor, which the spool's fsyncs use: guessing can
  only ever occupy HASH_WORKERS threads, at a lower CPU priority, and mail never queues
  behind it.
- A connection may fail MAX_TRIES times; then it is disconnected (as OpenSSH's MaxAuthTries).
- An address past FREE_FAILURES recent failures (checks under way count too, so parallel
  guesses are not free) gets its further checks spaced out, one at a time, the gap
  doubling up to MAX_GAP seconds; an attempt that would wait longer than MAX_WAIT is
  refused without being checked (after MAX_GAP seconds all the same, so that a refusal
  is no cue to reconnect at once). Failures are forgotten after FORGET seconds
  without one, and all of them at the address's first success.
- Nothing keys on the user name, so a guesser at one address never slows or locks out the
  admin at another (127.0.0.2 against 127.0.0.1 on loopback).

Failures and the start of throttling are logged (system_logs), user names with repr() so
no control character reaches the log raw.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

log = logging.getLogger(__name__)

HASH_WORKERS = 1
HASH_NICE = 10  # added to the hashing thread's nice value
MAX_TRIES = 3
FREE_FAILURES = 5
FIRST_GAP = 0.5
MAX_GAP = 8.0
MAX_WAIT = 30.0
FORGET = 600.0
MAX_ADDRESSES = 10_000  # the table of addresses is bounded; the oldest entries go first

Check = Callable[[str, str], bool]  # (user, password) -> ok


@dataclass
class _Address:
    failures: int = 0
    checking: int = 0  # checks under way: parallel guesses count before they fail
    last_failure: float = 0.0
    next_slot: float = 0.0  # when the next check from this address may start


def _lower_priority() -> None:
    """Hashing threads yield the CPU to the event loop (Linux: nice is per thread)."""
    with contextlib.suppress(OSError, AttributeError):
        os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), HASH_NICE)


class LoginGuard:
    def __init__(self, check: Check, clock: Callable[[], float] = time.monotonic,
                 service: str = "SSH") -> None:
        self._check = check
        self._service = service  # what the log lines name: "SSH", "Web console"
        self._clock = clock
        self._executor = ThreadPoolExecutor(HASH_WORKERS, thread_name_prefix="esacli-login",
                                            initializer=_lower_priority)
        self._addresses: OrderedDict[str, _Address] = OrderedDict()

    def close(self) -> None:
        self._executor.shutdown(wait=False, cancel_futures=True)

    async def check(self, address: str, user: str, password: str) -> bool:
        """True if `password` is `user`'s. May wait first (see the module's rules)."""
        entry = self._entry(address)
        wait = self._reserve(entry)
        if wait is None:  # no, and as slowly as a check would say it: no quick retries
            log.warning("%s login from %s refused unchecked: too many failures",
                        self._service, address)
            await asyncio.sleep(MAX_GAP)
            return False
        entry.checking += 1
        try:
            if wait:
                await asyncio.sleep(wait)
            loop = asyncio.get_running_loop()
            ok = await loop.run_in_executor(self._executor, self._check, user, password)
        finally:
            entry.checking -= 1
        if ok:
            entry.failures = 0
        else:
            self._failed(entry, address, user)
        return ok

    def _entry(self, address: str) -> _Address:
        entry = self._addresses.get(address)
        if entry is None:
            entry = self._addresses[address] = _Address()
        elif entry.failures and self._clock() - entry.last_failure > FORGET:
            entry.failures = 0
        self._addresses.move_to_end(address)
        while len(self._addresses) > MAX_ADDRESSES:
            self._addresses.popitem(last=False)
        return entry

    def _reserve(self, entry: _Address) -> float | None:
        """Seconds to wait before checking, or None to refuse without checking."""
        if entry.failures + entry.checking < FREE_FAILURES:
            return 0.0
        now = self._clock()
        slot = max(now, entry.next_slot)
        if slot - now > MAX_WAIT:
            return None
        gap = min(MAX_GAP, FIRST_GAP * 2 ** (entry.failures + entry.checking - FREE_FAILURES))
        entry.next_slot = slot + gap
        return slot - now

    def _failed(self, entry: _Address, address: str, user: str) -> None:
        entry.failures += 1
        entry.last_failure = self._clock()
        log.warning("%s login failed for %r from %s (%d recent failures from there)",
                    self._service, user, address, entry.failures)
        if entry.failures == FREE_FAILURES:
            log.warning("%s logins from %s are slowed down from now on", self._service, address)
