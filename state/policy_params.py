"""The mail flow policy parameters (reference §4.4): one row each, the one grammar.

Every place that handles a parameter reads its row here: the shell's dialog (which
question, the range it re-asks with), the batch options (`--max_conn=10`), the HAT text
format (`max_concurrency = 10`: PRINT, EXPORT, IMPORT) and whole-configuration
validation. A parameter's range is written nowhere else (it is taken from state.ranges),
so changing a row changes all four.

Rows are in the order the HAT text lists a policy's keys. In a named policy or a sender
group's own parameters every value may be "Default" (None: the listener's default policy
decides); the default policy itself must set the `required` ones. Rows are looked up at
call time (`param`, `by_option`, `by_key`), never copied.
"""

from __future__ import annotations

import enum
from collections.abc import Iterator, Mapping
from dataclasses import dataclass

from state import forms, messages, model, numbers, ranges
from state.errors import ValueRefused
from state.messages import Message
from state.model import PolicyParams, Response, TLSMode
from state.numbers import MB, Range

# The word for "use the default policy's value", in any case (batch, import, dialog).
DEFAULT_WORD = "default"
# Batch words that turn an `off` parameter off, besides its stored value.
OFF_WORD = "off"
RATE_OFF = -1  # max_rcpts_per_hour: rate limiting off


class Kind(enum.Enum):
    NUMBER = "number"  # a whole number in `allowed`
    SIZE = "size"  # bytes, typed as 10M, 500k or bytes
    RESPONSE = "response"  # a custom SMTP reply: a code in `allowed`, and a text
    HOST = "host"  # a host name; "" is the interface's own
    TLS = "tls"  # a TLSMode value


@dataclass(frozen=True)
class Param:
    field: str  # the PolicyParams field
    kind: Kind
    wording: str  # the key of the dialog's question in the shell's texts
    option: str  # the batch option: --option=value
    key: str  # the HAT text key (a response: the key of its code)
    allowed: Range | None = None  # a number's range; a response's codes
    required: bool = False  # the listener's default policy must set it
    off: int | None = None  # the stored value that means "disabled" (rate limiting: -1)
    text_key: str = ""  # a response: the HAT text key of its text
    code_option: str = ""  # a response: the batch option of its code
    standard: int = 0  # a response: the standard SMTP code


PARAMS: tuple[Param, ...] = (
    Param("max_msgs_per_session", Kind.NUMBER, "messages", "max_msgs", "max_msgs_per_session",
          ranges.MSGS_PER_SESSION, required=True),
    Param("max_concurrency", Kind.NUMBER, "connections", "max_conn", "max_concurrency",
          ranges.HOST_CONNECTIONS, required=True),
    Param("max_rcpts_per_msg", Kind.NUMBER, "recipients", "max_rcpt", "max_rcpts_per_msg",
          ranges.RCPTS_PER_MSG, required=True),
    Param("max_rcpts_per_hour", Kind.NUMBER, "rate", "rate_lim", "max_rcpts_per_hour",
          ranges.RCPTS_PER_HOUR, off=RATE_OFF),
    Param("max_message_size", Kind.SIZE, "message_size", "max_size", "max_message_size",
          ranges.MESSAGE_SIZE, required=True),
    Param("rate_limit_response", Kind.RESPONSE, "rate_response", "cust_lim",
          "max_rcpts_per_hour_code", ranges.REFUSE_CODE, text_key="max_rcpts_per_hour_text",
          code_option="lim_code", standard=452),
    Param("accept_response", Kind.RESPONSE, "accept_response", "cust_acc", "smtp_banner_code",
          ranges.ACCEPT_CODE, text_key="smtp_banner_text", code_option="acc_code", standard=220),
    Param("reject_response", Kind.RESPONSE, "reject_response", "cust_rej", "reject_banner_code",
          ranges.REFUSE_CODE, text_key="reject_banner_text", code_option="rej_code",
          standard=554),
    Param("banner_hostname", Kind.HOST, "banner", "override", "override_hostname"),
    Param("tls", Kind.TLS, "tls", "tls", "tls", required=True),
)


def param(field: str) -> Param:
    """The row of a PolicyParams field."""
    return next(p for p in PARAMS if p.field == field)


def by_option(option: str) -> Param | None:
    """The row a batch option sets (a response's code option is read with its text)."""
    return next((p for p in PARAMS if p.option == option), None)


def is_option(option: str) -> bool:
    return any(option in (p.option, p.code_option) and option for p in PARAMS)


def by_key(key: str) -> Param | None:
    """The row a HAT text key belongs to (a response has two keys)."""
    return next((p for p in PARAMS if key in (p.key, p.text_key)), None)


def _range(row: Param) -> Range:
    assert row.allowed is not None, row.field
    return row.allowed


def range_of(field: str) -> Range:
    """The range of a number, a size or a response's code."""
    return _range(param(field))


# -- typed answers (the dialog, the batch forms) ----------------------------------------


