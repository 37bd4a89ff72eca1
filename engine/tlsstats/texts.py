"""Every text engine/tlsstats writes: downgrade lines and alerts, the dry run's warning,
the report's column labels and definitions (report.COLUMNS reads them), readiness notes.

Kept in one place so the wording is easy to correct and never written twice. Texts with
fields are `str.format` templates; every field is named.
"""

from __future__ import annotations

# -- downgrades (downgrade.py) ---------------------------------------------------------
# mail_logs: "DCID 7 TLS downgrade to partner.example: ..." (engine/maillog.py writes it)
DOWNGRADE_NO_TLS = "no TLS (it used TLS before)"
DOWNGRADE_UNVERIFIED = "certificate not verified (it verified before)"
DOWNGRADE_VERSION = "{version} (it used {best} before)"
DOWNGRADE_JOIN = "; "
DIRECTION_WORDS = {"in": "from", "out": "to"}  # "TLS downgrade from|to <domain>"
DIRECTION_NAMES = {"in": "inbound", "out": "outbound"}
ALERT_SUBJECT = "Warning <System> {hostname}: TLS downgrade {word} {domain}"
ALERT_BODY = (
    "The Warning message is:\n\n"
    "TLS with {domain} ({direction}) is weaker than before: {changes}.\n"
    "Seen on {conn}: {peer}. It was at its best on {best_time}.\n"
    "Nothing was changed: mail is handled as the configuration says. Further downgrades"
    " for {domain} are logged in mail_logs; the next alert comes an hour after this one"
    " at the earliest.\n\n"
    "Version: esacli\nHostname: {hostname}\n"
)

# -- the dry run (dryrun.py) -------------------------------------------------------------
# partner.example: Required - Verify would have deferred 3 of 120 deliveries in the last
# 7 days: certificate-host-mismatch (mx2.partner.example)
DRYRUN_WARNING = (
    "{name}: {level} would have {verb} {failed} of {total} {things} in the last {period}"
)
DRYRUN_REASON = "{result_type} ({peers})"
DRYRUN_REASONS_JOIN = ", "
DRYRUN_UNKNOWN = "; {unknown} could not be judged ({why})"
DRYRUN_UNKNOWN_OUT = "TLS was not tried"
DRYRUN_UNKNOWN_IN = "no client certificate was asked for"
DRYRUN_NOTHING = "{name}: {level}: no {things} recorded in the last {period}"
DRYRUN_FINE = "{name}: {level} would have {verb} none of {total} {things} in the last {period}"
VERBS = {"defer": "deferred", "bounce": "bounced", "refuse": "refused"}
THINGS = {"out": "deliveries", "in": "connections"}
GROUP_NAME = "{listener} sender group {group}"
DEFAULT_POLICY_NAME = "{listener} default policy"
# inbound: clients a change moves into a group (placed by what the statistics record)
DRYRUN_MOVED = "; {moved} of them matched {groups} before"
NO_GROUP = "no sender group"
DRYRUN_NONE_KNOWN = (
    "{name}: {level}: none of the {things} in the last {period} is known to match it"
)
DRYRUN_UNPLACED = (
    "; it may take {unplaced} of the {things} recorded, which cannot be judged: the TLS"
    " statistics do not record {facts}"
)
LACKING = {"ptr": "PTR names", "dnslist": "DNS list results",
           "address": "the addresses of clients counted by name"}
LACKING_JOIN = " or "
# outbound: certificate authorities the change stops trusting
# partner.example: Required - Verify: 3 of 3 deliveries in the last 7 days had a
# certificate that verified; those that chained to Partner CA, which the change no longer
# trusts, would be deferred (certificate-not-trusted)
TRUST = (
    "{name}: {level}: {verified} of {total} {things} in the last {period} had a certificate"
    " that verified; {cause}"
)
TRUST_MAY = (
    "those that chained to {cas}, which the change no longer trusts, would be {verb}"
    " (certificate-not-trusted)"
)
TRUST_NONE_LEFT = (
    "the change leaves no certificate authority trusted ({cas} no longer): they would be"
    " {verb} (certificate-not-trusted)"
)
SYSTEM_CAS = "the system certificate authorities"
CAS_JOIN = ", "

