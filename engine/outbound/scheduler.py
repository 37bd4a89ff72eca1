"""Retry timing, queue lifetime, recipient rate windows and bounce messages (DSN).

Time comes from a `Clock`, so tests move it forward instead of waiting. Every
function here is pure apart from `SystemClock`.
"""

from __future__ import annotations

import email.charset
import email.utils
import time
from collections import deque
from dataclasses import dataclass
from email.message import EmailMessage, Message
from email.mime.base import MIMEBase
from email.mime.multipart import MIMEMultipart
from email.mime.text import MIMEText
from typing import Protocol

from state import numbers
from state.controls import escape_controls
from state.model import DeliverySettings


class Clock(Protocol):
    def now(self) -> float: ...


class SystemClock:
    def now(self) -> float:
        return time.time()


def retry_delay(attempts: int, settings: DeliverySettings) -> float:
    """Seconds to wait after the `attempts`-th failure (1, 2, ...): doubling, capped."""
    exponent = max(0, attempts - 1)
    delay = settings.initial_retry_seconds * (2 ** min(exponent, 32))
    return float(min(delay, settings.max_retry_seconds))


def expired(arrived: float, now: float, settings: DeliverySettings) -> bool:
    return now - arrived >= settings.queue_lifetime_hours * 3600


class RateWindow:
    """Recipients sent per domain in the last `minutes` (destconfig recipient limit)."""

    def __init__(self) -> None:
        self._sent: dict[str, deque[tuple[float, int]]] = {}

    def allowed(
        self, domain: str, limit: int | None, minutes: int | None, now: float
    ) -> int | None:
        """How many more recipients may go now; None when there is no limit."""
        if not limit or not minutes:
            return None
        window = self._sent.setdefault(domain, deque())
        while window and window[0][0] <= now - minutes * 60:
            window.popleft()
        return max(0, limit - sum(count for _, count in window))

    def record(self, domain: str, count: int, now: float) -> None:
        self._sent.setdefault(domain, deque()).append((now, count))


@dataclass(frozen=True)
class Failure:
    address: str
    status: str  # e.g. "5.1.0"
    diagnostic: str  # e.g. "smtp; 550 5.1.1 No such user"


def printable(text: str) -> str:
    """`text` as a bounce may show it: control characters (and anything not ASCII)
    escaped, so an address left by an older version cannot break a header line."""
    if text.isascii() and text.isprintable():
        return text
    return text.encode("unicode_escape").decode("ascii")


_UTF8_QP = email.charset.Charset("utf-8")
_UTF8_QP.body_encoding = email.charset.QP

DIAGNOSTIC_MAX = 900  # characters of a reason a bounce quotes: its lines stay within 998


def _diagnostic(text: str) -> str:
    """A remote reply as a bounce shows it: one line (a multi-line reply's breaks, and every
    other control character the server sent, escaped as mail_logs has them), so it can
    neither break the Diagnostic-Code field nor reach the sender's screen raw; a long one
    cut (mail_logs keeps it whole)."""
    shown = escape_controls(text)
    return shown if len(shown) <= DIAGNOSTIC_MAX else shown[: DIAGNOSTIC_MAX - 3] + "..."


def _headers_of(content: bytes) -> bytes:
    end = content.find(b"\r\n\r\n")
    if end < 0:
        end = content.find(b"\n\n")
    return content if end < 0 else content[: end + 2]


def _original_headers(original: bytes) -> MIMEBase:
    """The bounced message's header as the report's last part. Headers with 8-bit text
    (it came under 8BITMIME) go quoted-printable in UTF-8: the bounce may go to a server
    that takes 7-bit only, and the report must be made whatever the header holds."""
    text = _headers_of(original).decode("utf-8", "replace")
    part = MIMEBase("text", "rfc822-headers")
    part.set_payload(text, charset=None if text.isascii() else _UTF8_QP)
    return part


def _block(fields: list[tuple[str, str]]) -> Message:
    block = Message()
    for name, value in fields:
        block[name] = value
    return block


def build_dsn(
    hostname: str, sender: str, failures: list[Failure], original: bytes, arrived: float,
    now: float, mid: int,
) -> bytes:
    """An RFC 3464 multipart/report (report-type=delivery-status) to the envelope sender."""
    report = MIMEMultipart("report", report_type="delivery-status")
    report["From"] = f"Mail Delivery System <MAILER-DAEMON@{hostname}>"
    report["To"] = sender
    report["Subject"] = "Delivery Status Notification (Failure)"
    report["Date"] = email.utils.formatdate(now, localtime=True)
    report["Message-ID"] = email.utils.make_msgid("dsn", domain=hostname)
    report["Auto-Submitted"] = "auto-replied"
    lines = [f"This is the mail system at host {hostname}.", "",
             "Your message could not be delivered to the following recipients:", ""]
    lines += [f"  <{printable(f.address)}>: {_diagnostic(f.diagnostic)}" for f in failures]
    report.attach(MIMEText("\n".join(lines) + "\n", "plain"))
    status = MIMEBase("message", "delivery-status")
    # message/delivery-status is a series of header blocks: one per message, one per recipient.
    blocks: list[Message | str] = [
        _block([("Reporting-MTA", f"dns; {hostname}"), ("X-Esacli-MID", str(mid)),
                ("Arrival-Date", email.utils.formatdate(arrived, localtime=True))])
    ]
    blocks += [
        _block([("Final-Recipient", f"rfc822; {printable(f.address)}"), ("Action", "failed"),
                ("Status", f.status), ("Diagnostic-Code", _diagnostic(f.diagnostic))])
        for f in failures
    ]
    status.set_payload(blocks)
    report.attach(status)
    report.attach(_original_headers(original))
    return report.as_bytes()


def status_of(reason: str) -> str:
    """The enhanced status code at the start of a reason like "5.1.0 - ...", else 5.0.0."""
    head = reason.split(" ", 1)[0]
    parts = head.split(".")
    if len(parts) == 3 and all(numbers.is_digits(p) for p in parts):
        return "5." + ".".join(parts[1:]) if parts[0] == "4" else head
    return "5.0.0"


def alert_message(
    hostname: str, sender: str, recipients: list[str], subject: str, body: str, now: float
) -> bytes:
    msg = EmailMessage()
    msg["From"] = sender
    msg["To"] = ", ".join(recipients)
    msg["Subject"] = subject
    msg["Date"] = email.utils.formatdate(now, localtime=True)
    msg["Message-ID"] = email.utils.make_msgid("alert", domain=hostname)
    msg.set_content(body)
    return msg.as_bytes()
