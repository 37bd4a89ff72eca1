"""The destconfig IMPORT / EXPORT file (reference §6.7): INI with `[DEFAULT]` and one
`[domain]` section per destination.

`parse` is all-or-nothing: the first problem raises `FormatError` with its 1-based line
number and nothing is returned, so the caller's table is never half-replaced. A small
hand-written reader is used rather than configparser because configparser silently
copies `[DEFAULT]` keys into every section and loses line numbers for value errors.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TypeVar

from state import messages, ranges
from state.errors import FormatError, ValueRefused
from state.model import (
    DaneMode,
    DestinationControls,
    DestinationEntry,
    TlsFailure,
    TLSMode,
    replace,
)
from state.numbers import Range
from state.validate_outbound import IP_SORTS, dane_refusal, is_domain_key, normalise_domain

V = TypeVar("V")
DEFAULT_SECTION = "DEFAULT"
_TLS = {"0": "off", "1": "on", "2": "required", "3": "on_verify", "4": "require_verify"}
_LIMIT_TYPE = {"0": False, "host": False, "1": True, "mxip": True}
_LIMIT_APPLY = {"0": False, "system": False, "1": True, "vg": True}
_ON_OFF = {"0": False, "off": False, "1": True, "on": True}
KEYS = (
    "ip_sort_pref", "max_host_concurrency", "max_messages_per_connection", "recipient_minutes",
    "recipient_limit", "limit_type", "limit_apply", "bounce_profile", "use_tls",
    "bounce_validation", "dane", "mta_sts", "tls_failure",
)
# Ours, beside §6.7's (optional everywhere, so files written before them still import):
# dane = off / opportunistic / mandatory, mta_sts = off / on, tls_failure = defer / bounce.
_DANE = {m.value: m for m in DaneMode}
_FAILURE = {f.value: f for f in TlsFailure}
# §6.7: [DEFAULT] must define every parameter except bounce_profile (the recipient limit
# pair may be left out: no limit).
_DEFAULT_REQUIRED = (
    "ip_sort_pref", "max_host_concurrency", "max_messages_per_connection", "limit_type",
    "limit_apply", "use_tls", "bounce_validation",
)


@dataclass
class _Section:
    name: str
    line: int
    values: dict[str, tuple[str, int]] = field(default_factory=dict)  # key -> (value, line)


# -- reading ----------------------------------------------------------------------
def parse(text: str, current: DestinationControls) -> DestinationControls:
    """The table a file describes; SETUP's globals are kept from `current`.

    A file without `[DEFAULT]` keeps the current default row.
    """
    sections = _sections(text)
    default = current.default
    entries: list[DestinationEntry] = []
    for section in sections:
        if section.name == DEFAULT_SECTION:
            default = _entry(section, DEFAULT_SECTION, is_default=True)
        else:
            entries.append(_entry(section, section.name, is_default=False))
    return replace(current, default=default, entries=tuple(entries))


def _sections(text: str) -> list[_Section]:
    sections: list[_Section] = []
    seen: set[str] = set()
    for number, raw in enumerate(text.splitlines(), 1):
        line = raw.strip()
        if not line or line[0] in "#;":
            continue
        if line.startswith("["):
            sections.append(_header(line, number, seen))
        elif not sections:
            raise FormatError(number, messages.PARAMETER_BEFORE_SECTION())
        else:
            key, value = _pair(line, number)
            if key in sections[-1].values:
                raise FormatError(number, messages.PARAMETER_TWICE(key=key))
            sections[-1].values[key] = (value, number)
    return sections


def _header(line: str, number: int, seen: set[str]) -> _Section:
    if not line.endswith("]") or len(line) < 3:
        raise FormatError(number, messages.BAD_SECTION(line=line))
    name = line[1:-1].strip()
    if name.upper() == DEFAULT_SECTION:
        name = DEFAULT_SECTION
    else:
        if not is_domain_key(name.rstrip(".")):
            raise FormatError(number, messages.INVALID_DOMAIN(domain=name))
        name = normalise_domain(name)
    if name in seen:
        raise FormatError(number, messages.SECTION_TWICE(name=name))
    seen.add(name)
    return _Section(name, number)


def _pair(line: str, number: int) -> tuple[str, str]:
    key, sep, value = line.partition("=")
    if not sep:
        key, sep, value = line.partition(":")
    key, value = key.strip().lower(), value.strip()
    if not sep or not key:
        raise FormatError(number, messages.EXPECTED_PARAMETER(line=line))
    if key not in KEYS:
        raise FormatError(number, messages.UNKNOWN_PARAMETER(key=key))
    if not value:
        raise FormatError(number, messages.PARAMETER_NO_VALUE(key=key))
    return key, value


def _entry(section: _Section, domain: str, is_default: bool) -> DestinationEntry:
    values = section.values
    if is_default:
        for key in _DEFAULT_REQUIRED:
            if key not in values:
                raise FormatError(section.line, messages.DEFAULT_SECTION_SETS(key=key))
        if "bounce_profile" in values:
            raise FormatError(values["bounce_profile"][1], messages.NO_BOUNCE_PROFILE_DEFAULT())
    _requires(values, "max_host_concurrency", ("limit_type", "limit_apply"))
    _requires(values, "recipient_limit", ("recipient_minutes", "limit_type", "limit_apply"))
    _requires(values, "recipient_minutes", ("recipient_limit",))
    if "bounce_profile" in values and values["bounce_profile"][0].lower() != "default":
        value, line = values["bounce_profile"]
        raise FormatError(line, messages.UNKNOWN_BOUNCE_PROFILE(value=value))
    tls = _mapped(values, "use_tls", {**_TLS, **{v: v for v in _TLS.values()}})
    sort = _get(values, "ip_sort_pref")
    if sort is not None and sort[0].upper() not in IP_SORTS:
        raise FormatError(sort[1], messages.BAD_IP_SORT_PREF(value=sort[0]))
    dane = _mapped(values, "dane", _DANE)
    if dane is not None and (refused := dane_refusal(dane, is_default)):
        raise FormatError(values["dane"][1], refused)
    return DestinationEntry(
        domain=domain,
        tls=None if tls is None else TLSMode(tls),
        dane=dane,
        mta_sts=_mapped(values, "mta_sts", _ON_OFF),
        tls_failure=_mapped(values, "tls_failure", _FAILURE),
        max_concurrency=_int(values, "max_host_concurrency", ranges.DEST_CONCURRENCY),
        max_msgs_per_connection=_int(values, "max_messages_per_connection",
                                     ranges.DEST_MSGS_PER_CONNECTION),
        recipient_limit=_int(values, "recipient_limit", ranges.DEST_RECIPIENT_LIMIT),
        recipient_minutes=_int(values, "recipient_minutes", ranges.DEST_RECIPIENT_MINUTES),
        limit_per_mx_ip=bool(_mapped(values, "limit_type", _LIMIT_TYPE)),
        limit_per_virtual_gateway=bool(_mapped(values, "limit_apply", _LIMIT_APPLY)),
        bounce_verification=_mapped(values, "bounce_validation", _ON_OFF),
        ip_sort=None if sort is None else sort[0].upper(),
    )


def _requires(values: dict[str, tuple[str, int]], key: str, needed: tuple[str, ...]) -> None:
    if key not in values:
        return
    for other in needed:
        if other not in values:
            raise FormatError(values[key][1], messages.KEY_REQUIRES(key=key, other=other))


def _get(values: dict[str, tuple[str, int]], key: str) -> tuple[str, int] | None:
    return values.get(key)


def _int(values: dict[str, tuple[str, int]], key: str, allowed: Range) -> int | None:
    found = values.get(key)
    if found is None:
        return None
    value, line = found
    number = allowed.parse(value)
    if number is None:
        raise FormatError(line, messages.KEY_INT_RANGE(key=key, low=allowed.low,
                                                       high=allowed.high, value=value))
    return number


def _mapped(values: dict[str, tuple[str, int]], key: str, table: Mapping[str, V]) -> V | None:
    found = values.get(key)
    if found is None:
        return None
    value, line = found
    if value.lower() not in table:
        raise FormatError(line, messages.BAD_KEYED_CHOICE(key=key, value=value,
                                                          choices=_words(table)))
    return table[value.lower()]


def _words(table: Mapping[str, V]) -> str:
    """A table's values as a refusal lists them: its words, not its numbered aliases."""
    return "|".join(word for word in table if not word.isdigit())


