"""The HAT and RAT text formats (§4.6, §5): model <-> text. Pure.

HAT (PRINT / EXPORT / IMPORT):

    $THROTTLED                      a named policy: behavior, optional { key = value }
        ACCEPT {
            max_rcpts_per_msg = 25
            tls = "required"
        }
    TLS_Senders:                    a sender group: senders, then $POLICY or a behavior
            192.0.2.10
            .partner.example
            $TLSREQ (partner must use TLS)
    spamdomain.com                  an anonymous entry: senders at column 0
        REJECT (reject the domain)
    ALL
        $ACCEPTED

`#` starts a comment line. Keys this product has no use for but appliance exports
carry (spam_check, virus_check, dhap_limit, use_sb, ...) are accepted and ignored;
any other key, a bad value, a bad sender form or a dangling reference is a
FormatError naming the line, and nothing is built.

RAT: one entry per line, `<address> <ACCEPT|REJECT> [<code> "<text>"] [BYPASS]`.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator

from state import forms, messages, names, numbers, policy_params, ranges
from state.errors import FormatError, ValueRefused
from state.model import (
    HAT,
    Behavior,
    Policy,
    PolicyParams,
    RatAction,
    RatEntry,
    Response,
    SenderGroup,
    replace,
)

IGNORED_KEYS = frozenset({
    "spam_check", "virus_check", "dhap_limit", "use_sb", "use_override_hostname",
    "sig_bits", "dhap_code", "dhap_text", "dhap_action", "smtp_auth", "spf_check",
    "dkim_verify", "dkim_sign", "dmarc_verify", "bounce_verify", "graymail_check",
    "outbreak_check", "content_filters", "message_filters", "require_tls_for_auth",
})


# -- writing ------------------------------------------------------------------


def _quote(text: str) -> str:
    return json.dumps(text, ensure_ascii=False)


def params_lines(params: PolicyParams) -> list[str]:
    """`key = value` lines for the parameters a policy sets (None: use default)."""
    return [f"{key} = {_quote(value) if isinstance(value, str) else value}"
            for key, value in policy_params.text_lines(params)]


def _behavior_lines(behavior: Behavior, params: PolicyParams, indent: str,
                    comment: str = "") -> list[str]:
    note = f" ({comment})" if comment else ""
    body = params_lines(params)
    if not body:
        return [f"{indent}{behavior.value}{note}"]
    inner = indent + "    "
    return [f"{indent}{behavior.value} {{", *(inner + x for x in body), f"{indent}}}{note}"]


def hat_text(hat: HAT) -> str:
    """The HAT's policies and sender groups (the default policy is shown apart)."""
    lines: list[str] = []
    for policy in hat.policies:
        lines.append(f"${policy.name}")
        lines += _behavior_lines(policy.behavior, policy.params, "    ")
    for group in hat.groups:
        anonymous = not group.name or (group.name == "ALL" and group.senders == ("ALL",))
        indent = "    " if anonymous else "        "
        if anonymous:
            lines += list(group.senders)
        else:
            lines.append(f"{group.name}:")
            lines += [indent + sender for sender in group.senders]
        lines += _target_lines(group, indent)
    return "\n".join(lines)


def _target_lines(group: SenderGroup, indent: str) -> list[str]:
    if group.policy or group.behavior is None:
        note = f" ({group.comment})" if group.comment else ""
        return [f"{indent}${group.policy}{note}"]
    return _behavior_lines(group.behavior, group.params, indent, group.comment)


def rat_text(rat: tuple[RatEntry, ...]) -> str:
    return "\n".join(rat_line(entry) for entry in rat)


def rat_line(entry: RatEntry) -> str:
    parts = [entry.address.ljust(34), entry.action.value]
    if entry.response_code is not None and entry.response_text is not None:
        parts += [str(entry.response_code), _quote(entry.response_text)]
    if entry.bypass_receiving_control:
        parts.append("BYPASS")
    return " ".join(parts)


# -- reading ------------------------------------------------------------------

_COMMENT = re.compile(r"^(.*?)\s*\((.*)\)\s*$")
_KEY = re.compile(r"^([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(.+)$")
Line = tuple[int, str]


def _lines(text: str) -> list[Line]:
    out = []
    for number, raw in enumerate(text.splitlines(), 1):
        if raw.strip() and not raw.lstrip().startswith("#"):
            out.append((number, raw.rstrip()))
    return out


def _split_comment(text: str) -> tuple[str, str]:
    match = _COMMENT.match(text)
    return (match.group(1).strip(), match.group(2)) if match else (text.strip(), "")


def _behavior(number: int, word: str) -> Behavior:
    try:
        return Behavior(word.upper())
    except ValueError:
        raise FormatError(number, messages.BAD_BEHAVIOR(word=word)) from None


def _value(number: int, raw: str) -> object:
    try:
        return json.loads(raw)
    except ValueError:
        raise FormatError(number, messages.BAD_VALUE(value=raw)) from None


