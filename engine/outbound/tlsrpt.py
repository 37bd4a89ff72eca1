"""TLS-RPT (RFC 8460): the `_smtp._tls` record, the result types, and what one delivery
attempt contributes to the daily report (pure).

`session_result` turns the requirement, the verdict and the connection's facts into the
`SessionResult` the recorder (tlsrpt_store.py) counts, or None when nothing is to be
counted: a TLS report of ours (reports are never reported about, §5.3), a DNS lookup
failure (not a TLS failure, and nothing the receiving domain can fix), or a delivery
that never tried TLS because the destination control says No. Under an MTA-STS testing
policy, the session counts as the failure enforce would have seen (`would_refuse`).
"""

from __future__ import annotations

import re
import urllib.parse
from dataclasses import dataclass

from engine.outbound.dnssec import SecureLookups
from engine.outbound.precedence import Action, Requirement
from engine.outbound.verdict import Verdict

RESULT_TYPES = (
    "starttls-not-supported", "certificate-host-mismatch", "certificate-expired",
    "certificate-not-trusted", "validation-failure", "tlsa-invalid", "dnssec-invalid",
    "dane-required", "sts-policy-fetch-error", "sts-policy-invalid", "sts-webpki-invalid",
)
POLICY_TYPES = ("tlsa", "sts", "no-policy-found")
MAX_REASON = 200


@dataclass(frozen=True)
class Rua:
    mailto: tuple[str, ...]
    https: tuple[str, ...]


def parse_record(strings: list[str]) -> Rua | None:
    """§3: exactly one `v=TLSRPTv1` record with a `rua` of mailto: and https: URIs."""
    records = [s for s in strings if re.match(r"^v[ \t]*=[ \t]*TLSRPTv1[ \t]*(;|$)", s)]
    if len(records) != 1:
        return None
    fields: dict[str, str] = {}
    for part in records[0].split(";"):
        key, sep, value = part.partition("=")
        if sep:
            fields.setdefault(key.strip().lower(), value.strip())
    mailto: list[str] = []
    https: list[str] = []
    for uri in (u.strip() for u in fields.get("rua", "").split(",")):
        scheme, _, rest = uri.partition(":")
        if scheme.lower() == "mailto" and rest:
            address = urllib.parse.unquote(rest.split("?", 1)[0])
            if re.fullmatch(r"[^@\s<>,;\"]+@[^@\s<>,;\"]+", address):
                mailto.append(address)
        elif scheme.lower() == "https" and rest.startswith("//"):
            https.append(uri)
    return Rua(tuple(mailto), tuple(https)) if mailto or https else None


async def lookup_rua(lookups: SecureLookups, domain: str) -> Rua | None:
    answer = await lookups.lookup(f"_smtp._tls.{domain.strip().lower().rstrip('.')}", "TXT")
    strings = [b"".join(r.strings).decode("ascii", "replace") for r in answer.records]
    return parse_record(strings) if answer.exists else None


@dataclass(frozen=True)
class SessionResult:
    """One attempt, as the report counts it: `result_type` "" for a successful TLS session."""

    policy_domain: str
    policy_type: str
    policy_string: tuple[str, ...] = ()
    mx_patterns: tuple[str, ...] = ()  # the MTA-STS policy's mx lines ("mx-host")
    result_type: str = ""
    sending_ip: str = ""
    receiving_mx: str = ""
    receiving_helo: str = ""
    receiving_ip: str = ""
    reason: str = ""  # failure-reason-code

    @property
    def success(self) -> bool:
        return not self.result_type


@dataclass(frozen=True)
class Where:
    """The connection's ends (what failure-details names)."""

    sending_ip: str = ""
    receiving_ip: str = ""
    receiving_helo: str = ""


def session_result(
    req: Requirement, verdict: Verdict, would: Verdict | None, where: Where,
    policy_string: tuple[str, ...] = (), mx_patterns: tuple[str, ...] = (),
) -> SessionResult | None:
    if req.report_mail:
        return None
    failed = would if would is not None else verdict
    counted = verdict.tried_tls or bool(failed.result_type)
    if not counted or (
        req.refuse is not None and req.refuse.dns_problem and not failed.result_type
    ):
        return None
    ok = verdict.action is Action.TLS and would is None
    return SessionResult(
        policy_domain=req.domain,
        policy_type=req.policy_type,
        policy_string=policy_string,
        mx_patterns=mx_patterns,
        result_type="" if ok else failed.result_type or "validation-failure",
        sending_ip=where.sending_ip,
        receiving_mx=req.mx_host,
        receiving_helo=where.receiving_helo,
        receiving_ip=where.receiving_ip,
        reason="" if ok else failed.reason[:MAX_REASON],
    )


def fetch_failure(domain: str, result_type: str, reason: str) -> SessionResult:
    """A session that had no MTA-STS policy because fetching it failed (sts-policy-*)."""
    return SessionResult(policy_domain=domain, policy_type="sts", result_type=result_type,
                         reason=reason[:MAX_REASON])