# -- the TLS connections report (report.py): label, then what it counts ----------------
COLUMN_TEXTS: dict[str, tuple[str, str]] = {
    "domain": (
        "Domain",
        ("Outbound: the recipient domain. Inbound: the registered domain of the client's"
        " verified certificate name, else of its forward-confirmed PTR name (looked up"
        " when a HAT row names hosts), else the client's address in brackets."),
    ),
    "connections": (
        "Connections",
        ("Every connection counted: inbound, each connection a sender group accepted (an"
        " ICID that got a banner); outbound, each delivery attempt that reached the SMTP"
        " greeting (a DCID). Connections that failed before (refused, timed out) are not."),
    ),
    "required_success": (
        "Required TLS: successful",
        ("Connections whose TLS setting was Required or Required - Verify and that ran over"
        " TLS (for Required - Verify, with a certificate that verified)."),
    ),
    "required_failed": (
        "Required TLS: failed",
        ("Connections whose TLS setting was Required or Required - Verify and that did not"
        " meet it: no STARTTLS, a failed handshake, or (Verify) a certificate that did not"
        " verify. Outbound these deliveries were deferred or bounced; inbound the client"
        " got 530 or its handshake failed."),
    ),
    "preferred_success": (
        "Preferred TLS: successful",
        ("Connections whose TLS setting was Preferred or Preferred - Verify that ran over"
        " TLS, verified or not."),
    ),
    "preferred_failed": (
        "Preferred TLS: failed",
        ("Connections whose TLS setting was Preferred or Preferred - Verify on which"
        " STARTTLS was issued and TLS did not come up (refused, or the handshake failed)."),
    ),
    "tls_attempted": (
        "TLS attempted",
        ("Connections on which STARTTLS was issued (outbound by us, inbound by the client),"
        " whatever came of it, at any TLS setting."),
    ),
    "unencrypted": (
        "Unencrypted",
        ("Every connection that carried no TLS session, at any TLS setting (the sum of the"
        " next two). Unlike the appliance's own report, not only Preferred fallbacks."),
    ),
    "clear_not_attempted": (
        "Unencrypted: no STARTTLS",
        ("Connections without TLS on which STARTTLS was never issued: the other side did"
        " not offer it (outbound) or did not attempt it (inbound), or the TLS setting is"
        " No (never tried, never offered)."),
    ),
    "clear_fell_back": (
        "Unencrypted: fell back",
        ("Connections without TLS on which STARTTLS was issued and failed (refused, or the"
        " handshake broke)."),
    ),
    "tls_percent": (
        "% with TLS",
        "Connections that ran over TLS, as a percentage of all connections counted.",
    ),
    "encrypted_messages": (
        "Encrypted messages",
        "Messages received (inbound) or delivered (outbound) over TLS.",
    ),
    "clear_messages": (
        "Clear messages",
        "Messages received or delivered without TLS.",
    ),
    "verified": (
        "Verified",
        ("TLS connections whose certificate verified: outbound, the server's chain led to an"
        " enabled certificate authority and named the domain or the MX (checked for the"
        " record where the TLS setting did not); inbound, the client sent a certificate"
        " that verified (asked for by the Verify settings only)."),
    ),
    "not_verified": (
        "Not verified",
        ("TLS connections whose certificate did not verify or was not checked (inbound: not"
        " asked for)."),
    ),
    "versions": (
        "Protocol versions",
        "The TLS versions of the TLS connections, each with how many used it.",
    ),
}

# -- time ranges ---------------------------------------------------------------------
PERIODS = {"hour": "hour", "day": "day", "week": "7 days", "month": "30 days"}
CUSTOM_PERIOD = "{start} - {end}"

# -- trace (engine/trace.py) -----------------------------------------------------------
DNS_TIMEOUT = "DNS lookup timed out"
DNS_POLICY_SKIPPED = "DANE and MTA-STS not looked up"