# -- writing ----------------------------------------------------------------------
def dump(dest: DestinationControls) -> str:
    """The whole table as the file §6.7 describes; `parse(dump(t), t) == t`."""
    blocks = [_dump_entry(DEFAULT_SECTION, dest.default, is_default=True)]
    blocks += [_dump_entry(e.domain, e, is_default=False) for e in dest.entries]
    return "\n".join(blocks)


def _dump_entry(name: str, entry: DestinationEntry, is_default: bool) -> str:
    lines = [f"[{name}]"]
    if is_default or entry.ip_sort is not None:
        lines.append(f"ip_sort_pref = {entry.ip_sort or IP_SORTS[0]}")
    limited = entry.max_concurrency is not None or entry.recipient_limit is not None
    if entry.max_concurrency is not None:
        lines.append(f"max_host_concurrency = {entry.max_concurrency}")
    if entry.max_msgs_per_connection is not None:
        lines.append(f"max_messages_per_connection = {entry.max_msgs_per_connection}")
    if entry.recipient_limit is not None and entry.recipient_minutes is not None:
        lines.append(f"recipient_minutes = {entry.recipient_minutes}")
        lines.append(f"recipient_limit = {entry.recipient_limit}")
    if is_default or limited:
        lines.append(f"limit_type = {'MXIP' if entry.limit_per_mx_ip else 'host'}")
        lines.append(f"limit_apply = {'VG' if entry.limit_per_virtual_gateway else 'system'}")
    if entry.tls is not None:
        lines.append(f"use_tls = {entry.tls.value}")
    if is_default or entry.bounce_verification is not None:
        lines.append(f"bounce_validation = {'on' if entry.bounce_verification else 'off'}")
    if entry.dane is not None:
        lines.append(f"dane = {entry.dane.value}")
    if entry.mta_sts is not None:
        lines.append(f"mta_sts = {'on' if entry.mta_sts else 'off'}")
    if entry.tls_failure is not None:
        lines.append(f"tls_failure = {entry.tls_failure.value}")
    return "\n".join(lines) + "\n"


