"""One inbound SMTP conversation, independent of the SMTP library.

The adapter (the only aiosmtpd user) calls these methods at each step and
sends the replies they return. Decisions come from `engine.policy`, texts from
`engine.replies`, log lines from `engine.maillog`.
"""

from __future__ import annotations

import ssl
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field

from engine import policy, replies, tls
from engine.counters import Counters
from engine.errors import SpoolError
from engine.inbound.dnscheck import NOT_LOOKED_UP, DnsChecks, HostName
from engine.maillog import MailLog
from engine.runtime import ListenerSpec, RuntimeConfig
from engine.spool import Spool
from engine.status import InboundCounts
from state.model import HAT, ListenerType, PolicyParams, RatAction, RatEntry, Response


@dataclass(frozen=True)
class Services:
    """What every connection shares: the log, the spool, the ID counters, DNS.

    `spooled` is called after each message is durably spooled (the engine wakes
    the outbound queue with it, so delivery does not wait for the next poll).
    `counts` are the receiving and rejection counters `status` shows.
    """

    maillog: MailLog
    spool: Spool
    counters: Counters
    dns: DnsChecks = field(default_factory=DnsChecks)
    spooled: Callable[[], None] = lambda: None
    counts: InboundCounts = field(default_factory=InboundCounts)


class HourlyRate:
    """Recipients accepted per client IP in its current one-hour window (rate limiting)."""

    WINDOW = 3600.0
    PRUNE_AT = 10000

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._windows: dict[str, tuple[float, int]] = {}

    def used(self, ip: str) -> int:
        start, count = self._windows.get(ip, (0.0, 0))
        return count if self._clock() - start < self.WINDOW else 0

    def add(self, ip: str) -> None:
        now = self._clock()
        start, count = self._windows.get(ip, (now, 0))
        if now - start >= self.WINDOW:
            start, count = now, 0
        self._windows[ip] = (start, count + 1)
        if len(self._windows) > self.PRUNE_AT:
            self._windows = {k: v for k, v in self._windows.items() if now - v[0] < self.WINDOW}


class ConnectionTracker:
    """Open connections of one listener, in total and per client IP, and the hourly
    recipient counts (kept while the listener keeps its socket across commits)."""

    def __init__(self) -> None:
        self.total = 0
        self.per_ip: Counter[str] = Counter()
        self.rates = HourlyRate()

    def add(self, ip: str) -> None:
        self.total += 1
        self.per_ip[ip] += 1

    def remove(self, ip: str) -> None:
        self.total -= 1
        self.per_ip[ip] -= 1
        if self.per_ip[ip] <= 0:
            del self.per_ip[ip]


@dataclass(frozen=True)
class Opening:
    """How a connection starts: serve it (banner sent by the adapter) or close it."""

    serve: bool
    reply: str | None = None


@dataclass(frozen=True)
class Reply:
    text: str
    ok: bool = False
    close: bool = False