def _params(block: list[Line]) -> PolicyParams:
    """A policy's `key = value` lines, each key read with its row of the parameter table."""
    values: dict[str, object] = {}
    halves: dict[str, tuple[int, object]] = {}  # a response's code and text keys
    for number, raw in block:
        match = _KEY.match(raw.strip())
        if match is None:
            raise FormatError(number, messages.EXPECTED_KEY_VALUE(line=raw.strip()))
        key, value = match.group(1), _value(number, match.group(2).strip())
        row = policy_params.by_key(key)
        if key in IGNORED_KEYS or value == policy_params.DEFAULT_WORD:
            continue
        if row is None:
            raise FormatError(number, messages.UNKNOWN_KEY(key=key))
        if row.kind is policy_params.Kind.RESPONSE:
            halves[key] = (number, value)
            continue
        try:
            values[row.field] = policy_params.stored_value(row, value)
        except ValueRefused as refused:
            raise FormatError(number, refused.reason) from None
    values.update(_responses(halves, block[-1][0] if block else 0))
    return PolicyParams(**values)  # type: ignore[arg-type]


def _responses(found: dict[str, tuple[int, object]], last: int) -> dict[str, Response]:
    out: dict[str, Response] = {}
    for row in policy_params.PARAMS:
        code_key, text_key = row.key, row.text_key
        if row.kind is not policy_params.Kind.RESPONSE or (
                code_key not in found and text_key not in found):
            continue
        if code_key not in found or text_key not in found:
            missing = code_key if code_key not in found else text_key
            raise FormatError(found.get(code_key, found.get(text_key, (last, "")))[0],
                              messages.KEY_MISSING(key=missing))
        number, code = found[code_key]
        try:
            out[row.field] = policy_params.stored_response(row, code, found[text_key][1])
        except ValueRefused as refused:
            raise FormatError(number, refused.reason) from None
    return out


class _Reader:
    """Walks the significant lines once; each parse method consumes what it reads."""

    def __init__(self, text: str) -> None:
        self.lines = _lines(text)
        self.pos = 0

    def peek(self) -> Line | None:
        return self.lines[self.pos] if self.pos < len(self.lines) else None

    def take(self) -> Line:
        line = self.lines[self.pos]
        self.pos += 1
        return line

    def indented(self) -> bool:
        line = self.peek()
        return line is not None and line[1][:1].isspace()

    def behavior(self, number: int, first: str) -> tuple[Behavior, PolicyParams, str]:
        """`BEHAVIOR`, `BEHAVIOR (comment)` or `BEHAVIOR {` ... `} (comment)`."""
        head, comment = _split_comment(first)
        if not head.endswith("{"):
            return _behavior(number, head), PolicyParams(), comment
        behavior = _behavior(number, head[:-1].strip())
        block: list[Line] = []
        while True:
            if self.peek() is None:
                raise FormatError(number, messages.MISSING_BRACE())
            line_no, raw = self.take()
            body, comment = _split_comment(raw.strip())
            if body == "}":
                return behavior, _params(block), comment
            block.append((line_no, raw))


def _policy(reader: _Reader, number: int, name: str) -> Policy:
    if not reader.indented():
        raise FormatError(number, messages.POLICY_NO_BEHAVIOR(name=name))
    line_no, raw = reader.take()
    behavior, params, _ = reader.behavior(line_no, raw.strip())
    return Policy(name=name, behavior=behavior, params=params)


def _group_body(reader: _Reader, number: int, group: SenderGroup) -> SenderGroup:
    senders = list(group.senders)
    while reader.indented():
        line_no, raw = reader.take()
        text = raw.strip()
        word = text.split()[0].rstrip("{").upper()
        if text.startswith("$"):
            name, comment = _split_comment(text[1:])
            return replace(group, senders=tuple(senders), policy=name, comment=comment)
        if word in Behavior.__members__:
            behavior, params, comment = reader.behavior(line_no, text)
            return replace(group, senders=tuple(senders), policy="", behavior=behavior,
                           params=params, comment=comment)
        senders += _senders(line_no, text)
    raise FormatError(number, messages.GROUP_NO_TARGET(name=group.name or group.senders[0]))


def _senders(number: int, text: str) -> list[str]:
    items = list(forms.split_list(text))
    for item in items:
        if forms.sender_kind(item) is None:
            raise FormatError(number, messages.INVALID_SENDER(sender=item))
    return items


def _compact(number: int, text: str) -> tuple[str, str] | None:
    """The one-line anonymous form `251.192.1.      TCPREFUSE` (or `$POLICY`)."""
    parts = text.split()
    if len(parts) == 2 and (parts[1].startswith("$") or parts[1].upper() in Behavior.__members__):
        return parts[0], parts[1]
    return None


