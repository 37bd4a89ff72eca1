"""The daily TLS-RPT aggregate report (RFC 8460 §4): its JSON, gzip, the
`application/tlsrpt+gzip` mail for `rua=mailto:` (§5.3) and the POST for `rua=https:`
(§5.4), and `Reporter.send_due`, which sends every report that is due.

One report per reporting domain and UTC day, covering 00:00:00 to 23:59:59. Policies
are grouped by (type, policy string, MX patterns); each has its session summary and, per
kind of failure, one failure-details entry with its count. Optional fields with nothing
to say are left out rather than sent empty.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import email.utils
import gzip
import json
import ssl
import urllib.parse
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from email.mime.application import MIMEApplication
from email.mime.multipart import MIMEMultipart
from email.mime.text import MIMEText
from typing import Any

import httpx

from engine.outbound import reasons, webclient
from engine.outbound.dnssec import SecureLookups
from engine.outbound.mtasts import HTTPS_PORT, Addresses, web_target
from engine.outbound.tlsrpt import lookup_rua
from engine.outbound.tlsrpt_store import Counted, ReportStore, Schedule, day_start
from state.model import TlsRptSettings

MEDIA_TYPE = "application/tlsrpt+gzip"
POST_TIMEOUT = 30.0


def _iso(when: float) -> str:
    return dt.datetime.fromtimestamp(when, dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def report_id(day: str, domain: str, submitter: str) -> str:
    return f"{_iso(day_start(day))}_{domain}@{submitter}"


def build(settings: TlsRptSettings, submitter: str, domain: str, day: str,
          counted: list[Counted]) -> dict[str, Any]:
    start = day_start(day)
    groups: dict[tuple[str, tuple[str, ...], tuple[str, ...]], list[Counted]] = {}
    for c in counted:
        key = (c.result.policy_type, c.result.policy_string, c.result.mx_patterns)
        groups.setdefault(key, []).append(c)
    return {
        "organization-name": settings.organization,
        "date-range": {"start-datetime": _iso(start), "end-datetime": _iso(start + 86399)},
        "contact-info": settings.contact,
        "report-id": report_id(day, domain, submitter),
        "policies": [_policy(domain, key, rows) for key, rows in sorted(groups.items())],
    }


def _policy(domain: str, key: tuple[str, tuple[str, ...], tuple[str, ...]],
            rows: list[Counted]) -> dict[str, Any]:
    policy_type, policy_string, mx = key
    policy: dict[str, Any] = {"policy-type": policy_type, "policy-domain": domain}
    if policy_string:
        policy["policy-string"] = list(policy_string)
    if mx:
        policy["mx-host"] = list(mx)
    ok = sum(c.count for c in rows if c.result.success)
    failed = [c for c in rows if not c.result.success]
    entry: dict[str, Any] = {
        "policy": policy,
        "summary": {"total-successful-session-count": ok,
                    "total-failure-session-count": sum(c.count for c in failed)},
    }
    if failed:
        entry["failure-details"] = [_failure(c) for c in failed]
    return entry


def _failure(c: Counted) -> dict[str, Any]:
    r = c.result
    detail: dict[str, Any] = {"result-type": r.result_type}
    for name, value in (("sending-mta-ip", r.sending_ip), ("receiving-mx-hostname", r.receiving_mx),
                        ("receiving-mx-helo", r.receiving_helo), ("receiving-ip", r.receiving_ip)):
        if value:
            detail[name] = value
    detail["failed-session-count"] = c.count
    if r.reason:
        detail["failure-reason-code"] = r.reason
    return detail


def gzipped(report: dict[str, Any]) -> bytes:
    body = json.dumps(report, separators=(",", ":"), ensure_ascii=True).encode()
    return gzip.compress(body, mtime=0)


def filename(submitter: str, domain: str, day: str) -> str:
    """§5.1: submitter!policy-domain!begin-timestamp!end-timestamp.json.gz"""
    start = int(day_start(day))
    return f"{submitter}!{domain}!{start}!{start + 86399}.json.gz"


def mail(settings: TlsRptSettings, submitter: str, domain: str, day: str, body: bytes,
         to: list[str], now: float) -> bytes:
    """The report as a multipart/report mail (§5.3) from the configured sender."""
    ident = report_id(day, domain, submitter)
    message = MIMEMultipart("report", report_type="tlsrpt")
    message["From"] = settings.sender
    message["To"] = ", ".join(to)
    message["Subject"] = reasons.REPORT_SUBJECT.format(
        domain=domain, submitter=submitter, report_id=ident)
    message["Date"] = email.utils.formatdate(now)
    message["Message-ID"] = email.utils.make_msgid("tlsrpt", domain=submitter)
    message["TLS-Report-Domain"] = domain
    message["TLS-Report-Submitter"] = submitter
    message["Auto-Submitted"] = "auto-generated"
    start = day_start(day)
    message.attach(MIMEText(reasons.REPORT_TEXT.format(
        organization=settings.organization, submitter=submitter, domain=domain,
        start=_iso(start), end=_iso(start + 86399)), "plain", "us-ascii"))
    attachment = MIMEApplication(body, "tlsrpt+gzip")
    attachment.add_header("Content-Disposition", "attachment",
                          filename=filename(submitter, domain, day))
    message.attach(attachment)
    return message.as_bytes()


def is_report_mail(content: bytes) -> bool:
    """A mail that is one of our TLS reports (its TLS sessions are never reported)."""
    head = content.split(b"\r\n\r\n", 1)[0].split(b"\n\n", 1)[0].lower()
    return b"\ntls-report-domain:" in b"\n" + head and b'report-type="tlsrpt"' in head


async def post(url: str, body: bytes, ctx: ssl.SSLContext, addresses: Addresses,
               timeout: float = POST_TIMEOUT) -> str:
    """POST the gzipped report (§5.4) to each address of the URL's host until one takes it:
    "" on a 2xx answer, else why not. The host is found with our own resolver. Each
    address has `timeout` for all of it: httpx's bounds one read only, so an endpoint
    answering a byte at a time would otherwise hold the post as long as it liked."""
    parts = urllib.parse.urlsplit(url)
    host, port = (parts.hostname or "").lower(), parts.port or HTTPS_PORT
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    ips, why = await addresses(host)
    if not ips:
        return why or reasons.NO_ADDRESS.format(host=host)
    async with webclient.client(ctx, timeout) as client:
        for ip in ips:
            target = web_target(host, ip, port, path)
            try:
                async with asyncio.timeout(timeout):
                    response = await client.post(
                        target.url, content=body, extensions=target.extensions,
                        headers={**target.headers, "Content-Type": MEDIA_TYPE})
            except TimeoutError:
                why = reasons.STS_TIMEOUT
                continue
            except httpx.HTTPError as exc:
                why = str(exc) or type(exc).__name__
                continue
            if 200 <= response.status_code < 300:
                return ""
            why = reasons.STS_HTTP_STATUS.format(status=response.status_code)
    return why


Submit = Callable[[str, list[str], bytes], Awaitable[None]]  # sender, recipients, mail


@dataclass
class Reporter:
    """Sends the reports that are due; `submit` queues a mail like any other."""

    store: ReportStore
    schedule: Schedule
    lookups: SecureLookups
    ctx: ssl.SSLContext  # verifies https report endpoints (as for MTA-STS)
    submit: Submit
    addresses: Addresses  # the resolver's A/AAAA lookup, for https report hosts

    async def send_due(self, settings: TlsRptSettings, submitter: str, now: float
                       ) -> list[tuple[str, str, str]]:
        """Every report due at `now`: (day, domain, outcome) for each domain handled."""
        if not settings.enabled:
            return []
        done: list[tuple[str, str, str]] = []
        for day in await asyncio.to_thread(self.schedule.due, now):
            for domain in await asyncio.to_thread(self.store.domains, day):
                outcome = await self._send(settings, submitter, day, domain, now)
                done.append((day, domain, outcome))
            if not await asyncio.to_thread(self.store.domains, day):
                await asyncio.to_thread(self.store.forget, day)
        return done

    async def _send(self, settings: TlsRptSettings, submitter: str, day: str, domain: str,
                    now: float) -> str:
        ident = report_id(day, domain, submitter)
        rua = await lookup_rua(self.lookups, domain)
        if rua is None:
            await asyncio.to_thread(self.store.reported, day, domain, ident, reasons.REPORT_NO_RUA)
            return reasons.REPORT_NO_RUA
        counted = await asyncio.to_thread(self.store.sessions, day, domain)
        body = gzipped(build(settings, submitter, domain, day, counted))
        outcomes: list[str] = []
        if rua.mailto:
            to = list(rua.mailto)
            await self.submit(
                settings.sender, to, mail(settings, submitter, domain, day, body, to, now)
            )
            outcomes.append(reasons.REPORT_MAILED)
        for url in rua.https:
            why = await post(url, body, self.ctx, self.addresses)
            outcomes.append(reasons.REPORT_POST_FAILED.format(domain=domain, url=url, reason=why)
                            if why else reasons.REPORT_POSTED)
        outcome = "; ".join(outcomes)
        await asyncio.to_thread(self.store.reported, day, domain, ident, outcome)
        return outcome