class InboundSession:
    def __init__(
        self,
        services: Services,
        runtime: RuntimeConfig,
        spec: ListenerSpec,
        tracker: ConnectionTracker,
    ) -> None:
        self.services = services
        self.log = services.maillog
        self.runtime = runtime  # pinned for the whole conversation
        self.spec = spec
        self.tracker = tracker
        self.icid = 0
        self.ip = ""
        self.match: policy.HatMatch | None = None
        self.decision = policy.tls_decision(None)
        self.messages = 0
        self.mid: int | None = None
        self._tracked = False
        self._closed = False
        self._told_tls_required = False
        self.host: HostName = NOT_LOOKED_UP
        self.delayed_reject = False

    # -- connection ----------------------------------------------------
    async def open(self, peer_ip: str) -> Opening:
        """Look up what the HAT needs, decide, and say how the connection starts."""
        self.ip = peer_ip
        facts, self.host = await self._facts(peer_ip)
        match = policy.evaluate_hat(self.spec.hat, facts)
        self.match = match
        delayed = self.runtime.config.listener_setup.hat_delayed_rejection
        how = policy.opening(match.behavior, delayed)
        if how is policy.Opening.REFUSE:
            self._closed = True
            self.log.hat_match(0, match.behavior.value, match.group, match.rule)
            return Opening(serve=False)
        self.icid = self.services.counters.next_icid()
        self.log.new_icid(self.icid, self.spec.interface, self.spec.ip, peer_ip,
                          self.host.log_host, self.host.status == "verified")
        self.log.hat_match(self.icid, match.behavior.value, match.group, match.rule)
        if how is policy.Opening.REJECT:
            return Opening(serve=False, reply=self._reject_reply())
        limit = self._connection_limit(match.params.max_concurrency)
        if limit is not None:
            self.log.receiving_failed(self.icid, "Connection limit exceeded")
            return Opening(serve=False, reply=limit)
        self.tracker.add(peer_ip)
        self._tracked = True
        if how is policy.Opening.DELAYED_REJECT:
            self.delayed_reject = True
            self.log.delayed_reject(self.icid, "continuing session for recipient logging", peer_ip)
        self.decision = policy.tls_decision(match.params.tls)
        return Opening(serve=True, reply=self._banner())

    async def _facts(self, ip: str) -> tuple[policy.ClientFacts, HostName]:
        needed = policy.lookups_needed(self.spec.hat)
        if _mentions_hostname(self.spec.hat):
            needed = policy.Lookups(ptr=True, zones=needed.zones)
        if not needed.ptr and not needed.zones:
            return policy.ClientFacts(ip=ip), NOT_LOOKED_UP
        check = self.services.dns.for_settings(self.runtime.config.dns)
        return await check.facts(ip, needed)

    def _variables(self) -> dict[str, str]:
        group = self.match.group if self.match else None
        return {"Group": group or "None", "Hostname": self.host.variable, "RemoteIP": self.ip}

    def _banner(self) -> str:
        params = self.match.params if self.match else PolicyParams()
        if params.accept_response is not None:
            return replies.expanded(params.accept_response, self._variables())
        return replies.banner(params.banner_hostname or self.spec.hostname)

    def _reject_reply(self) -> str:
        params = self.match.params if self.match else PolicyParams()
        if params.reject_response is not None:
            return replies.expanded(params.reject_response, self._variables())
        return replies.REJECT_BANNER

    def _connection_limit(self, per_ip: int | None) -> str | None:
        if self.tracker.total >= self.spec.max_connections:
            return replies.TOO_MANY_CONNECTIONS
        if per_ip is not None and self.tracker.per_ip[self.ip] >= per_ip:
            return replies.TOO_MANY_FROM_IP
        return None

    def closed(self) -> None:
        """Called once the transport is gone; idempotent."""
        if self._closed:
            return
        self._closed = True
        if self._tracked:
            self.tracker.remove(self.ip)
        self.log.close_icid(self.icid)

    # -- TLS -------------------------------------------------------------
    @property
    def tls_context(self) -> ssl.SSLContext | None:
        return self.spec.tls.for_decision(self.decision)

    @property
    def size_limit(self) -> int | None:
        return self.match.params.max_message_size if self.match else None

    def gate(self, command: str, tls_active: bool) -> Reply | None:
        """A refusal for `command` before it runs, or None to let it run."""
        if command == "STARTTLS" and (self.tls_context is None or tls_active):
            return Reply(replies.STARTTLS_NOT_AVAILABLE)
        if self.decision.require and not tls_active and not policy.allowed_before_tls(command):
            if not self._told_tls_required:
                self._told_tls_required = True
                self.log.tls_required(self.icid)
            return Reply(replies.MUST_STARTTLS)
        if command == "MAIL" and self._messages_exhausted():
            return Reply(replies.TOO_MANY_MESSAGES, close=True)
        return None

    def _messages_exhausted(self) -> bool:
        limit = self.match.params.max_msgs_per_session if self.match else None
        return limit is not None and self.messages >= limit

    def ehlo_lines(self, lines: list[str], tls_active: bool) -> list[str]:
        # No SMTP AUTH in this product: never advertise it, before or after TLS.
        kept = [line for line in lines if not line[4:].upper().startswith("AUTH")]
        if self.tls_context is None or tls_active:
            kept = [line for line in kept if line[4:].upper() != "STARTTLS"]
        return kept

    def tls_started(self, protocol: str, cipher: str) -> None:
        self.log.tls_success(self.icid, protocol, cipher)

    def tls_failed(self, error: BaseException | None) -> None:
        self.log.tls_failed(self.icid, tls.describe_failure(error))

    def internal_error(self, error: BaseException) -> str:
        self.log.warning(f"ICID {self.icid} internal error: {type(error).__name__}")
        return replies.LOCAL_ERROR

    # -- transaction -----------------------------------------------------
    def mail(self, sender: str) -> Reply:
        if self.delayed_reject:
            self.log.delayed_reject(self.icid, f"Message from: {sender}", self.ip)
            return Reply(replies.sender_ok(sender), ok=True)
        self.mid = self.services.counters.next_mid()
        self.log.start_mid(self.mid, self.icid)
        self.log.mail_from(self.mid, self.icid, sender)
        return Reply(replies.sender_ok(sender), ok=True)

    def rcpt(self, address: str, accepted_so_far: int) -> Reply:
        assert self.match is not None
        if self.delayed_reject:
            self.log.delayed_reject(self.icid, f"Message recipient: {address}", self.ip)
            self.services.counts.rejected_recipients_hat += 1
            return Reply(self._reject_reply())
        assert self.mid is not None
        params = self.match.params
        limit = params.max_rcpts_per_msg
        if limit is not None and accepted_so_far >= limit:
            return Reply(replies.TOO_MANY_RECIPIENTS)
        entry = self._rat_entry(address)
        if entry is not None and entry.action is RatAction.REJECT:
            self.log.rcpt_rejected(self.mid, self.icid, address)
            self.services.counts.rejected_recipients_rat += 1
            return Reply(_entry_reply(entry) or replies.RAT_REJECTED)
        bypass = entry is not None and entry.bypass_receiving_control
        if not bypass and policy.rate_exceeded(params.max_rcpts_per_hour,
                                               self.tracker.rates.used(self.ip)):
            self.log.rcpt_rate_limited(self.mid, self.icid, address)
            self.services.counts.rejected_recipients_rate_limit += 1
            return Reply(self._rate_reply())
        self.tracker.rates.add(self.ip)
        self.log.rcpt_to(self.mid, self.icid, accepted_so_far, address)
        custom = _entry_reply(entry) if entry is not None else None
        return Reply(custom or replies.recipient_ok(address), ok=True)

    def _rat_entry(self, address: str) -> RatEntry | None:
        """The RAT entry deciding `address`; an ACCEPT stand-in when the RAT is skipped,
        a REJECT one when no entry matches."""
        assert self.match is not None
        public = self.spec.type is ListenerType.PUBLIC
        if not policy.rat_applies(self.match.behavior, public):
            return None
        entry = policy.rat_lookup(self.spec.rat, address)
        return entry or RatEntry(address="ALL", action=RatAction.REJECT)

    def _rate_reply(self) -> str:
        assert self.match is not None
        response = self.match.params.rate_limit_response
        if response is not None:
            return replies.expanded(response, self._variables())
        return replies.RATE_LIMITED

    async def data(self, sender: str, recipients: list[str], content: bytes) -> Reply:
        assert self.mid is not None
        mid, self.mid = self.mid, None
        try:
            await self.services.spool.store(
                mid, self.icid, self.spec.name, sender, recipients, content, time.time()
            )
        except SpoolError as exc:
            self.log.warning(f"MID {mid} not spooled: {exc}")
            return Reply(replies.SPOOL_FAILED)
        self.messages += 1
        self.services.counts.received(len(recipients))
        self.log.ready(mid, len(content), sender)
        self.services.spooled()
        return Reply(replies.message_accepted(mid), ok=True)

    def size_exceeded(self) -> None:
        self.mid = None
        self.log.receiving_failed(self.icid, "Message size exceeds limit")


def _entry_reply(entry: RatEntry) -> str | None:
    if entry.response_code and entry.response_text:
        return replies.custom(entry.response_code, entry.response_text)
    return None


def _mentions_hostname(hat: HAT) -> bool:
    """$Hostname in any custom response needs the PTR name even if no row does."""
    params = [hat.default, *(p.params for p in hat.policies), *(g.params for g in hat.groups)]
    texts: list[Response | None] = []
    for p in params:
        texts += [p.accept_response, p.reject_response, p.rate_limit_response]
    return any(r is not None and "$hostname" in r.text.lower() for r in texts)