def _entries(reader: _Reader) -> Iterator[Policy | SenderGroup]:
    while reader.peek() is not None:
        number, raw = reader.take()
        text = raw.strip()
        if raw[:1].isspace():
            raise FormatError(number, messages.UNEXPECTED_INDENT(line=text))
        if text.startswith("$"):
            yield _policy(reader, number, text[1:].strip())
        elif text.endswith(":"):
            name = text[:-1].strip()
            yield _group_body(reader, number, SenderGroup(name=name, senders=(), policy=""))
        elif (compact := _compact(number, text)) is not None:
            senders = tuple(_senders(number, compact[0]))
            group = SenderGroup(name=_anonymous(senders), senders=senders, policy="")
            target = compact[1]
            if target.startswith("$"):
                yield replace(group, policy=target[1:])
            else:
                yield replace(group, behavior=_behavior(number, target))
        else:
            senders = tuple(_senders(number, text))
            yield _group_body(reader, number,
                              SenderGroup(name=_anonymous(senders), senders=senders, policy=""))


def _anonymous(senders: tuple[str, ...]) -> str:
    return "ALL" if senders == ("ALL",) else ""


def parse_hat(text: str, default: PolicyParams) -> HAT:
    """A whole HAT from its text; the default policy is kept from the listener."""
    policies: list[Policy] = []
    groups: list[SenderGroup] = []
    reader = _Reader(text)
    for entry in _entries(reader):
        if isinstance(entry, Policy):
            policies.append(entry)
        else:
            groups.append(entry)
    hat = HAT(default=default, policies=tuple(policies), groups=tuple(groups))
    _check_hat(hat, reader)
    return hat


def _check_hat(hat: HAT, reader: _Reader) -> None:
    """What cannot be seen on one line: duplicates, references, the final ALL row."""
    last = reader.lines[-1][0] if reader.lines else 1
    policies = [p.name for p in hat.policies]
    for name in policies:
        if (refusal := names.hat_name_refusal(name)) is not None:
            raise FormatError(_line_of(reader, f"${name}"), refusal)
        if policies.count(name) > 1:
            raise FormatError(_line_of(reader, f"${name}"), messages.DUPLICATE_POLICY(name=name))
    groups = [g.name for g in hat.groups[:-1] if g.name]  # the last is ALL's (checked below)
    folded = [name.lower() for name in groups]  # names differ in more than case, as typed
    for name in groups:
        if (refusal := names.hat_name_refusal(name)) is not None:
            raise FormatError(_line_of(reader, f"{name}:"), refusal)
        if folded.count(name.lower()) > 1:
            raise FormatError(_line_of(reader, f"{name}:"), messages.DUPLICATE_GROUP(name=name))
    for group in hat.groups:
        if group.policy and group.policy not in policies:
            raise FormatError(_line_of(reader, f"${group.policy}", policy_ref=True),
                              messages.UNKNOWN_POLICY_REF(name=group.policy))
    if not hat.groups or hat.groups[-1].senders != ("ALL",):
        raise FormatError(last, messages.LAST_MUST_BE_ALL())


def _line_of(reader: _Reader, text: str, policy_ref: bool = False) -> int:
    for number, raw in reader.lines:
        stripped = raw.strip()
        if policy_ref and raw[:1].isspace() and stripped.split(" ")[0] == text:
            return number
        if not policy_ref and stripped == text:
            return number
    return 1


_RAT = re.compile(
    r'^(?P<addr>\S+)\s+(?P<action>\S+)(?:\s+(?P<code>[0-9]{3})\s+(?P<text>"(?:[^"\\]|\\.)*"))?'
    r"(?:\s+(?P<bypass>BYPASS))?\s*$",
    re.IGNORECASE,
)


def parse_rat(text: str) -> tuple[RatEntry, ...]:
    entries: list[RatEntry] = []
    seen: set[str] = set()
    for number, raw in _lines(text):
        match = _RAT.match(raw.strip())
        if match is None:
            raise FormatError(number, messages.BAD_RAT_LINE(line=raw.strip()))
        address = forms.normalise_rat_address(match.group("addr"))
        if not forms.rat_address_ok(address):
            raise FormatError(number, messages.BAD_RAT_ADDRESS(address=match.group("addr")))
        if address in seen:
            raise FormatError(number, messages.DUPLICATE_RAT(address=address))
        seen.add(address)
        try:
            action = RatAction(match.group("action").upper())
        except ValueError:
            bad = messages.BAD_RAT_ACTION(action=match.group("action"))
            raise FormatError(number, bad) from None
        code = numbers.parse_int(match.group("code") or "")
        if code is not None and code not in ranges.RAT_CODE:
            raise FormatError(number, messages.BAD_RAT_CODE(code=code))
        reply = str(_value(number, match.group("text"))) if match.group("text") else None
        entries.append(RatEntry(address=address, action=action, response_code=code,
                                response_text=reply,
                                bypass_receiving_control=bool(match.group("bypass"))))
    if not entries or entries[-1].address != "ALL":
        raise FormatError(max((n for n, _ in _lines(text)), default=1),
                          messages.LAST_MUST_BE_ALL())
    return tuple(entries)
