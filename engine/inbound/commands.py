"""SMTP command lines as the inbound session reads them. Pure.

The grammar is the one clients of this engine have always met (it began as aiosmtpd
1.4.6's, whose texts and limits are kept): a line ends at LF, any CR and LF at its end
are dropped, the command word is ASCII and case-insensitive, the argument is the rest
with surrounding white space stripped and must be ASCII (SMTPUTF8 is not offered). A
line longer than LINE_LIMIT is read to its end and refused; one longer than
COMMAND_LIMIT (MAIL: more once SIZE is offered, RFC 1870) is refused once read.

The replies are in engine/replies.py; the policy on top of them (HAT, RAT, TLS, limits)
is the conversation's (engine/inbound/conversation.py).
"""

from __future__ import annotations

from dataclasses import dataclass
from email._header_value_parser import get_addr_spec, get_angle_addr
from email.errors import HeaderParseError

from engine import addrspec, replies
from engine.inbound import dotstream
from state.controls import has_control

LINE_LIMIT = dotstream.LINE_LIMIT  # bytes before the LF; a longer line is read to its end
COMMAND_LIMIT = 512  # RFC 5321 §4.5.3.1.4
SIZE_EXTENSION = 26  # RFC 1870 §3: MAIL may be this much longer once SIZE is offered
# What the RFC 5322 parser repairs and we refuse: an angle address or a quoted string or
# comment it had to close itself (`<"x>` read as the address `"x>"`)
_UNCLOSED = ("missing trailing '>'", "end of header inside")

@dataclass(frozen=True)
class Line:
    """One command line: its upper-cased word and argument (None when it has none), or
    why it is refused before any command runs: `garbage` (an empty line, a command word
    that is not ASCII: counted as unknown commands) or a `refusal` reply."""

    verb: str = ""
    arg: str | None = None
    garbage: bool = False
    refusal: str | None = None


GARBAGE = Line(garbage=True)
TOO_LONG = Line(refusal=replies.COMMAND_TOO_LONG)


def parse(raw: bytes, mail_extended: bool) -> Line:
    """A line as read, up to and with its LF. `mail_extended`: SIZE was offered in EHLO."""
    line = raw.rstrip(b"\r\n")
    if not line:
        return GARBAGE
    word, _, rest = line.partition(b" ")
    try:
        verb = word.upper().decode("ascii")
    except UnicodeDecodeError:
        return GARBAGE
    arg: str | None = None
    if rest:
        try:
            arg = rest.strip().decode("ascii")
        except UnicodeDecodeError:
            return Line(verb, refusal=replies.NOT_ASCII)
    limit = COMMAND_LIMIT + (SIZE_EXTENSION if mail_extended and verb == "MAIL" else 0)
    if len(line) > limit:
        return TOO_LONG
    return Line(verb, arg)


def reverse_path(address: str) -> str:
    """The null sender of `MAIL FROM:<>` is read as "<>" (so that it is a sender at all);
    everywhere else it is the empty address."""
    return "" if address == "<>" else address


def address(arg: str) -> tuple[str | None, str]:
    """The address at the start of `arg` (angle brackets or none) and what follows it;
    (None, "") when it cannot be read. A plain `<local@domain>` is read directly, any
    other form by the email package's RFC 5322 parser."""
    text = arg.lstrip()
    if not text:
        return "", ""
    plain = _plain(text)
    if plain is not None:
        return plain
    parser = get_angle_addr if text.startswith("<") else get_addr_spec
    try:
        found, rest = parser(arg)
    except HeaderParseError:
        return None, ""
    spec = str(found.addr_spec)
    if any(str(defect).startswith(_UNCLOSED) for defect in found.all_defects):
        return None, ""
    if has_control(spec) or not spec.isascii():  # an encoded word decoded: `=?..?q?=0D=0A?=`
        return None, ""
    return spec, str(rest)


def _plain(text: str) -> tuple[str, str] | None:
    end = text.find(">")
    if text[0] != "<" or end < 0:
        return None
    if end == 1:
        return "<>", text[2:]
    if not addrspec.is_plain(text[1:end]):
        return None
    return text[1:end], text[end + 1:]


def _params(options: list[str]) -> dict[str, str | bool] | None:
    """RFC 1869 parameters (`KEY` or `KEY=value`), or None if one is malformed."""
    result: dict[str, str | bool] = {}
    for option in options:
        key, eq, value = option.partition("=")
        if not key.isalnum() or (eq and not value):
            return None
        result[key] = value if eq else True
    return result


@dataclass(frozen=True)
class Path:
    """MAIL's or RCPT's argument read: the address and its parameters, or the refusal.
    `too_big`: MAIL's SIZE is over the limit (the conversation logs it as DATA's)."""

    address: str = ""
    options: tuple[str, ...] = ()
    refusal: str | None = None
    too_big: bool = False


def _path(keyword: str, arg: str | None, esmtp: bool, syntax: str) -> Path | tuple[str, list[str]]:
    """The address and the upper-cased parameters after `keyword`, or the refusal."""
    if not arg or arg[: len(keyword)].upper() != keyword:
        return Path(refusal=syntax)
    found, rest = address(arg[len(keyword):].strip())
    if found is None:
        return Path(refusal=replies.MALFORMED_ADDRESS)
    if not found or (rest and not esmtp):
        return Path(refusal=syntax)
    return found, rest.upper().split()


def mail_path(arg: str | None, esmtp: bool, size_limit: int | None, nested: bool) -> Path:
    syntax = replies.usage("MAIL", esmtp)
    read = _path("FROM:", arg, esmtp, syntax)
    if isinstance(read, Path):
        return read
    found, options = read
    if nested:
        return Path(refusal=replies.NESTED_MAIL)
    params = _params(options)
    if params is None:
        return Path(refusal=syntax)
    if params.pop("BODY", "7BIT") not in ("7BIT", "8BITMIME"):
        return Path(refusal=replies.BAD_BODY)
    smtputf8 = params.pop("SMTPUTF8", False)
    if not isinstance(smtputf8, bool):
        return Path(refusal=replies.SMTPUTF8_VALUE)
    if smtputf8:
        return Path(refusal=replies.SMTPUTF8_DISABLED)
    size = params.pop("SIZE", None)
    if size:
        if isinstance(size, bool) or not size.isdigit():
            return Path(refusal=syntax)
        if size_limit and int(size) > size_limit:
            return Path(too_big=True)
    if params:
        return Path(refusal=replies.MAIL_PARAMS_UNKNOWN)
    return Path(found, tuple(options))


def rcpt_path(arg: str | None, esmtp: bool) -> Path:
    syntax = replies.usage("RCPT", esmtp)
    read = _path("TO:", arg, esmtp, syntax)
    if isinstance(read, Path):
        return read
    found, options = read
    params = _params(options)
    if params is None:
        return Path(refusal=syntax)
    if params:
        return Path(refusal=replies.RCPT_PARAMS_UNKNOWN)
    return Path(found, tuple(options))
