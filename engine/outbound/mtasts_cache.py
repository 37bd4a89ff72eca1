"""The MTA-STS policy cache (`<data>/mta-sts.db`, SQLite, 0600) and the lookup that uses it
as RFC 8461 §5.1 says, so a policy survives a restart and an attacker who blocks the
policy host or the TXT record cannot make us forget it before it expires:

- the TXT record names the policy id; a cached policy with that id that is still valid,
  and not yet half-way to its expiry, is used as it is;
- otherwise the policy is fetched; a good one replaces the cached one (expiry now +
  max_age); a failed fetch keeps a cached policy that is still valid, and is remembered
  (the MTA-STS view shows the last error), not retried for `RETRY_AFTER` seconds;
- no TXT record (or a DNS failure): a cached, still valid policy goes on applying.

`refresh` fetches at once (the shell's "refresh now"), but only when the TXT record names
a policy, as delivery does; `store.due(now)` lists the domains whose policies are half-way
to expiry, for a proactive refresh; `store.all()` is the MTA-STS view (id, mode, mx,
expiry, last fetch, last error per domain).
"""

from __future__ import annotations

import asyncio
import ssl
import threading
from dataclasses import dataclass, replace
from pathlib import Path

from engine.outbound import reasons
from engine.outbound.dnssec import SecureLookups
from engine.outbound.mtasts import (
    FETCH,
    Addresses,
    Fetched,
    FetchOptions,
    Policy,
    PolicyError,
    fetch_policy,
    parse_policy,
    parse_txt,
    policy_host,
)
from engine.outbound.scheduler import Clock
from engine.privatedb import connect_private

RETRY_AFTER = 300.0
FILE = "mta-sts.db"

_SCHEMA = """
CREATE TABLE IF NOT EXISTS policies (
    domain TEXT PRIMARY KEY, policy_id TEXT NOT NULL DEFAULT '', text TEXT,
    fetched REAL NOT NULL DEFAULT 0, expires REAL NOT NULL DEFAULT 0,
    last_error TEXT NOT NULL DEFAULT '', last_error_type TEXT NOT NULL DEFAULT '',
    last_attempt REAL NOT NULL DEFAULT 0
);
"""


@dataclass(frozen=True)
class Cached:
    domain: str
    policy_id: str
    policy: Policy | None  # None: no policy was ever fetched
    fetched: float
    expires: float
    last_error: str  # of the last fetch, when it failed ("" after a good one)
    last_error_type: str
    last_attempt: float

    def valid(self, now: float) -> bool:
        return self.policy is not None and now < self.expires

    @property
    def refresh_at(self) -> float:
        return self.fetched + (self.policy.max_age / 2 if self.policy else 0)


