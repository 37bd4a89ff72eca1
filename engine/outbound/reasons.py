"""Every reason text outbound delivery writes: why a recipient was deferred, bounced or
dropped (the queue's and the client's own reasons, in the appliance's form), the reasons
of the DNS-published TLS policies (DANE, MTA-STS, REQUIRETLS, TLS-RPT: deferrals, bounces,
mail_logs lines) and the wording of the TLS-RPT report mail.

Kept in one place so the wording is easy to correct and never written twice. Texts with
fields are `str.format` templates; every field is named.
"""

from __future__ import annotations

from dataclasses import dataclass


# -- delivery results ---------------------------------------------------------------
@dataclass(frozen=True)
class Reason:
    """A deferral or bounce reason in the appliance's form, which mail_logs' Delayed: and
    Bounced: lines and a bounce's Diagnostic-Code show: "<status> - <text> ('<code>',
    ['<detail>'])", `code` being the remote reply's code, 000 when the reason is ours."""

    status: str  # the enhanced status code (RFC 3463)
    text: str

    def __call__(self, detail: object, code: object = "000") -> str:
        return f"{self.status} - {self.text} ('{code}', ['{detail}'])"


EXPIRED = Reason("5.4.7", "Delivery expired (message too old)")
QUEUE_LIFETIME = "queue lifetime exceeded"
BAD_DESTINATION = Reason("5.1.2", "Bad destination host")
ROUTE_FAILURE = Reason("4.4.0", "DNS or route failure")
ROUTE_DEVNULL = "route /dev/null"
CONNECTION_FAILED = Reason("4.4.1", "Connection failed")
NO_MX_REACHABLE = "4.4.1 - no mail exchanger reachable"
CONNECTION_LOST = Reason("4.4.2", "Connection lost")  # the connection is not used again
CONTENT_UNREADABLE = Reason("4.3.0", "Message content unreadable")
INTERNAL_ERROR = Reason("4.3.0", "Internal error")
TLS_REQUIRED_FAILED = Reason("4.7.5", "TLS required")
TLS_REQUIRED_BOUNCED = Reason("5.7.5", "TLS required")  # the control's TLS failure: bounce
TLS_FAILED = Reason("4.7.5", "TLS failed")
# A TLSA answer that is bogus or could not be had: a lookup failure, retried (never TLS's).
DNS_LOOKUP_FAILURE = Reason("4.4.3", "DNS lookup failure")
CHAIN_NOT_VERIFIED = "certificate does not verify"
REMOTE_REFUSED = Reason("5.1.0", "Unknown address error")  # a 5xx to RCPT or DATA
REMOTE_DEFERRED = Reason("4.0.0", "Temporary error")  # a 4xx
# Larger than the SIZE the server's EHLO gave (RFC 1870 §6): not sent at all.
TOO_BIG = Reason("5.3.4", "Message too big for destination")
TOO_BIG_DETAIL = "{size} bytes, the server takes at most {limit}"
# What cannot go on a MAIL or RCPT command as it is (RFC 3463: 5.1.7, 5.1.3).
BAD_SENDER = Reason("5.1.7", "Bad sender address syntax")
BAD_RECIPIENT = Reason("5.1.3", "Bad destination mailbox address syntax")
ADDRESS_CONTROL = "address contains a control character"
ADDRESS_NOT_ASCII = "address is not ASCII (SMTPUTF8 is not supported)"
ADDRESS_UNSENDABLE = "address cannot be sent as it is"

# -- DANE (RFC 7672) ------------------------------------------------------------
DANE_MISMATCH = "no TLSA record matches the certificate chain"
DANE_TA_BROKEN_CHAIN = "the chain does not lead to the DANE-TA trust anchor"
DANE_EXPIRED = "a certificate below the DANE-TA trust anchor is expired or not yet valid"
DANE_BAD_CHAIN = "the peer's certificate chain cannot be read"
DANE_NO_CHAIN = "the peer sent no certificate"
DANE_BOGUS = "DNSSEC validation of the TLSA records of {host} failed (bogus): {reason}"
DANE_LOOKUP_FAILED = "TLSA lookup for {host} failed: {reason}"
DANE_REQUIRED = "DANE is mandatory but {host} has no DNSSEC-validated TLSA records"
DANE_INSECURE = "the MX or address records of {host} are not DNSSEC-validated"
DANE_UNUSABLE = "the TLSA records of {host} are all unusable: encryption without authentication"

# -- DNSSEC -----------------------------------------------------------------------
DNSSEC_BOGUS = "DNSSEC bogus ({reason})"
DNSSEC_NO_VALIDATION = "answer does not validate"
DNSSEC_EDE = "EDE {code}"
# A reply came but could not be read: never called a timeout (it is not one).
DNS_MALFORMED = "malformed reply ({detail})"

