"""Every SMTP reply text the engine sends, in one place.

Texts whose AsyncOS wording is uncertain live here too, so they are
easy to correct. The command grammar's own refusals (syntax, HELP, VRFY) keep the
words the engine's first SMTP library (aiosmtpd) gave them, which clients have met.
"""

from __future__ import annotations

import re

from state.controls import escape_controls
from state.model import Response

BANNER_IDENT = "ESMTP"
REJECT_BANNER = (
    "554 Your access to this mail system has been rejected due to the sending MTA's poor "
    "reputation. If you believe that this failure is in error, please contact the intended "
    "recipient via alternate means."
)
LISTENER_SUSPENDED = "421 4.3.2 {host} Service not available, closing transmission channel"
TOO_MANY_CONNECTIONS = "421 4.7.0 Too many concurrent connections, try again later"
TOO_MANY_FROM_IP = "421 4.7.0 Too many concurrent connections from your address"
TOO_MANY_MESSAGES = "421 4.7.0 Too many messages for this session"
TOO_MANY_RECIPIENTS = "452 4.5.3 Too many recipients"
# §4.7: code 452 [T]; the text is the reference's best guess [M].
RATE_LIMITED = "452 Too many recipients received this hour"
SIZE_EXCEEDED = "552 5.3.4 Message size exceeds fixed maximum message size"
HEADER_TOO_LARGE = "552 5.3.4 Header size exceeds fixed maximum size"
MUST_STARTTLS = "530 5.7.0 Must issue a STARTTLS command first"
STARTTLS_GO = "220 Go ahead with TLS"
STARTTLS_NOT_AVAILABLE = "502 5.5.1 STARTTLS not available"
UNKNOWN_COMMAND = "500 #5.5.1 command not recognized"
NOT_ASCII = "501 5.5.2 Syntax error: the command holds characters that are not ASCII"
TOO_MANY_UNKNOWN = "421 4.7.0 Too many unrecognized commands, closing connection"
RAT_REJECTED = "550 #5.1.0 Address rejected"
LOCAL_ERROR = "451 4.3.0 Local error in processing"
SPOOL_FAILED = "451 4.3.0 Message not accepted, please try again later"
# Control characters (or NUL) in an envelope address or a HELO name (Postfix's texts).
BAD_SENDER = "501 5.1.7 Bad sender address syntax"
BAD_RECIPIENT = "501 5.1.3 Bad recipient address syntax"
BAD_HELO = "501 5.5.2 Syntax: HELO/EHLO hostname"
# Refused after the final dot (engine/inbound/headers.py decides).
MESSAGE_LOOP = "554 5.4.6 Too many hops: message loop detected"
NUL_IN_MESSAGE = "554 5.6.0 Message contains NUL characters, not accepted"
LINE_TOO_LONG = "500 5.5.2 Line too long (see RFC 5321 4.5.3.1.6)"
# Connections closed by their deadline (engine/inbound/pacing.py); the injection
# timeout's text is the appliance's (AsyncOS's listener timeouts).
TIMEOUT = "421 4.4.2 Timeout exceeded, closing connection"
INJECTION_TIMEOUT = "421 Timed out waiting for successful message injection, disconnecting."
EVICTED = "421 4.4.2 Too many concurrent connections, closing the idlest one"


# REQUIRETLS (RFC 8689 §2): offered only over TLS; asked for in clear, or with a value.
REQUIRETLS_NEEDS_TLS = "530 5.7.10 REQUIRETLS needs a TLS session: issue STARTTLS first"
REQUIRETLS_SYNTAX = "501 5.5.4 REQUIRETLS takes no value"

# EHLO lines of the conversation's, among the grammar's (RFC 2920: read and answered in order).
PIPELINING = "250-PIPELINING"
REQUIRETLS = "250-REQUIRETLS"
OK = "250 OK"
BYE = "221 Bye"
START_DATA = "354 End data with <CR><LF>.<CR><LF>"

