"""mail_logs: the appliance's text mail log (in the lines AsyncOS writes).

Every line is `<Day Mon dd HH:MM:SS YYYY> <Level>: <message>`, in the file at once
because the shell's `tail mail_logs` reads it while we write: lines written by the
engine's event loop are held until that loop's next turn (or until the SMTP session
writes a reply: `flush`), so the lines of one turn are one write(2); every other
thread's are written as they come. The line templates live here and nowhere else.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import threading
import time
import uuid
from importlib import metadata
from pathlib import Path

from engine.logfiles import RotatingFile, Rotation
from state.controls import escape_controls

# Why an inbound connection or message ended, as the lines below give it (the timeouts'
# and the header refusals' own words are engine/inbound/pacing.Expiry's and
# engine/inbound/headers.Refusal's).
NOT_SPOOLED = "Message not spooled"
CONNECTION_LIMIT = "Connection limit exceeded"
CONNECTION_LOST = "connection lost"
TIMED_OUT = "timeout"
SIZE_EXCEEDED = "Message size exceeds limit"
LINE_TOO_LONG = "Line too long"
LISTENER_SUSPENDED = "Listener suspended"
MESSAGE_LIMIT = "Too many messages for this session"
TOO_MANY_UNKNOWN = "Too many unrecognized commands"
INTERNAL_ERROR = "internal error"


def _version() -> str:
    try:
        return metadata.version("esacli")
    except metadata.PackageNotFoundError:
        return "0.0.0"


def default_serial() -> str:
    """A stable per-machine serial number in the appliance's style."""
    digest = hashlib.sha256(str(uuid.getnode()).encode()).hexdigest().upper()
    return f"{digest[:20]}-{digest[20:32]}"


def stamp(now: float) -> str:
    # %e pads the day with a space, as the appliance does ("Wed Sep  6").
    return time.strftime("%a %b %e %H:%M:%S %Y", time.localtime(now))


BOUNCE_OF = "bounce of MID {mid}"  # why a DSN was generated (MailLog.queued; mailevents)


def addr(address: str | None) -> str:
    """An envelope address as the log shows it: in angle brackets, `<>` for null."""
    text = (address or "").strip()
    if text.startswith("<") and text.endswith(">"):
        return text
    return f"<{text}>"


_stamps: tuple[int, str] = (0, "")


def _stamp_now() -> str:
    """stamp(time.time()), formatted once a second (every line asks for it)."""
    global _stamps
    now = time.time()
    second = int(now)
    if _stamps[0] != second:
        _stamps = (second, stamp(now))
    return _stamps[1]


_log = logging.getLogger(__name__)

