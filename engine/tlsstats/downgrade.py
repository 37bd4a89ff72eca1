"""Downgrades: a partner whose TLS got weaker than the best seen from it (pure).

Per direction and partner domain the store keeps the best TLS seen (`Best`: TLS at all,
a verified certificate, the highest protocol version). A later connection is weaker when
it has no TLS where TLS was used (only where TLS could have happened: outbound at a TLS
setting other than No, inbound where STARTTLS was offered), does not verify where a
certificate verified (only where the certificate was checked), or uses an older protocol
version. `judge` says what changed and whether an alert is due: at most one per domain and
direction per THROTTLE_SECONDS (the mail_logs line is written for every weaker connection).
A best not seen again within the retention of the statistics is forgotten (store.py), so a
partner's lasting change becomes its new normal.

The alert is class System, severity Warning (engine/outbound/alerts.py decides who gets
it, from alertconfig), and goes only when `reporting.downgrade_alerts` is on.
"""

from __future__ import annotations

from dataclasses import dataclass

from engine.maillog import stamp
from engine.outbound.alerts import ALERT_CLASS, ALERT_SEVERITY, Alert, subscribed
from engine.outbound.scheduler import alert_message
from engine.tlsstats import texts
from engine.tlsstats.events import INBOUND, UNKNOWN, VALIDATION_FAILURE, Event, Outcome4
from state.model import Config, TLSMode

THROTTLE_SECONDS = 3600.0
_RANK = {"TLSv1": 1, "TLSv1.0": 1, "TLSv1.1": 2, "TLSv1.2": 3, "TLSv1.3": 4}


def rank(version: str) -> int:
    return _RANK.get(version, 0)


@dataclass(frozen=True)
class Best:
    tls: bool
    verified: bool
    version: str
    seen: float  # when a connection was last at least this good
    alerted: float = 0.0  # when the last alert for this partner went


@dataclass(frozen=True)
class Downgrade:
    event: Event
    changes: tuple[str, ...]
    best: Best
    alert: bool  # an alert is due (the throttle allows it)


def could_tls(event: Event) -> bool:
    """Could this connection have had TLS? (Not if we never offered or tried it.)"""
    if event.direction == INBOUND:
        return event.offered
    return event.level is not TLSMode.NO


def refused_certificate(event: Event) -> bool:
    """A handshake our own certificate check ended: the partner did TLS (raising the
    setting to Verify is no downgrade of theirs; a certificate that verified before and
    does not now is, as "certificate not verified")."""
    return event.outcome is Outcome4.FAILED and event.verify_result not in (
        UNKNOWN, VALIDATION_FAILURE)


def changes(best: Best, event: Event) -> tuple[str, ...]:
    found = []
    did_tls = event.tls or refused_certificate(event)
    if best.tls and not did_tls and could_tls(event):
        found.append(texts.DOWNGRADE_NO_TLS)
    checked = event.verify_result != UNKNOWN
    if best.verified and did_tls and checked and not event.verified:
        found.append(texts.DOWNGRADE_UNVERIFIED)
    if event.tls and rank(event.version) < rank(best.version):
        found.append(texts.DOWNGRADE_VERSION.format(version=event.version, best=best.version))
    return tuple(found)


def judge(best: Best | None, event: Event, now: float) -> tuple[Best, Downgrade | None]:
    """The best to keep after `event`, and the downgrade it is (None if it is not one)."""
    mine = Best(event.tls, event.tls and event.verified, event.version if event.tls else "", now)
    if best is None:
        return mine, None
    merged = Best(best.tls or mine.tls, best.verified or mine.verified,
                  max(best.version, mine.version, key=rank), best.seen, best.alerted)
    found = changes(best, event)
    if not found:
        return Best(merged.tls, merged.verified, merged.version, now, best.alerted), None
    due = now - best.alerted >= THROTTLE_SECONDS
    kept = Best(merged.tls, merged.verified, merged.version, best.seen,
                now if due else best.alerted)
    return kept, Downgrade(event, found, best, due)


def log_line(down: Downgrade) -> str:
    """The mail_logs message (engine/maillog.MailLog.tls_downgrade writes it)."""
    return texts.DOWNGRADE_JOIN.join(down.changes)


def alert(config: Config, down: Downgrade, now: float) -> Alert | None:
    """The downgrade alert for whoever alertconfig subscribes to System / Warning."""
    if not config.reporting.downgrade_alerts or not down.alert:
        return None
    recipients = subscribed(config, ALERT_CLASS, ALERT_SEVERITY)
    if not recipients:
        return None
    event = down.event
    word = texts.DIRECTION_WORDS[event.direction]
    sender = config.alerts.from_address or f"alert@{config.hostname}"
    subject = texts.ALERT_SUBJECT.format(hostname=config.hostname, word=word,
                                         domain=event.domain)
    kind = "ICID" if event.direction == INBOUND else "DCID"
    body = texts.ALERT_BODY.format(
        domain=event.domain, direction=texts.DIRECTION_NAMES[event.direction],
        changes=log_line(down), conn=f"{kind} {event.conn_id}",
        peer=f"{event.peer} ({event.peer_ip})" if event.peer != event.peer_ip else event.peer,
        best_time=stamp(down.best.seen), hostname=config.hostname,
    )
    content = alert_message(config.hostname, sender, list(recipients), subject, body, now)
    return Alert(sender, recipients, content)