# -- one-line forms (destconfig new|edit|default <...> --key=value) ------------------------
DEFAULT_WORD = "default"


def option_words(words: list[str]) -> dict[str, str]:
    """`--key=value` words as {key: value}, the keys those of the file (§6.7)."""
    given: dict[str, str] = {}
    for word in words:
        key, sep, value = word.removeprefix("--").partition("=")
        key = key.lower()
        if not word.startswith("--") or not sep:
            raise ValueRefused(messages.BAD_KEY_VALUE(key=key, value=value))
        if key not in KEYS:
            raise ValueRefused(messages.UNKNOWN_PARAMETER(key=key))
        if not value:
            raise ValueRefused(messages.PARAMETER_NO_VALUE(key=key))
        if key in given:  # a script's typo: which of the two was meant is not ours to guess
            raise ValueRefused(messages.PARAMETER_TWICE(key=key))
        given[key] = value
    return given


def with_options(entry: DestinationEntry, options: Mapping[str, str],
                 is_default: bool) -> DestinationEntry:
    """`entry` with the file's parameters `options` applied, read exactly as IMPORT reads
    them; "default" unsets a domain's parameter (it then follows the DEFAULT row). Limits
    given without their scope keep the entry's. ValueRefused on the first problem."""
    name = DEFAULT_SECTION if is_default else entry.domain
    values = {k: (v, 0) for k, (v, _) in _sections(_dump_entry(name, entry, is_default))[0]
              .values.items()}
    unchanged = dict(values)
    for key, value in options.items():
        if value.lower() == DEFAULT_WORD and not is_default and key != "bounce_profile":
            values.pop(key, None)
        else:
            values[key] = (value, 0)
    if "max_host_concurrency" in values or "recipient_limit" in values:
        values.setdefault("limit_type", ("MXIP" if entry.limit_per_mx_ip else "host", 0))
        values.setdefault("limit_apply", ("VG" if entry.limit_per_virtual_gateway else "system", 0))
    before = _entry(_Section(name, 0, unchanged), name, is_default)
    after = _entry(_Section(name, 0, values), name, is_default)
    # only what the options changed: the settings the file does not carry are kept
    changed = {f: getattr(after, f) for f in DestinationEntry.__struct_fields__
               if f != "domain" and getattr(after, f) != getattr(before, f)}
    return replace(entry, **changed)