class PolicyStore:
    """Thread-safe; callers run it off the event loop."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self._lock = threading.Lock()
        self._db = connect_private(self.path, _SCHEMA)

    def get(self, domain: str) -> Cached | None:
        with self._lock:
            row = self._db.execute(
                "SELECT domain, policy_id, text, fetched, expires, last_error, last_error_type,"
                " last_attempt FROM policies WHERE domain = ?", (domain,)).fetchone()
        return _cached(row) if row else None

    def all(self) -> list[Cached]:
        with self._lock:
            rows = self._db.execute(
                "SELECT domain, policy_id, text, fetched, expires, last_error, last_error_type,"
                " last_attempt FROM policies ORDER BY domain").fetchall()
        return [_cached(row) for row in rows]

    def put(self, domain: str, policy_id: str, policy: Policy, now: float) -> None:
        with self._lock:
            self._db.execute(
                "INSERT INTO policies (domain, policy_id, text, fetched, expires, last_attempt)"
                " VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (domain) DO UPDATE SET"
                " policy_id = excluded.policy_id, text = excluded.text,"
                " fetched = excluded.fetched, expires = excluded.expires, last_error = '',"
                " last_error_type = '', last_attempt = excluded.last_attempt",
                (domain, policy_id, policy.text, now, now + policy.max_age, now))

    def failed(self, domain: str, error: str, result_type: str, now: float) -> None:
        with self._lock:
            self._db.execute(
                "INSERT INTO policies (domain, last_error, last_error_type, last_attempt)"
                " VALUES (?, ?, ?, ?) ON CONFLICT (domain) DO UPDATE SET"
                " last_error = excluded.last_error, last_error_type = excluded.last_error_type,"
                " last_attempt = excluded.last_attempt", (domain, error, result_type, now))

    def due(self, now: float) -> list[str]:
        return [c.domain for c in self.all() if c.policy is not None and c.refresh_at <= now]

    def close(self) -> None:
        with self._lock:
            self._db.close()


def _cached(row: tuple[object, ...]) -> Cached:
    domain, policy_id, text, fetched, expires, error, error_type, attempt = row
    try:
        policy = parse_policy(str(text)) if text else None
    except PolicyError:  # written by a laxer version: fetch it again
        policy = None
    return Cached(str(domain), str(policy_id), policy, float(fetched),  # type: ignore[arg-type]
                  float(expires), str(error), str(error_type), float(attempt))  # type: ignore[arg-type]


@dataclass(frozen=True)
class StsAnswer:
    policy: Policy | None  # the policy that applies now, or None
    source: str  # "cache", "fetched" or "none"
    policy_id: str = ""
    error: str = ""  # the last fetch failed (and no newer fetch worked)
    result_type: str = ""  # its RFC 8460 type


class StsCache:
    def __init__(
        self, store: PolicyStore, lookups: SecureLookups, addresses: Addresses,
        ctx: ssl.SSLContext, clock: Clock, options: FetchOptions | None = None,
        locks: dict[str, asyncio.Lock] | None = None,
    ) -> None:
        self.store, self.lookups, self.addresses = store, lookups, addresses
        self.ctx, self.clock, self.options = ctx, clock, options or FetchOptions()
        # Shared by every cache over one store: one lookup per domain at a time, so a
        # delivery and the background refresh never fetch the same policy twice.
        self.locks = {} if locks is None else locks

    async def policy_for(self, domain: str) -> StsAnswer:
        domain = domain.strip().lower().rstrip(".")
        async with self.locks.setdefault(domain, asyncio.Lock()):
            return await self._policy_for(domain)

    async def _policy_for(self, domain: str) -> StsAnswer:
        ident = await self._policy_id(domain)
        cached = await asyncio.to_thread(self.store.get, domain)
        now = self.clock.now()
        valid = cached if cached is not None and cached.valid(now) else None
        if ident is None:  # no MTA-STS record (now): an old fetch error is no news
            return _answer(valid, None)
        if valid is not None and valid.policy_id == ident and now < valid.refresh_at:
            return _answer(valid, None)
        if cached is not None and cached.last_error and now - cached.last_attempt < RETRY_AFTER:
            return _answer(valid, cached)
        return await self._fetch(domain, ident, valid)

    async def cached(self, domain: str) -> StsAnswer:
        """What the cache holds for `domain` now, asking nothing (the lookup ran out of time)."""
        domain = domain.strip().lower().rstrip(".")
        cached = await asyncio.to_thread(self.store.get, domain)
        valid = cached if cached is not None and cached.valid(self.clock.now()) else None
        return _answer(valid, None)

    async def refresh(self, domain: str) -> StsAnswer:
        """Fetch now, whatever the cache holds, if the TXT record names a policy. Without
        a valid record delivery applies no new policy (§3.1, `_policy_for`), so none is
        fetched or cached: the answer's error says why, and a cached policy still valid
        is the answer, as delivery goes on applying it."""
        domain = domain.strip().lower().rstrip(".")
        try:  # the record's lookup within the fetch's time too (a silent resolver)
            async with asyncio.timeout(self.options.timeout):
                ident, why = await self._txt(domain)
        except TimeoutError:
            ident, why = None, reasons.STS_TXT_FAILED.format(
                name=f"_mta-sts.{domain}", reason=reasons.STS_TIMEOUT)
        cached = await asyncio.to_thread(self.store.get, domain)
        valid = cached if cached is not None and cached.valid(self.clock.now()) else None
        if ident is None:
            return replace(_answer(valid, None), error=why)
        return await self._fetch(domain, ident, valid)

    async def _policy_id(self, domain: str) -> str | None:
        return (await self._txt(domain))[0]

    async def _txt(self, domain: str) -> tuple[str | None, str]:
        """The policy id of the `_mta-sts` TXT record, or None and why there is none."""
        name = f"_mta-sts.{domain}"
        answer = await self.lookups.lookup(name, "TXT")
        if not answer.usable:
            reason = answer.reason or answer.security.value
            return None, reasons.STS_TXT_FAILED.format(name=name, reason=reason)
        strings = [b"".join(r.strings).decode("ascii", "replace") for r in answer.records]
        ident = parse_txt(strings) if answer.exists else None
        return ident, "" if ident is not None else reasons.STS_NO_RECORD.format(name=name)

    async def _fetch(self, domain: str, ident: str, valid: Cached | None) -> StsAnswer:
        host = policy_host(domain)
        ips, why = await self.addresses(host)
        if ips:
            fetched = await fetch_policy(host, ips, self.ctx, self.options)
        else:  # why names the host: "mta-sts.example.com: no address"
            fetched = Fetched(error=why, result_type=FETCH)
        now = self.clock.now()
        if fetched.policy is not None:
            await asyncio.to_thread(self.store.put, domain, ident, fetched.policy, now)
            return StsAnswer(fetched.policy, "fetched", ident)
        await asyncio.to_thread(self.store.failed, domain, fetched.error, fetched.result_type, now)
        if valid is not None:
            return StsAnswer(
                valid.policy, "cache", valid.policy_id, fetched.error, fetched.result_type
            )
        return StsAnswer(None, "none", "", fetched.error, fetched.result_type)


def _answer(valid: Cached | None, with_error: Cached | None) -> StsAnswer:
    error = with_error.last_error if with_error else ""
    kind = with_error.last_error_type if with_error else ""
    if valid is None:
        return StsAnswer(None, "none", "", error, kind)
    return StsAnswer(valid.policy, "cache", valid.policy_id, error, kind)

