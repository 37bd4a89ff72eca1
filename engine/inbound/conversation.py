"""One inbound SMTP conversation, independent of the SMTP library.

(A conversation, not a "session": `state.session.Session` is an administrator's CLI
session.)

The connection's protocol (engine/inbound/protocol.py) calls these methods at each step
and sends the replies they return. Decisions come from `engine.policy` and
`engine.inbound.pacing`, texts from `engine.replies`, log lines from
`engine.maillog`. The mail transaction itself (MAIL, RCPT, DATA) is in
`engine.inbound.transaction`.
"""

from __future__ import annotations

import math
import ssl
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Protocol

from engine import maillog, policy, replies, tls
from engine.counters import Counters
from engine.inbound import identity, mailparams, pacing
from engine.inbound.dnscheck import NOT_LOOKED_UP, DnsChecks, HostName
from engine.inbound.shared import SharedCounts
from engine.inbound.tracker import ConnectionTracker
from engine.inbound.transaction import Reply, Transaction
from engine.maillog import MailLog
from engine.outbound.tlsctx import peer_names
from engine.runtime import ListenerSpec, RuntimeConfig
from engine.spool import Spool
from engine.status import InboundCounts
from state.controls import has_control
from state.model import PolicyParams, TLSMode

__all__ = ["Conversation", "Opening", "Reply", "Services"]

_EXPIRY_REPLIES = {
    pacing.Expiry.INJECTION: replies.INJECTION_TIMEOUT,
    pacing.Expiry.EVICTED: replies.EVICTED,
}
# Commands whose argument must be free of control characters, and the refusal.
_CLEAN_ARGUMENT = {
    "HELO": replies.BAD_HELO, "EHLO": replies.BAD_HELO,
    "MAIL": replies.BAD_SENDER, "RCPT": replies.BAD_RECIPIENT,
}


@dataclass(frozen=True)
class Services:
    """What every connection shares: the log, the spool, the ID counters, DNS.

    `spooled` is called after each message is durably spooled (the engine wakes
    the outbound queue with it, so delivery does not wait for the next poll).
    `counts` are the receiving and rejection counters `status` shows. `stats` records
    each served connection's TLS when it ends (engine/tlsstats/recorder.py).
    """

    maillog: MailLog
    spool: Spool
    counters: Counters
    dns: DnsChecks = field(default_factory=DnsChecks)
    spooled: Callable[[], None] = lambda: None
    counts: InboundCounts = field(default_factory=InboundCounts)
    stats: InboundStats | None = None
    # SMTP workers: every worker's connection counts for a listener address (shared.py)
    shared_counts: Callable[[tuple[str, int]], SharedCounts] | None = None


class InboundStats(Protocol):
    def inbound(self, session: Any) -> None: ...


@dataclass(frozen=True)
class Opening:
    """How a connection starts: serve it (`reply` is the banner) or close it."""

    serve: bool
    reply: str | None = None


def _nothing(reply: str) -> None:
    return None


