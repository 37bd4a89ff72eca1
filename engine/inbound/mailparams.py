"""The MAIL FROM parameter the conversation handles itself: REQUIRETLS (RFC 8689 §2). Pure.

The command grammar (engine/inbound/commands.py) refuses every parameter it does not know,
so REQUIRETLS is taken off the command's argument before the rest is read (the address,
SIZE, BODY...). The
reverse-path ends at its closing `>` (a quoted local part may hold one), or at the first
space when it has no angle brackets.
"""

from __future__ import annotations

from dataclasses import dataclass

from engine import replies

KEYWORD = "REQUIRETLS"


@dataclass(frozen=True)
class MailParams:
    argument: str  # the argument without REQUIRETLS
    requiretls: bool = False
    valued: bool = False  # `REQUIRETLS=...`: the parameter takes no value


def take_requiretls(arg: str) -> MailParams:
    head, params = split(arg)
    kept = [p for p in params if p.partition("=")[0].upper() != KEYWORD]
    if len(kept) == len(params):
        return MailParams(arg)
    valued = any(p.partition("=")[1] for p in params if p.partition("=")[0].upper() == KEYWORD)
    return MailParams(" ".join([head, *kept]), True, valued)


def refusal(arg: str, tls_active: bool) -> str | None:
    """The reply refusing a MAIL command's REQUIRETLS: only over TLS, and without a value."""
    params = take_requiretls(arg)
    if not params.requiretls:
        return None
    if not tls_active:
        return replies.REQUIRETLS_NEEDS_TLS
    return replies.REQUIRETLS_SYNTAX if params.valued else None


def split(arg: str) -> tuple[str, list[str]]:
    """(`FROM:<reverse-path>`, the parameters after it)."""
    colon = arg.find(":")
    if colon < 0:
        return arg, []
    start = colon + 1
    while start < len(arg) and arg[start] == " ":
        start += 1
    if start < len(arg) and arg[start] == "<":
        end = _closing(arg, start + 1)
    else:
        space = arg.find(" ", start)
        end = len(arg) if space < 0 else space
    return arg[:end], arg[end:].split()


def _closing(arg: str, at: int) -> int:
    """Just past the `>` that closes a path opened before `at` (len + 1 when none does)."""
    quoted = False
    while at < len(arg):
        char = arg[at]
        if quoted and char == "\\":
            at += 2
            continue
        if char == '"':
            quoted = not quoted
        elif char == ">" and not quoted:
            return at + 1
        at += 1
    return len(arg) + 1