# -- MTA-STS (RFC 8461) -----------------------------------------------------------
STS_MX_MISMATCH = "MTA-STS policy of {domain} (enforce) does not list MX {host}"
STS_TESTING_WOULD_REFUSE = "MTA-STS policy of {domain} (testing) would refuse: {reason}"
STS_FETCH_FAILED = "MTA-STS policy fetch from {url} failed: {reason}"
STS_HTTP_STATUS = "HTTP status {status}"
STS_REDIRECT = "HTTP redirect to {location} refused"
STS_TOO_LARGE = "policy larger than {limit} bytes"
STS_CONTENT_TYPE = "media type {media} is not text/plain"
STS_TIMEOUT = "timeout"
STS_INVALID = "invalid MTA-STS policy: {reason}"
STS_NO_RECORD = ('{name} has no valid MTA-STS record (RFC 8461 §3.1: exactly one TXT record'
                 ' "v=STSv1; id=..."), so there is no policy to fetch')
STS_TXT_FAILED = "TXT lookup for {name} failed: {reason}"
STS_WEBPKI = "certificate of {host} does not verify: {reason}"
POLICY_NOT_FIELD = "line {line!r} is not 'key: value'"
POLICY_VERSION = "version is not STSv1"
POLICY_MODE = "unknown mode {mode!r}"
POLICY_MAX_AGE = "max_age {age!r} is not a number of seconds up to {limit}"
POLICY_NO_MX = "no mx pattern"
POLICY_BAD_MX = "an mx pattern is not a host name"

# -- the precedence rule and the TLS outcome ---------------------------------------
TLS_NOT_OFFERED = "STARTTLS command not supported"
TLS_OFF = "TLS is off for this destination"
TLS_NOT_VERIFIED = "certificate does not verify: {reason}"
TLS_UNTRUSTED = "untrusted chain"
NAME_MISMATCH = "certificate names ({presented}) match none of {names}"
TLS_REQUIRED_BY = "TLS required by {mechanism}"  # a Reason's text; DANE, MTA-STS


def tls_required_by(mechanism: str, bounce: bool) -> Reason:
    """The deferral (or, with the control's TLS failure setting, bounce) reason when the TLS
    that DANE or MTA-STS requires could not be had."""
    return Reason("5.7.5" if bounce else "4.7.5", TLS_REQUIRED_BY.format(mechanism=mechanism))


# What a delivery's requirement is, in its mail_logs line (precedence.describe).
POLICY_NONE = "no TLS"
POLICY_PREFERRED = "TLS preferred"
POLICY_REQUIRED = "TLS required"
POLICY_PKIX = "certificate verified for {names}"
POLICY_DANE = "chain matched against the TLSA records of {host}"
POLICY_LOGGED = "certificate checked for the log"
POLICY_TESTING = "MTA-STS policy of {domain} in testing mode"
POLICY_RELAXED = "DANE and MTA-STS set aside (TLS-Required: No)"
POLICY_REPORT = "DANE and MTA-STS set aside (a TLS report)"
POLICY_REQUIRETLS = "REQUIRETLS"
POLICY_REFUSED = "no delivery: {reason}"

# -- REQUIRETLS (RFC 8689) ------------------------------------------------------------
REQUIRETLS_NO_POLICY = (
    "5.7.10 REQUIRETLS: {host} is authenticated neither by DANE nor by an MTA-STS enforce policy"
)
REQUIRETLS_NO_TLS = "5.7.10 REQUIRETLS: no verified TLS to {host}: {reason}"
REQUIRETLS_NOT_ADVERTISED = (
    "5.7.30 REQUIRETLS support required: {host} does not advertise REQUIRETLS"
)

# -- TLS-RPT (RFC 8460) ------------------------------------------------------------------
REPORT_SUBJECT = "Report Domain: {domain} Submitter: {submitter} Report-ID: <{report_id}>"
REPORT_TEXT = (
    "This is an aggregate TLS report (RFC 8460) from {organization} about the TLS\r\n"
    "sessions its gateway {submitter} opened to mail servers of {domain} between\r\n"
    "{start} and {end}. The report is attached as application/tlsrpt+gzip.\r\n"
)
REPORT_POST_FAILED = "TLS report for {domain} to {url} failed: {reason}"
REPORT_NO_RUA = "no rua"  # the domain publishes no _smtp._tls record: nothing to send
REPORT_MAILED = "mailed"
REPORT_POSTED = "posted"
NO_ADDRESS = "{host}: no address"


def name_mismatch(san: tuple[str, ...], cn: str | None, wanted: tuple[str, ...]) -> str:
    """NAME_MISMATCH for a certificate's names (SAN, else CN) and the names wanted."""
    presented = ", ".join(san or ((cn,) if cn else ())) or "none"
    return NAME_MISMATCH.format(presented=presented, names=", ".join(wanted))


def unnamed(reason: str, name: str) -> str:
    """A resolver's reason ("<name>: null MX, ...") for a text that names `name` already."""
    return reason.removeprefix(f"{name}: ")
