"""One inbound SMTP conversation, independent of the SMTP library.

The adapter (the only aiosmtpd user) calls these methods at each step and
sends the replies they return. Decisions come from `engine.policy`, texts from
`engine.replies`, log lines from `engine.maillog`.
"""

from __future__ import annotations

import ssl
import time
from collections import Counter
from dataclasses import dataclass

from engine import policy, replies, tls
from engine.counters import Counters
from engine.errors import SpoolError
from engine.maillog import MailLog
from engine.runtime import ListenerSpec, RuntimeConfig
from engine.spool import Spool
from state.model import Behavior, ListenerType, RatAction


@dataclass(frozen=True)
class Services:
    """What every connection shares: the log, the spool and the ID counters."""

    maillog: MailLog
    spool: Spool
    counters: Counters


class ConnectionTracker:
    """Open connections of one listener, in total and per client IP."""

    def __init__(self) -> None:
        self.total = 0
        self.per_ip: Counter[str] = Counter()

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

    # -- connection ----------------------------------------------------
    def open(self, peer_ip: str) -> Opening:
        self.ip = peer_ip
        match = policy.evaluate_hat(self.spec.hat, policy.ClientFacts(ip=peer_ip))
        self.match = match
        if match.behavior is Behavior.TCPREFUSE:
            self._closed = True
            self.log.hat_match(0, match.behavior.value, match.group, match.rule)
            return Opening(serve=False)
        self.icid = self.services.counters.next_icid()
        self.log.new_icid(self.icid, self.spec.interface, self.spec.ip, peer_ip)
        self.log.hat_match(self.icid, match.behavior.value, match.group, match.rule)
        if match.behavior is Behavior.REJECT:
            return Opening(serve=False, reply=replies.REJECT_BANNER)
        limit = self._connection_limit(match.params.max_concurrency)
        if limit is not None:
            self.log.receiving_failed(self.icid, "Connection limit exceeded")
            return Opening(serve=False, reply=limit)
        self.tracker.add(peer_ip)
        self._tracked = True
        self.decision = policy.tls_decision(match.params.tls)
        return Opening(serve=True, reply=replies.banner(self.spec.hostname))

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
        self.mid = self.services.counters.next_mid()
        self.log.start_mid(self.mid, self.icid)
        self.log.mail_from(self.mid, self.icid, sender)
        return Reply(replies.sender_ok(sender), ok=True)

    def rcpt(self, address: str, accepted_so_far: int) -> Reply:
        assert self.match is not None and self.mid is not None
        limit = self.match.params.max_rcpts_per_msg
        if limit is not None and accepted_so_far >= limit:
            return Reply(replies.TOO_MANY_RECIPIENTS)
        refusal = self._rat_refusal(address)
        if refusal is not None:
            self.log.rcpt_rejected(self.mid, self.icid, address)
            return Reply(refusal)
        self.log.rcpt_to(self.mid, self.icid, accepted_so_far, address)
        return Reply(replies.recipient_ok(address), ok=True)

    def _rat_refusal(self, address: str) -> str | None:
        assert self.match is not None
        if self.match.behavior is Behavior.RELAY or self.spec.type is ListenerType.PRIVATE:
            return None
        entry = policy.rat_lookup(self.spec.rat, address)
        if entry is not None and entry.action is RatAction.ACCEPT:
            return None
        if entry is not None and entry.response_code and entry.response_text:
            return replies.custom(entry.response_code, entry.response_text)
        return replies.RAT_REJECTED

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
        self.log.ready(mid, len(content), sender)
        return Reply(replies.message_accepted(mid), ok=True)

    def size_exceeded(self) -> None:
        self.mid = None
        self.log.receiving_failed(self.icid, "Message size exceeds limit")