class MailLog:
    """Append-only writer of `<data_dir>/logs/mail_logs`, rolled over as logconfig says
    (engine/logfiles.py); safe to call from any thread."""

    def __init__(self, path: Path, serial: str | None = None,
                 rotation: Rotation | None = None,
                 loop: asyncio.AbstractEventLoop | None = None) -> None:
        self.path = Path(path)
        self._serial = serial
        self._file: RotatingFile | None = RotatingFile(self.path, self._header, rotation)
        self._loop = loop  # its thread's lines are held until its next turn
        self._loop_thread = threading.get_ident() if loop is not None else None
        self._held: list[str] = []

    def _header(self) -> list[str]:
        """The lines every file starts with (§9), the current one and each rolled over."""
        now, offset = time.time(), time.localtime().tm_gmtoff
        return [f"{stamp(now)} Info: {text}" for text in (
            "Begin Logfile",
            f"Version: {_version()} SN: {self._serial or default_serial()}",
            f"Time offset from UTC: {offset} seconds",
        )]

    @property
    def rotation(self) -> Rotation:
        return self._file.rotation if self._file is not None else Rotation()

    @rotation.setter
    def rotation(self, rotation: Rotation) -> None:
        if self._file is not None:
            self._file.rotation = rotation

    def close(self) -> None:
        self.flush()
        if self._file is not None:
            self._file.close()
            self._file = None

    def write(self, level: str, message: str) -> None:
        # One physical line per event, and no control character a terminal would obey,
        # whatever a client managed to put in the message (an address, a host name).
        log = self._file
        if log is None:
            return
        line = f"{_stamp_now()} {level}: {escape_controls(message)}\n"
        loop = self._loop
        if loop is None or threading.get_ident() != self._loop_thread or not loop.is_running():
            log.write(line)
            return
        held = self._held
        held.append(line)
        if len(held) == 1:
            loop.call_soon(self.flush)

    def flush(self) -> None:
        """Write the lines the event loop holds (the loop's thread only). A failed write
        (a full disk) loses them and is said in system_logs: the SMTP reply it comes
        before is still sent."""
        held = self._held
        if held:
            self._held = []
            try:
                if self._file is not None:
                    self._file.write("".join(held))
            except OSError as error:
                _log.warning("mail_logs: %d lines not written: %s", len(held), error)

    def info(self, message: str) -> None:
        self.write("Info", message)

    def warning(self, message: str) -> None:
        self.write("Warning", message)

    def critical(self, message: str) -> None:
        self.write("Critical", message)

    # -- the engine itself -------------------------------------------------
    def version_not_applied(self, number: int, reason: str) -> None:
        self.critical(f"Configuration version {number} not applied: {reason}")

    def store_unreadable(self, error: str) -> None:
        self.warning(f"Configuration store unreadable: {error}")

    def listener_disabled(self, name: str, reason: str) -> None:
        self.warning(f"Listener {name} disabled: {reason}")

    def open_files_limited(self, limit: int, wanted: int) -> None:
        self.warning(
            f"Open files limited to {limit}: the listeners' connection limits"
            f" need about {wanted}; raise the limit (ulimit -n) or lower Max Concurrent"
            " Connections"
        )

    def status_error(self, error: BaseException) -> None:
        self.critical(f"Status error: {type(error).__name__}: {error}")

    def status_not_published(self, why: str) -> None:
        self.warning(f"Status not published: {why}")

    # -- inbound templates (§9) ----------------------------------------
    def new_icid(
        self, icid: int, ifname: str, ifip: str, ip: str, host: str = "unknown",
        verified: bool = False,
    ) -> None:
        self.info(
            f"New SMTP ICID {icid} interface {ifname} ({ifip}) address {ip}"
            f" reverse dns host {host} verified {'yes' if verified else 'no'}"
        )

    def delayed_reject(self, icid: int, ip: str) -> None:
        """The HAT rejects, delayed: the session goes on, to log the recipients."""
        self._delayed(icid, "continuing session for recipient logging", ip)

    def delayed_reject_sender(self, icid: int, sender: str, ip: str) -> None:
        self._delayed(icid, f"Message from: {sender}", ip)

    def delayed_reject_recipient(self, icid: int, address: str, ip: str) -> None:
        self._delayed(icid, f"Message recipient: {address}", ip)

    def _delayed(self, icid: int, what: str, ip: str) -> None:
        self.info(f"ICID {icid} Delayed HAT REJECT {what} ({ip})")

    def rcpt_rate_limited(self, mid: int, icid: int, rcpt: str) -> None:
        self.info(f"MID {mid} ICID {icid} To: {addr(rcpt)} Rejected by Receiving Control")

    def hat_match(self, icid: int, behavior: str, group: str | None, rule: str) -> None:
        match = f"match {rule} " if rule else "match "
        self.info(f"ICID {icid} {behavior} SG {group or 'None'} {match}SBRS None")

    def tls_success(self, icid: int, protocol: str, cipher: str) -> None:
        self.info(f"ICID {icid} TLS success protocol {protocol} cipher {cipher}")

    def tls_failed(self, icid: int, reason: str) -> None:
        self.info(f"ICID {icid} TLS failed: {reason}")

    def tls_client_cert_refused(self, icid: int, reason: str) -> None:
        self.info(f"ICID {icid} TLS client certificate refused: {reason}")

    def tls_required(self, icid: int) -> None:
        self.info(f"ICID {icid} TLS was required but remote host did not initiate it")

    def start_mid(self, mid: int, icid: int) -> None:
        self.info(f"Start MID {mid} ICID {icid}")

    def mail_from(self, mid: int, icid: int, sender: str) -> None:
        self.info(f"MID {mid} ICID {icid} From: {addr(sender)}")

    def rcpt_to(self, mid: int, icid: int, rid: int, rcpt: str) -> None:
        self.info(f"MID {mid} ICID {icid} RID {rid} To: {addr(rcpt)}")

    def rcpt_rejected(self, mid: int, icid: int, rcpt: str) -> None:
        self.info(f"MID {mid} ICID {icid} To: {addr(rcpt)} Rejected by RAT")

    def rcpt_over_limit(self, mid: int, icid: int, rcpt: str) -> None:
        self.info(f"MID {mid} ICID {icid} To: {addr(rcpt)} Rejected: too many recipients")

    def rcpt_invalid(self, mid: int | None, icid: int, rcpt: str) -> None:
        head = f"MID {mid} ICID {icid}" if mid is not None else f"ICID {icid}"
        self.info(f"{head} To: {addr(rcpt)} Rejected: invalid address")

    def sender_invalid(self, icid: int, sender: str) -> None:
        self.info(f"ICID {icid} From: {addr(sender)} Rejected: invalid address")

    def message_id(self, mid: int, value: str) -> None:
        self.info(f"MID {mid} Message-ID '{value}'")

    def subject(self, mid: int, value: str) -> None:
        self.info(f"MID {mid} Subject '{value}'")

    def ready(self, mid: int, size: int, sender: str) -> None:
        self.info(f"MID {mid} ready {size} bytes from {addr(sender)}")

    def aborted_by_sender(self, mid: int) -> None:
        """A transaction the client gave up (RSET, HELO, STARTTLS or QUIT before DATA)."""
        self.info(f"Message aborted MID {mid} Receiving aborted by sender")

    def receiving_aborted(self, mid: int, reason: str) -> None:
        self.info(f"Message aborted MID {mid} Receiving aborted: {reason}")

    def receiving_failed(self, icid: int, reason: str) -> None:
        self.info(f"ICID {icid} Receiving Failed: {reason}")

    def not_spooled(self, mid: int, why: str) -> None:
        self.warning(f"MID {mid} not spooled: {why}")

    def icid_internal_error(self, icid: int, error: BaseException) -> None:
        self.warning(f"ICID {icid} internal error: {type(error).__name__}")

    def close_icid(self, icid: int) -> None:
        self.info(f"ICID {icid} close")

    def listener_starting(self, name: str) -> None:
        self.info(f"SMTP listener {name} starting")

    def listener_cannot_bind(self, name: str, ip: str, port: int, reason: str) -> None:
        self.info(f"Listener {name} cannot bind to {ip}:{port}: {reason}")

    def listener_cannot_move(self, name: str, ip: str, port: int, reason: str,
                             old_ip: str, old_port: int) -> None:
        self.warning(f"Listener {name} cannot bind to {ip}:{port}: {reason};"
                     f" still listening on {old_ip}:{old_port}")

    # -- outbound templates (§9) ---------------------------------------
    def new_dcid(self, dcid: int, ifip: str, ip: str, port: int) -> None:
        self.info(f"New SMTP DCID {dcid} interface {ifip} address {ip} port {port}")

    def dcid_connect_failed(self, dcid: int, ip: str, port: int, reason: str) -> None:
        self.info(f"DCID {dcid} connection to {ip} port {port} failed: {reason}")

    def dcid_tls_success(self, dcid: int, protocol: str, cipher: str) -> None:
        self.info(f"DCID {dcid} TLS success protocol {protocol} cipher {cipher}")

    def dcid_tls_verified(self, dcid: int, name: str) -> None:
        self.info(f"DCID {dcid} TLS certificate verified: match {name}")

    def dcid_tls_not_verified(self, dcid: int, reason: str) -> None:
        self.info(f"DCID {dcid} TLS certificate not verified: {reason}")

    def dcid_tls_failed(self, dcid: int, reason: str) -> None:
        self.info(f"DCID {dcid} TLS failed: {reason}")

    def dcid_tls_required(self, dcid: int, ip: str) -> None:
        self.info(f"DCID {dcid} IP {ip} TLS was required but could not be successfully negotiated")

    def dcid_no_starttls(self, dcid: int) -> None:
        self.info(f"DCID {dcid} STARTTLS command not supported.")

    def delivery_start(self, dcid: int, mid: int, rids: list[int]) -> None:
        self.info(f"Delivery start DCID {dcid} MID {mid} to RID {_rids(rids)}")

    def message_done(self, dcid: int, mid: int, rids: list[int]) -> None:
        self.info(f"Message done DCID {dcid} MID {mid} to RID {_rids(rids)}")

    def response(self, mid: int, rids: list[int], text: str) -> None:
        self.info(f"MID {mid} RID {_rids(rids)} Response '{text}'")

    def delayed(self, dcid: int | None, mid: int, rid: int, reason: str) -> None:
        self.info(f"Delayed: DCID {_dcid(dcid)} MID {mid} to RID {rid} - {reason}")

    def bounced(self, dcid: int | None, mid: int, rid: int, reason: str) -> None:
        self.info(f"Bounced: DCID {_dcid(dcid)} MID {mid} to RID {rid} - {reason}")

    def message_finished(self, mid: int, how: str = "done") -> None:
        self.info(f"Message finished MID {mid} {how}")

    def close_dcid(self, dcid: int) -> None:
        self.info(f"DCID {dcid} close")

    def message_delivery_failed(self, mid: int, dcid: int, error: str) -> None:
        """An unexpected error in one message's transaction (that message is deferred)."""
        self.warning(f"MID {mid} DCID {dcid} delivery failed: {error}")

    def delivery_failed(self, domain: str, error: str) -> None:
        """An unexpected error in a domain's delivery (what was left is deferred)."""
        self.warning(f"Delivery to {domain} failed: {error}")

    # -- what decided a delivery's TLS (engine/outbound/precedence.py) ----------
    def dcid_tls_policy(self, dcid: int, decided_by: str, requirement: str) -> None:
        """Every delivery attempt: which mechanism decided, and what it asks."""
        self.info(f"DCID {dcid} TLS policy by {decided_by}: {requirement}")

    def dcid_dane_success(self, dcid: int, domain: str, record: str) -> None:
        self.info(f"DCID {dcid} DANE SUCCESS for {domain}: TLSA {record}")

    def dcid_dane_failed(self, dcid: int, domain: str, reason: str) -> None:
        self.info(f"DCID {dcid} DANE FAILED for {domain}: {reason}")

    def dcid_sts_would_refuse(self, dcid: int, reason: str) -> None:
        """MTA-STS testing: delivered as before; what enforce would have refused."""
        self.info(f"DCID {dcid} {reason}")

    def mx_refused(self, domain: str, host: str, decided_by: str, reason: str) -> None:
        """No connection to `host` at all: the requirement cannot be met there."""
        self.info(f"TLS policy by {decided_by} refuses MX {host} for {domain}: {reason}")

    def dns_lookup_failure(self, domain: str, host: str, reason: str) -> None:
        """A TLSA answer that is bogus or could not be had: deferred, not a TLS failure."""
        self.info(f"DNS lookup failure for MX {host} of {domain}: {reason}")

    def tls_required_no(self, mid: int, domain: str) -> None:
        self.info(f"MID {mid} TLS-Required: No: DANE and MTA-STS not applied for {domain}")

    def mid_requiretls(self, mid: int, icid: int) -> None:
        """Inbound: the sender asked for REQUIRETLS (RFC 8689) on MAIL FROM."""
        self.info(f"MID {mid} ICID {icid} REQUIRETLS requested")

    # -- the queue -------------------------------------------------------------
    def queued(self, mid: int, why: str, sender: str, recipients: list[str]) -> None:
        """A message the appliance made itself (a bounce, an alert, a TLS report) is
        spooled: why, and its envelope as a received one's (ICID 0: no connection), so
        findevent finds it by its origin's MID, its sender or its recipient."""
        self.info(f"MID {mid} was generated for {why}")
        self.info(f"MID {mid} ICID 0 From: {addr(sender)}")
        for rid, rcpt in enumerate(recipients):
            self.info(f"MID {mid} ICID 0 RID {rid} To: {addr(rcpt)}")
        self.info(f"MID {mid} queued for delivery")

    def deleted(self, mid: int, rid: int) -> None:
        """deleterecipients (engine/queue/requests.py)."""
        self.info(f"MID {mid} RID [{rid}] deleted by administrator")

    def redirected(self, mid: int, rid: int, host: str) -> None:
        self.info(f"MID {mid} RID [{rid}] redirected to {host} by administrator")

    def bounce_not_spooled(self, mid: int, error: BaseException) -> None:
        self.warning(f"MID {mid} bounce message not spooled: {error}")

    def queue_trouble(self, error: BaseException) -> None:
        """The disk or the database failed one tick; the next tick tries again."""
        self.warning(f"Queue manager: {error}")

    def queue_error(self, error: BaseException) -> None:
        self.critical(f"Queue manager error: {type(error).__name__}: {error}")

    # -- TLS statistics (engine/tlsstats/) ---------------------------------
    def tls_downgrade(self, kind: str, conn_id: int, word: str, domain: str, changes: str) -> None:
        """A partner's TLS got weaker: `kind` ICID or DCID, `word` from (in) or to (out)."""
        self.warning(f"{kind} {conn_id} TLS downgrade {word} {domain}: {changes}")


def _rids(rids: list[int]) -> str:
    return "[" + ", ".join(str(r) for r in rids) + "]"


def _dcid(dcid: int | None) -> str:
    # A failure before any connection (DNS, no route) has no DCID; the appliance prints 0.
    return str(dcid) if dcid is not None else "0"