# The command grammar's refusals (engine/inbound/commands.py)
COMMAND_TOO_LONG = "500 Command line too long"
NOT_SECURE = "554 Command refused due to lack of security"  # after a refused TLS client
NEED_HELO = "503 Error: send HELO first"
NEED_MAIL = "503 Error: need MAIL command"
NEED_RCPT = "503 Error: need RCPT command"
NESTED_MAIL = "503 Error: nested MAIL command"
MALFORMED_ADDRESS = "553 5.1.3 Error: malformed address"
BAD_BODY = "501 Error: BODY can only be one of 7BIT, 8BITMIME"
SMTPUTF8_VALUE = "501 Error: SMTPUTF8 takes no arguments"
SMTPUTF8_DISABLED = "501 Error: SMTPUTF8 disabled"
MAIL_PARAMS_UNKNOWN = "555 MAIL FROM parameters not recognized or not implemented"
RCPT_PARAMS_UNKNOWN = "555 RCPT TO parameters not recognized or not implemented"
EXPN_NOT_IMPLEMENTED = "502 EXPN not implemented"
VRFY_CANNOT = "252 Cannot VRFY user, but will accept message and attempt delivery"

# HELP's commands and their syntax (and ESMTP's addition); a 501 says the syntax too
SYNTAX: dict[str, tuple[str, str]] = {
    "DATA": ("DATA", ""),
    "EHLO": ("EHLO hostname", ""),
    "HELO": ("HELO hostname", ""),
    "HELP": ("HELP [command]", ""),
    "MAIL": ("MAIL FROM: <address>", " [SP <mail-parameters>]"),
    "NOOP": ("NOOP [ignored]", ""),
    "QUIT": ("QUIT", ""),
    "RCPT": ("RCPT TO: <address>", " [SP <mail-parameters>]"),
    "RSET": ("RSET", ""),
    "STARTTLS": ("STARTTLS", ""),
    "VRFY": ("VRFY <address>", ""),
}


def _syntax(verb: str, esmtp: bool) -> str:
    plain, extended = SYNTAX[verb]
    return plain + (extended if esmtp else "")


def usage(verb: str, esmtp: bool = False) -> str:
    return "501 Syntax: " + _syntax(verb, esmtp)


def help_text(arg: str | None, esmtp: bool, starttls: bool) -> str:
    """HELP, or HELP about one command (501 and the list for one it does not know)."""
    known = sorted(verb for verb in SYNTAX if starttls or verb != "STARTTLS")
    code = 250
    if arg:
        if arg.upper() in known:
            return "250 Syntax: " + _syntax(arg.upper(), esmtp)
        code = 501
    return f"{code} Supported commands: {' '.join(known)}"


def vrfy_failed(arg: str) -> str:
    return "502 Could not VRFY " + escape_controls(arg)


def ehlo(hostname: str, size_limit: int | None) -> list[str]:
    """EHLO's lines before the conversation's (engine/inbound/conversation.py)."""
    size = [f"250-SIZE {size_limit}"] if size_limit else []
    return [f"250-{hostname}", *size, "250-8BITMIME", "250-STARTTLS", "250 HELP"]


def helo_ok(hostname: str) -> str:
    return f"250 {hostname}"


def sender_ok(address: str) -> str:
    # Refused before this when it holds a control character; escaped all the same,
    # so no reply can ever carry a bare CR or LF back to the client.
    return f"250 sender <{escape_controls(address)}> ok"


def recipient_ok(address: str) -> str:
    return f"250 recipient <{escape_controls(address)}> ok"


def message_accepted(mid: int) -> str:
    # Two spaces after "ok:", as the appliance sends it.
    return f"250 ok:  Message {mid} accepted"


def banner(hostname: str) -> str:
    return f"220 {hostname} {BANNER_IDENT}"


def custom(code: int, text: str) -> str:
    """A reply with the administrator's code and text; a text of several lines
    becomes a multi-line reply (`554-first`, `554 last`)."""
    lines = [escape_controls(line.strip()) for line in text.splitlines() if line.strip()] or [""]
    head = [f"{code}-{line}" for line in lines[:-1]]
    return "\r\n".join([*head, f"{code} {lines[-1]}".rstrip()])


def expanded(response: Response, variables: dict[str, str]) -> str:
    """A custom response with the HAT variables ($Group, $Hostname, $RemoteIP) filled in."""
    text = response.text
    # Longest names first, and case-insensitive, as the appliance documents `$Group` etc.
    for name in sorted(variables, key=len, reverse=True):
        value = variables[name]
        text = re.sub(re.escape("$" + name), lambda _m: value, text,  # noqa: B023 (used at once)
                      flags=re.IGNORECASE)
    return custom(response.code, text)