def size_refusal(allowed: Range) -> Message:
    return messages.SIZE_RANGE(megabytes=allowed.high // MB, bytes=allowed.high)


def size_problem(text: str) -> Message | None:
    """Why a typed message size (`10M`, `500k`, bytes) is refused, or None."""
    value = numbers.parse_size(text)
    if value is None:
        return messages.SIZE_FORMAT()
    allowed = _range(param("max_message_size"))
    return None if value in allowed else size_refusal(allowed)


def option_value(row: Param, value: str, options: Mapping[str, str]) -> object:
    """The value of `--option=value` (`options`: every option of the form, for a
    response's code); ValueRefused when it is not one."""
    bad = ValueRefused(messages.BAD_KEY_VALUE(key=row.option, value=value))
    if row.kind is Kind.SIZE:
        if size_problem(value) is not None:
            raise bad
        return numbers.parse_size(value)
    if row.kind is Kind.NUMBER:
        if row.off is not None and value.lower() in (OFF_WORD, str(row.off)):
            return row.off
        number = _range(row).parse(value)
        if number is None:
            raise bad
        return number
    if row.kind is Kind.HOST:
        if not forms.is_host(value):
            raise bad
        return value
    if row.kind is Kind.TLS:
        return _tls(value, bad)
    code = options.get(row.code_option, str(row.standard))
    number = _range(row).parse(code)
    if number is None:
        raise ValueRefused(messages.BAD_KEY_VALUE(key=row.code_option, value=code))
    return Response(number, value.replace("_", " "))


def _tls(value: str, bad: ValueRefused) -> TLSMode:
    try:
        return TLSMode(value.lower())
    except ValueError:
        raise bad from None


def parse_options(words: list[str], inherit: bool, base: PolicyParams) -> PolicyParams:
    """`--key=value` words of a batch form applied to `base`. `inherit` (a named policy
    or sender group): a value may be "default". ValueRefused for the first bad word."""
    given: dict[str, str] = {}
    for word in words:
        key, sep, value = word.removeprefix("--").partition("=")
        if not word.startswith("--") or not sep or not is_option(key):
            raise ValueRefused(messages.BAD_KEY_VALUE(key=key, value=value))
        given[key] = value
    changes: dict[str, object] = {}
    for key, value in given.items():
        row = by_option(key)
        if row is None:
            continue  # a response's code: read with its text
        if value.lower() != DEFAULT_WORD:
            changes[row.field] = option_value(row, value, given)
        elif inherit:
            changes[row.field] = None
        elif row.field == "max_concurrency":
            raise ValueRefused(messages.CONN_DEFAULT())
        else:
            raise ValueRefused(messages.BAD_KEY_VALUE(key=key, value=value))
    return model.replace(base, **changes)


# -- stored values (the HAT text: IMPORT) ------------------------------------------------


def stored_value(row: Param, raw: object) -> object:
    """A value read from the HAT text (a JSON value); ValueRefused when unusable."""
    if row.kind is Kind.TLS:
        return _tls(str(raw), ValueRefused(messages.BAD_KEY_VALUE(key=row.key, value=raw)))
    if row.kind is Kind.HOST:
        host = str(raw)
        if host and not forms.is_host(host):
            raise ValueRefused(messages.BAD_KEY_VALUE(key=row.key, value=raw))
        return host
    return _stored_number(row, row.key, raw)


def _stored_number(row: Param, key: str, raw: object) -> int:
    """A JSON number (or a string of digits) in range; `off` as it is stored."""
    text = "" if isinstance(raw, bool) else str(raw)
    if row.off is not None and text == str(row.off):
        return row.off
    value = _range(row).parse(text)
    if value is None:
        raise ValueRefused(messages.BAD_KEY_VALUE(key=key, value=raw))
    return value


def stored_response(row: Param, code: object, text: object) -> Response:
    return Response(_stored_number(row, row.key, code), str(text))


def text_lines(params: PolicyParams) -> Iterator[tuple[str, object]]:
    """(key, value) of every parameter `params` sets, in the HAT text's order; values
    are Python values (the format quotes strings)."""
    for row in PARAMS:
        value = getattr(params, row.field)
        if value is None:
            continue
        if row.kind is Kind.RESPONSE:
            yield row.key, value.code
            yield row.text_key, value.text
        elif row.kind is Kind.TLS:
            yield row.key, value.value
        else:
            yield row.key, value


# -- validation ---------------------------------------------------------------------------


def problems(params: PolicyParams, complete: bool) -> Iterator[tuple[str, Message]]:
    """(field path below the policy, why) for every value `params` may not hold;
    `complete`: the listener's default policy, which must set the `required` ones."""
    for row in PARAMS:
        if complete and row.required and getattr(params, row.field) is None:
            yield row.field, messages.DEFAULT_POLICY_MUST_SET()
    for row in PARAMS:
        value = getattr(params, row.field)
        if value is not None:
            yield from _value_problems(row, value)


def _value_problems(row: Param, value: object) -> Iterator[tuple[str, Message]]:
    if row.kind in (Kind.NUMBER, Kind.SIZE):
        if value != row.off and value not in _range(row):
            yield row.field, _range(row).refusal()
    elif row.kind is Kind.HOST:
        if value and not forms.is_host(str(value)):
            yield row.field, messages.BANNER_HOST_INVALID(host=value)
    elif row.kind is Kind.RESPONSE:
        assert isinstance(value, Response)
        if value.code not in _range(row):
            yield f"{row.field}.code", messages.INVALID_SMTP_CODE(code=value.code)
        if not value.text.strip():
            yield f"{row.field}.text", messages.RESPONSE_TEXT_EMPTY()
