"""Every text the DNS-published TLS policies write: DANE, MTA-STS, REQUIRETLS and TLS-RPT
reasons (deferrals, bounces, mail_logs lines) and the wording of the TLS-RPT report mail.

Kept in one place so the wording is easy to correct and never written twice. Texts with
fields are `str.format` templates; every field is named.
"""

from __future__ import annotations

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

# -- MTA-STS (RFC 8461) -----------------------------------------------------------
STS_MX_MISMATCH = "MTA-STS policy of {domain} (enforce) does not list MX {host}"
STS_TESTING_WOULD_REFUSE = "MTA-STS policy of {domain} (testing) would refuse: {reason}"
STS_FETCH_FAILED = "MTA-STS policy fetch from {url} failed: {reason}"
STS_HTTP_STATUS = "HTTP status {status}"
STS_REDIRECT = "HTTP redirect to {location} refused"
STS_TOO_LARGE = "policy larger than {limit} bytes"
STS_CONTENT_TYPE = "media type {media} is not text/plain"
STS_TIMEOUT = "timeout"
STS_NO_ADDRESS = "no address for {host}: {reason}"
STS_INVALID = "invalid MTA-STS policy: {reason}"
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
TLS_REQUIRED_BY = "TLS required by {mechanism} could not be negotiated: {reason}"

# -- REQUIRETLS (RFC 8689) ------------------------------------------------------------
REQUIRETLS_NO_POLICY = (
    "5.7.10 REQUIRETLS: {host} is authenticated neither by DANE nor by an MTA-STS enforce policy"
)
REQUIRETLS_NO_TLS = "5.7.10 REQUIRETLS: no verified TLS to {host}: {reason}"
REQUIRETLS_NOT_ADVERTISED = "5.7.30 REQUIRETLS support required: {host} does not advertise REQUIRETLS"

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