class Conversation(Transaction):
    """One connection. `close_now` and `deadline_moved` are set by its protocol: the
    first closes the connection with a last reply, the second re-arms its timer."""

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
        self.timeouts = runtime.config.listener_setup.timeouts
        self.icid = 0
        self.ip = ""
        self.match: policy.HatMatch | None = None
        self.client_facts = policy.ClientFacts(ip="")
        self.decision = policy.tls_decision(None)
        self.messages = 0
        self.mid: int | None = None
        self.host: HostName = NOT_LOOKED_UP
        self.helo = ""
        self.esmtp = False
        self.tls_version = self.tls_cipher = ""
        # what the TLS statistics read when the connection ends (tlsstats/events.py)
        self.served = self.offered_tls = self.client_cert_asked = False
        self.messages_before_tls = 0
        self.tls_failure = self.client_cert = ""
        self.delayed_reject = False
        self.requiretls_asked = False  # the last MAIL FROM carried REQUIRETLS (over TLS)
        self.counted = False  # the reply being sent was counted already
        self.pace = pacing.Pace.opened(time.monotonic())
        self.close_now: Callable[[str], None] = _nothing
        self.deadline_moved: Callable[[], None] = lambda: None
        self._tracked = False
        self._closed = False
        self._told_tls_required = False

    # -- connection ----------------------------------------------------
    def looks_up(self) -> bool:
        """Whether opening needs DNS lookups first (the HAT asks for a PTR or a DNS list):
        then `open`, else `open_now`."""
        needed = self.spec.lookups
        return not self.spec.suspended and bool(needed.ptr or needed.zones)

    async def open(self, peer_ip: str) -> Opening:
        """Look up what the HAT needs, decide, and say how the connection starts."""
        if not self.looks_up():
            return self.open_now(peer_ip)
        self.ip = peer_ip
        check = self.services.dns.for_settings(self.runtime.config.dns)
        facts, host = await check.facts(peer_ip, self.spec.lookups)
        return self._decide(facts, host)

    def open_now(self, peer_ip: str) -> Opening:
        """`open` for a connection whose HAT needs no DNS lookup."""
        self.ip = peer_ip
        if self.spec.suspended:
            return self._suspended(peer_ip)
        return self._decide(policy.ClientFacts(ip=peer_ip), NOT_LOOKED_UP)

    def _decide(self, facts: policy.ClientFacts, host: HostName) -> Opening:
        self.host = host
        self.client_facts = facts
        match = self.spec.hat_match(facts)
        self.match = match
        delayed = self.runtime.config.listener_setup.hat_delayed_rejection
        how = policy.opening(match.behavior, delayed)
        if how is policy.Opening.REFUSE:
            self._closed = True
            self.services.counts.rejected_connections += 1
            self.log.hat_match(0, match.behavior.value, match.group, match.rule)
            return Opening(serve=False)
        self.icid = self.services.counters.next_icid()
        self.log.new_icid(self.icid, self.spec.interface, self.spec.ip, self.ip,
                          self.host.log_host, self.host.status == "verified")
        self.log.hat_match(self.icid, match.behavior.value, match.group, match.rule)
        if how is policy.Opening.REJECT:
            self.services.counts.rejected_connections += 1
            return Opening(serve=False, reply=self._reject_reply())
        limit = self._connection_limit(match.params.max_concurrency)
        if limit is not None:
            self.services.counts.rejected_connections += 1
            self.log.receiving_failed(self.icid, maillog.CONNECTION_LIMIT)
            return Opening(serve=False, reply=limit)
        self.tracker.add(self, self.ip, self.spec.max_connections)
        self._tracked = True
        if how is policy.Opening.DELAYED_REJECT:
            self.delayed_reject = True
            self.log.delayed_reject(self.icid, self.ip)
        self.decision = policy.connection_tls(self.spec.hat, match)
        self.served = True
        self.pace.banner(time.monotonic())
        self.deadline_moved()
        return Opening(serve=True, reply=self._banner())

    def _suspended(self, peer_ip: str) -> Opening:
        """suspendlistener: a polite 421 before any lookup; open sessions go on."""
        self.icid = self.services.counters.next_icid()
        self.log.new_icid(self.icid, self.spec.interface, self.spec.ip, peer_ip)
        self.log.receiving_failed(self.icid, maillog.LISTENER_SUSPENDED)
        self.services.counts.rejected_connections += 1
        return Opening(serve=False, reply=replies.LISTENER_SUSPENDED.format(
            host=self.spec.hostname))

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
        if per_ip is not None and self.tracker.from_ip(self.ip) >= per_ip:
            return replies.TOO_MANY_FROM_IP
        if self.tracker.everywhere >= self.spec.max_connections and not self.tracker.evict_idlest(
            time.monotonic(), self.timeouts.evict_idle, self.spec.max_connections
        ):
            return replies.TOO_MANY_CONNECTIONS
        return None

    def closed(self) -> None:
        """Called once the transport is gone; idempotent."""
        if self._closed:
            return
        self._closed = True
        self.end_transaction(maillog.CONNECTION_LOST)
        self._untrack()
        if self.icid:  # none yet: gone during the HAT's DNS lookups, nothing was logged
            self.log.close_icid(self.icid)
        if self.served and self.services.stats is not None:
            self.services.stats.inbound(self)

    @property
    def facts_for_stats(self) -> tuple[str, str, str | None, TLSMode]:
        """(listener, sender group, forward-confirmed PTR name, the policy's TLS setting)."""
        group = self.match.group if self.match else None
        level = self.match.params.tls if self.match else None
        return self.spec.name, group or "", self.host.name, level or TLSMode.NO

    def receiving_failed(self, reason: str) -> None:
        """The session ends on a refusal of its own (mail_logs says why)."""
        self.log.receiving_failed(self.icid, reason)

    def quit(self) -> None:
        """QUIT: the session is over. Its connection stops counting now, not when the
        loop gets to its close: a client that reconnects at once after the 221 is not
        refused for the connection it just ended (the per-address limit)."""
        self.end_transaction()
        self._untrack()

    def _untrack(self) -> None:
        if self._tracked:
            self._tracked = False
            self.tracker.remove(self, self.spec.max_connections)

    # -- deadlines -------------------------------------------------------
    def deadline(self) -> float:
        """When this connection must be closed (monotonic seconds, inf for never): never
        while the HAT's DNS lookups run (their timeout bounds them) or once closed."""
        if self._closed or not self.served:
            return math.inf
        return pacing.deadline(self.pace, self.timeouts, self.tracker.pressure)[0]

    def expire(self) -> bool:
        """The timer fired: close the connection (True) if its deadline has passed."""
        if not self.served:
            return False
        when, why = pacing.deadline(self.pace, self.timeouts, self.tracker.pressure)
        if why is None or time.monotonic() < when:
            return False
        self._give_up(why)
        return True

    def evict(self) -> None:
        """Make room for a new connection (the tracker has forgotten this one already)."""
        self._tracked = False
        self._give_up(pacing.Expiry.EVICTED)

    def rearm(self) -> None:
        self.deadline_moved()

    def _give_up(self, why: pacing.Expiry) -> None:
        self._untrack()  # its slot is free now, even before the socket is gone
        self.services.counts.timed_out_connections += 1
        self.log.receiving_failed(self.icid, why.value)
        self.end_transaction(maillog.TIMED_OUT if why is not pacing.Expiry.EVICTED else why.value)
        self.close_now(_EXPIRY_REPLIES.get(why, replies.TIMEOUT))

    def command(self) -> None:
        """A command line arrived (NOOP too: it restarts the wait, it is no progress)."""
        self.pace.command(time.monotonic())

    def command_done(self) -> None:
        self.pace.command_done(time.monotonic(), bool(self.helo))

    def received_bytes(self, size: int) -> None:
        self.pace.data_received(time.monotonic(), size, self.tracker.pressure)

    # -- commands ----------------------------------------------------------
    @property
    def tls_context(self) -> ssl.SSLContext | None:
        return self.spec.tls.for_decision(self.decision)

    @property
    def size_limit(self) -> int | None:
        return self.match.params.max_message_size if self.match else None

    def gate(self, command: str, arg: str | None, tls_active: bool) -> Reply | None:
        """A refusal for `command` before it runs, or None to let it run."""
        if command == "STARTTLS" and (self.tls_context is None or tls_active):
            return Reply(replies.STARTTLS_NOT_AVAILABLE)
        if self.decision.require and not tls_active and not policy.allowed_before_tls(command):
            if not self._told_tls_required:
                self._told_tls_required = True
                self.log.tls_required(self.icid)
            return Reply(replies.MUST_STARTTLS)
        if command == "MAIL" and self._messages_exhausted():
            self.receiving_failed(maillog.MESSAGE_LIMIT)
            return Reply(replies.TOO_MANY_MESSAGES, close=True)
        if command in _CLEAN_ARGUMENT and arg and has_control(arg):
            return self._unclean(command, arg)
        refusal = mailparams.refusal(arg, tls_active) if command == "MAIL" and arg else None
        return Reply(refusal) if refusal else None

    def argument(self, command: str, arg: str | None) -> str | None:
        """The argument of a command the gate let through: MAIL's without REQUIRETLS,
        which is remembered for the transaction (RFC 8689: only over TLS, see `gate`)."""
        if command != "MAIL" or not arg:
            return arg
        params = mailparams.take_requiretls(arg)
        self.requiretls_asked = params.requiretls
        return params.argument

    def _unclean(self, command: str, arg: str) -> Reply:
        address = arg.partition(":")[2].strip() or arg  # after FROM: / TO:
        if command == "MAIL":
            self.log.sender_invalid(self.icid, address)
        elif command == "RCPT":
            self.log.rcpt_invalid(self.mid, self.icid, address)
            self.services.counts.rejected_recipients_invalid += 1
            self.counted = True
        return Reply(_CLEAN_ARGUMENT[command])

    def _messages_exhausted(self) -> bool:
        limit = self.match.params.max_msgs_per_session if self.match else None
        return limit is not None and self.messages >= limit

    def greeted(self, helo: str, esmtp: bool) -> None:
        """HELO or EHLO accepted: it ends the greeting wait and any transaction."""
        self.end_transaction()
        self.helo, self.esmtp = helo, esmtp
        self.pace.greeted(time.monotonic())
        self.deadline_moved()  # a phase with another timeout

    def ehlo_lines(self, lines: list[str], tls_active: bool) -> list[str]:
        """EHLO's reply: STARTTLS offered only where it may start, and our extensions."""
        kept = lines
        if self.tls_context is None or tls_active:
            kept = [line for line in kept if line[4:].upper() != "STARTTLS"]
        else:
            self.offered_tls = True
        ours = [replies.PIPELINING, *([replies.REQUIRETLS] if tls_active else [])]
        return [*kept[:-1], *ours, *kept[-1:]]

    def tls_started(self, protocol: str, cipher: str,
                    peercert: dict[str, Any] | None = None, der: bytes = b"") -> bool:
        """The handshake completed; `peercert` (`der`: the same, DER) is the client's
        certificate, verified (the Verify settings and certificate rows ask for one;
        OpenSSL refused any that did not verify). False when no command may go on: the
        certificate is not made for TLS where one is required, or the HAT row it leads to
        rejects the client."""
        self.end_transaction()
        self.helo = ""
        self.tls_version, self.tls_cipher = protocol, cipher
        self.messages_before_tls = self.messages
        self.client_cert_asked = self.decision.request_client_cert
        san, cn = peer_names(peercert or None)
        fit = not peercert or not der or tls.tls_purpose_ok(der)
        if not fit:
            san, cn = (), None
        self.client_cert = san[0] if san else cn or ""
        self.pace.tls_started(time.monotonic())
        self.deadline_moved()
        self.log.tls_success(self.icid, protocol, cipher)
        if not fit:
            self.log.tls_client_cert_refused(self.icid, tls.PURPOSE_UNSUITABLE)
            if self.decision.require_client_cert:
                return False
        return self._rematch(policy.certificate_names(san, cn))

    def _rematch(self, names: tuple[str, ...]) -> bool:
        """The HAT again, with the certificate's names (engine/inbound/identity.py)."""
        if self.match is None:
            return True
        delayed = self.runtime.config.listener_setup.hat_delayed_rejection
        facts = policy.ClientFacts(self.client_facts.ip, self.client_facts.ptr,
                                   self.client_facts.sbrs, self.client_facts.listed, names)
        found = identity.rematch(self.spec.hat, facts, self.match, delayed)
        if found is None:
            return True
        match = self.match = found.match
        self.decision = policy.tls_decision(match.params.tls)
        self.delayed_reject = found.delayed_reject
        self.log.hat_match(self.icid, match.behavior.value, match.group, match.rule)
        return not found.refuse

    def tls_failed(self, error: BaseException | None) -> None:
        self.tls_failure = tls.describe_failure(error)
        self.log.tls_failed(self.icid, self.tls_failure)

    def refused(self) -> None:
        """A 4xx/5xx reply is going out: count it unless what caused it did."""
        if not self.counted:
            self.services.counts.refused_commands += 1
        self.counted = False
