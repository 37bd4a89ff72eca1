"""What the queue-owning process keeps for the DNS-published TLS policies, and the work it
does for them beside delivery: the MTA-STS policy cache (`<data>/mta-sts.db`) and the
TLS-RPT recorder (`<data>/tlsrpt.db`), the policies refreshed before they expire (the
domains half-way to their max_age), and each day's TLS reports sent at the random minute
drawn for it (RFC 8460 §4.1: mailed through our own queue, or POSTed).

`policies(runtime, resolver)` is what one delivery uses (engine/outbound/dnspolicy.py);
`run(runtime)` is the background round the manager starts at most every `EVERY` seconds
of its clock, never twice at once. Every network step has a deadline, so a dead policy
host or report endpoint costs a round its timeout, never the delivery loop.
"""

from __future__ import annotations

import asyncio
import logging
import random
import ssl
from pathlib import Path

from engine.messageflags import Flags
from engine.outbound.dnspolicy import STS_BUDGET, DnsPolicies
from engine.outbound.mtasts import FetchOptions, https_context
from engine.outbound.mtasts_cache import FILE as STS_FILE
from engine.outbound.mtasts_cache import PolicyStore, StsCache
from engine.outbound.resolver import Resolver
from engine.outbound.scheduler import Clock
from engine.outbound.tlsrpt_report import Reporter
from engine.outbound.tlsrpt_store import FILE as REPORTS_FILE
from engine.outbound.tlsrpt_store import ReportStore, Schedule
from engine.queue.results import Inject
from engine.runtime import RuntimeConfig

EVERY = 60.0  # seconds of the queue's clock between two rounds
REPORTS_BUDGET = 300.0  # one round's reports (each POST has its own timeout too)
ROUND_FAILED = "DNS policy upkeep: %s: %s"
system_log = logging.getLogger("engine.queue")  # logs/system_logs (esacli/appliance.py)


class Upkeep:
    def __init__(self, data_dir: Path, clock: Clock, inject: Inject, mx_port: int,
                 https_port: int, rng: random.Random | None = None) -> None:
        self.clock, self.inject, self.mx_port = clock, inject, mx_port
        self.fetch = FetchOptions(port=https_port)
        self.sts_store = PolicyStore(Path(data_dir) / STS_FILE)
        self.reports = ReportStore(Path(data_dir) / REPORTS_FILE)
        self.schedule = Schedule(self.reports, rng)
        self._https: tuple[int, ssl.SSLContext] | None = None
        self._locks: dict[str, asyncio.Lock] = {}  # per domain, for every StsCache below
        self._next = 0.0

    def close(self) -> None:
        self.sts_store.close()
        self.reports.close()

    def https(self, runtime: RuntimeConfig) -> ssl.SSLContext:
        """The context MTA-STS fetches and report POSTs verify with: the appliance's CAs
        (built once per applied version)."""
        if self._https is None or self._https[0] != runtime.version:
            self._https = (runtime.version, https_context(runtime.outbound.authorities))
        return self._https[1]

    def cache(self, runtime: RuntimeConfig, resolver: Resolver) -> StsCache:
        return StsCache(self.sts_store, resolver.lookups, resolver.addresses,
                        self.https(runtime), self.clock, self.fetch, self._locks)

    def policies(self, runtime: RuntimeConfig, resolver: Resolver, mta_sts: bool) -> DnsPolicies:
        """What one delivery uses (the cache only where its destination honours MTA-STS)."""
        cache = self.cache(runtime, resolver) if mta_sts else None
        return DnsPolicies(cache, self.reports, self.clock)

    def due(self) -> bool:
        """Whether a round is due now (and, if so, the next one's time is set)."""
        now = self.clock.now()
        if now < self._next:
            return False
        self._next = now + EVERY
        return True

    async def run(self, runtime: RuntimeConfig) -> None:
        """One round: refresh what is half-way to expiry, send the reports that are due."""
        resolver = Resolver(runtime.config.dns, self.mx_port)
        for step in (self._refresh, self._report):
            try:
                await step(runtime, resolver)
            except Exception as exc:  # noqa: BLE001 (the next round tries again)
                system_log.warning(ROUND_FAILED, type(exc).__name__, exc)

    async def _refresh(self, runtime: RuntimeConfig, resolver: Resolver) -> None:
        due = await asyncio.to_thread(self.sts_store.due, self.clock.now())
        if not due:
            return
        cache = self.cache(runtime, resolver)
        for domain in due:
            try:
                await asyncio.wait_for(cache.policy_for(domain), STS_BUDGET)
            except TimeoutError:
                continue  # kept as it is; tried again next round

    async def _report(self, runtime: RuntimeConfig, resolver: Resolver) -> None:
        config = runtime.config
        if not config.tlsrpt.enabled:
            return
        reporter = Reporter(self.reports, self.schedule, resolver.lookups, self.https(runtime),
                            self._submit, resolver.addresses)
        await asyncio.wait_for(reporter.send_due(config.tlsrpt, config.hostname,
                                                 self.clock.now()), REPORTS_BUDGET)

    async def _submit(self, sender: str, recipients: list[str], content: bytes) -> None:
        # Marked: the report's own deliveries are never reported (RFC 8460 §5.3).
        await self.inject(sender, recipients, content, Flags(tls_report=True), "TLS report")
