"""The mail transaction of an inbound conversation: MAIL, RCPT, DATA, and how each MID ends.

Every `Start MID` line is followed, sooner or later, by exactly one line saying how
the message ended: `MID n ready ...` when it was accepted, otherwise `Message aborted
MID n Receiving aborted ...` (by the sender: RSET, HELO/EHLO, STARTTLS or QUIT before
the end of DATA; or with the reason: connection lost, timeout, size, line too long,
loop, NUL, spool failure). `Conversation` (engine/inbound/conversation.py) is the only
class built on this one; the attributes below are its.
"""

from __future__ import annotations

import asyncio
import functools
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from engine import maillog, policy, replies
from engine.errors import SpoolError
from engine.inbound import headers, pacing
from engine.inbound.dnscheck import HostName
from engine.inbound.receiving import Receiving
from engine.inbound.tracker import ConnectionTracker
from engine.maillog import MailLog
from engine.messageflags import PLAIN_MESSAGE, Flags
from engine.runtime import ListenerSpec
from state.model import ListenerType, RatAction, RatEntry

if TYPE_CHECKING:
    from engine.inbound.conversation import Services

@dataclass(frozen=True)
class Reply:
    text: str
    ok: bool = False
    close: bool = False


class Transaction:
    flags: Flags = PLAIN_MESSAGE  # what the open transaction asks (REQUIRETLS)
    services: Services
    log: MailLog
    spec: ListenerSpec
    tracker: ConnectionTracker
    match: policy.HatMatch | None
    pace: pacing.Pace
    icid: int
    ip: str
    mid: int | None
    messages: int
    host: HostName
    helo: str
    esmtp: bool
    tls_version: str
    tls_cipher: str
    delayed_reject: bool
    requiretls_asked: bool
    counted: bool
    deadline_moved: Callable[[], None]

    def _variables(self) -> dict[str, str]:
        raise NotImplementedError

    def _reject_reply(self) -> str:
        raise NotImplementedError

    def end_transaction(self, reason: str = "") -> None:
        """The open MID, if any, ends unaccepted: by the sender, or for `reason`."""
        if self.mid is None:
            return
        mid, self.mid = self.mid, None
        if reason:
            self.log.receiving_aborted(mid, reason)
        else:
            self.log.aborted_by_sender(mid)

    def mail(self, sender: str) -> Reply:
        if self.delayed_reject:
            self.log.delayed_reject_sender(self.icid, sender, self.ip)
            return Reply(replies.sender_ok(sender), ok=True)
        self.mid = self.services.counters.next_mid()
        self.log.start_mid(self.mid, self.icid)
        self.log.mail_from(self.mid, self.icid, sender)
        self.flags = Flags(requiretls=True) if self.requiretls_asked else PLAIN_MESSAGE
        if self.requiretls_asked:
            self.log.mid_requiretls(self.mid, self.icid)
        return Reply(replies.sender_ok(sender), ok=True)

    def rcpt(self, address: str, accepted_so_far: int) -> Reply:
        assert self.match is not None
        counts = self.services.counts
        self.counted = True  # each refusal below counts itself
        if self.delayed_reject:
            self.log.delayed_reject_recipient(self.icid, address, self.ip)
            counts.rejected_recipients_hat += 1
            return Reply(self._reject_reply())
        assert self.mid is not None
        params = self.match.params
        limit = params.max_rcpts_per_msg
        if limit is not None and accepted_so_far >= limit:
            self.log.rcpt_over_limit(self.mid, self.icid, address)
            counts.rejected_recipients_limit += 1
            return Reply(replies.TOO_MANY_RECIPIENTS)
        entry = self._rat_entry(address)
        if entry is not None and entry.action is RatAction.REJECT:
            self.log.rcpt_rejected(self.mid, self.icid, address)
            counts.rejected_recipients_rat += 1
            return Reply(_entry_reply(entry) or replies.RAT_REJECTED)
        bypass = entry is not None and entry.bypass_receiving_control
        hourly = params.max_rcpts_per_hour  # the shared counts are read only under a limit
        if not bypass and policy.rate_limited(hourly) and policy.rate_exceeded(
                hourly, self.tracker.rates.used(self.ip)):
            self.log.rcpt_rate_limited(self.mid, self.icid, address)
            counts.rejected_recipients_rate_limit += 1
            return Reply(self._rate_reply())
        self.counted = False
        if params.max_rcpts_per_hour is not None:  # no limit: no slot held for an hour
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
        entry = self.spec.rat_entry(address)
        return entry or RatEntry(address="ALL", action=RatAction.REJECT)

    def _rate_reply(self) -> str:
        assert self.match is not None
        response = self.match.params.rate_limit_response
        if response is not None:
            return replies.expanded(response, self._variables())
        return replies.RATE_LIMITED

    # -- DATA ----------------------------------------------------------------
    def data_started(self) -> None:
        """354 sent: from now on each read of data restarts the data-block wait."""
        self.pace.data_started(time.monotonic())
        self.deadline_moved()  # the data-block wait may be shorter than the command one

    def begin_data(self, sender: str, recipients: list[str], limit: int | None) -> Receiving:
        """354 is going out: the message is written to its spool file as it arrives."""
        assert self.mid is not None
        now = time.time()
        incoming = self.services.spool.receive(self.mid, self.icid, self.spec.name, sender,
                                               recipients, now, self.flags)
        return Receiving(incoming, self._arrival(self.mid, recipients, now),
                         self.spec.type is ListenerType.PRIVATE, limit)

    def data(self, sender: str, recipients: list[str], receiving: Receiving,
             done: Callable[[Reply], None]) -> Reply | None:
        """The final dot arrived: refuse the message (its reply, now), or make it durable
        and give `done` the reply once it is (the 250 only after fsync; None now)."""
        assert self.mid is not None
        self.pace.spooling()
        failure = receiving.ended()
        if failure is not None:
            return self.data_failed(failure.reason, failure.reply)
        mid = self.mid
        self._log_fields(mid, receiving.header)
        # If the client hangs up while the file is written, the message still lands in the
        # spool and is delivered: its MID must end with "ready", not "aborted", so from here
        # on it ends in _stored, whatever the connection does (`done` is called all the same).
        self.mid = None
        storing = self.services.spool.finish(receiving.incoming)
        outcome = functools.partial(self._stored, mid, sender, len(recipients),
                                    receiving.incoming.size)

        def finished(stored: asyncio.Future[Path]) -> None:
            try:
                reply = outcome(stored)
            except Exception as error:  # noqa: BLE001 (a bug must not leave the client waiting)
                reply = Reply(self.internal_error(error))
            done(reply)

        storing.add_done_callback(finished)
        return None

    def _stored(self, mid: int, sender: str, recipients: int, size: int,
                storing: asyncio.Future[Path]) -> Reply:
        error = None if storing.cancelled() else storing.exception()
        if storing.cancelled() or error is not None:
            why = str(error) if isinstance(error, SpoolError) else type(error).__name__
            self.log.not_spooled(mid, why)
            self.log.receiving_failed(self.icid, maillog.NOT_SPOOLED)
            self.log.receiving_aborted(mid, maillog.NOT_SPOOLED)
            self.services.counts.rejected_messages += 1
            self.counted = True
            return Reply(replies.SPOOL_FAILED)
        self.messages += 1
        self.pace.accepted(time.monotonic())
        self.services.counts.received(recipients)
        self.log.ready(mid, size, sender)
        self.services.spooled()
        return Reply(replies.message_accepted(mid), ok=True)

    def _log_fields(self, mid: int, content: bytes) -> None:
        message_id, subject = headers.logged_fields(content)
        if message_id is not None:
            self.log.message_id(mid, message_id)
        if subject is not None:
            self.log.subject(mid, subject)

    def _arrival(self, mid: int, recipients: list[str], now: float) -> headers.Arrival:
        return headers.Arrival(
            helo=self.helo, ptr=self.host.log_host, ip=self.ip, host=self.spec.hostname,
            esmtp=self.esmtp, mid=mid, recipients=tuple(recipients), when=now,
            tls_version=self.tls_version, tls_cipher=self.tls_cipher,
        )

    def internal_error(self, error: BaseException) -> str:
        self.log.icid_internal_error(self.icid, error)
        return replies.LOCAL_ERROR

    def data_failed(self, reason: str, reply: str) -> Reply:
        """DATA ended without a message: log how, count it, and give `reply`."""
        self.log.receiving_failed(self.icid, reason)
        self.end_transaction(reason)
        self.services.counts.rejected_messages += 1
        self.counted = True
        return Reply(reply)


def _entry_reply(entry: RatEntry) -> str | None:
    if entry.response_code and entry.response_text:
        return replies.custom(entry.response_code, entry.response_text)
    return None
