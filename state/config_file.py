"""The whole configuration as one text file (showconfig, saveconfig, mailconfig,
loadconfig). Pure: text in, typed values out.

    # esacli configuration file
    format = 1
    hostname = "mail.example.com"
    interfaces#order = ["Management", "PublicNet"]
    interfaces[Management].ip = "127.0.0.1"
    listeners[InboundMail].hat.groups[TLS_Senders].senders = ["192.0.2.10"]
    ...
    secret.salt = "<base64>"
    secret.check = "<base64>"
    secret.key[3f1c...] = "<base64>"          or  = "masked"
    secret.password[bob] = "<base64>"         or  = "masked"
    end = 412

- One setting per line, `<path> = <JSON value>`, in the model's order: the paths are
  those of `showchanges` and of the commit model's merge (state/diff.py), so two saved
  files compare line by line with `diff`. Lists of named records are addressed by name
  (`listeners[InboundMail].port`), their order is the `#order` line. `#` starts a
  comment; blank lines are ignored. A setting the file leaves out takes the model's
  default, so a file of an older format version still loads.
- `format` is this file format's version (FORMAT). A file of a newer one is refused.
- `end` (since format 2) is the last line, the number of settings before it (`format`
  included): a file cut off anywhere, a paste that lost its tail or a middle part, is
  refused, where it would otherwise load with whatever was cut off at its defaults (every
  account but admin, every listener gone). A format 1 file has no end line.
- Secrets (the private keys the certificate profiles name, by key id, and the password
  hashes of the accounts) are "masked" (loadconfig then asks for those this appliance
  does not have) or encrypted: AES-256-GCM under a key derived with scrypt from a
  passphrase the administrator chooses (`secret.salt`), each with its own path as
  associated data, so a value cannot be moved to another key or user unnoticed.
  `secret.check` tells a wrong passphrase from a damaged value.
- Reading refuses a file it cannot take whole: every malformed line, every unknown or
  mistyped setting (by section), each with its line or path (`FileRefused.problems`).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import os
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

import msgspec
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from state import certs, diff, messages, model
from state.errors import ConfigError, FormatError, StateError
from state.model import Config
from state.secrets import Secrets

FORMAT = 2
READS = (1, 2)  # the formats a file may have
MASKED = "masked"
HEADER = "# esacli configuration file (see state/config_file.py for the format)"
_SCRYPT = {"n": 2**15, "r": 8, "p": 1, "maxmem": 64 * 1024 * 1024, "dklen": 32}
_CHECK = b"esacli configuration file"
_NONCE = 12
_EXTRA = {("format",), ("secret", "salt"), ("secret", "check")}
_END = ("end",)


class FileRefused(StateError):
    """The file cannot be loaded: `problems` lists every reason (lines, then settings)."""

    def __init__(self, problems: list[StateError]) -> None:
        super().__init__(messages.FILE_REFUSED(count=len(problems)))
        self.problems = problems


class WrongPassphrase(StateError):
    """The passphrase does not open the file's secrets."""


@dataclass(frozen=True)
class FileSecrets:
    """Private keys (key id -> PEM) and password hashes (user -> hash line)."""

    keys: Mapping[str, str] = field(default_factory=dict)
    passwords: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class ConfigFile:
    """A file read: the configuration, and its secrets as written (masked or sealed)."""

    config: Config
    keys: Mapping[str, str]  # key id -> MASKED or the sealed value
    passwords: Mapping[str, str]  # user -> MASKED or the sealed value
    salt: bytes | None = None
    check: bytes | None = None

    @property
    def encrypted(self) -> bool:
        return self.salt is not None


# -- writing ------------------------------------------------------------------------------


def _derive(passphrase: str, salt: bytes) -> bytes:
    return hashlib.scrypt(passphrase.encode(), salt=salt, **_SCRYPT)


def _seal(key: bytes, value: bytes, path: str) -> str:
    nonce = os.urandom(_NONCE)
    return base64.b64encode(nonce + AESGCM(key).encrypt(nonce, value, path.encode())).decode()


def _open(key: bytes, sealed: bytes, path: str) -> bytes:
    return AESGCM(key).decrypt(sealed[:_NONCE], sealed[_NONCE:], path.encode())


def _value(value: Any) -> str:
    return json.dumps(list(value) if isinstance(value, tuple) else value, ensure_ascii=False)


def dump(config: Config, secrets: FileSecrets, passphrase: str | None = None) -> str:
    """The file for `config`: secrets masked (no passphrase) or encrypted with it."""
    lines = [HEADER, f"format = {FORMAT}"]
    flat = diff.flatten(model.to_tree(config))
    lines += [f"{_render(path)} = {_value(value)}" for path, value in flat.items()]
    lines += _secret_lines(secrets, passphrase)
    lines.append(f"end = {len(lines) - 1}")  # (the header is a comment)
    return "\n".join(lines) + "\n"


def _secret_lines(secrets: FileSecrets, passphrase: str | None) -> list[str]:
    items = [(_render(("secret", "key", f"[{kid}]")), pem.encode())
             for kid, pem in sorted(secrets.keys.items())]
    items += [(_render(("secret", "password", f"[{user}]")), line.encode())
              for user, line in sorted(secrets.passwords.items())]
    if passphrase is None:
        return [f"{path} = {_value(MASKED)}" for path, _ in items]
    salt = os.urandom(16)
    key = _derive(passphrase, salt)
    lines = [f"secret.salt = {_value(base64.b64encode(salt).decode())}",
             f"secret.check = {_value(_seal(key, _CHECK, 'secret.check'))}"]
    return lines + [f"{path} = {_value(_seal(key, data, path))}" for path, data in items]


# -- reading ------------------------------------------------------------------------------


_PLAIN_KEY = re.compile(r'[^\[\]"\s\\=#]+')
_NAME = re.compile(r"[a-z_][a-z0-9_]*")


def _render(path: diff.Path) -> str:
    """A path as in showchanges, but a key that holds brackets, quotes, spaces or other
    characters a reader could not split on is written as a JSON string:
    `routes["a[1].example"].hosts`."""
    out = ""
    for part in path:
        if part.startswith("[") and part.endswith("]"):
            key = part[1:-1]
            out += f"[{key}]" if _PLAIN_KEY.fullmatch(key) else f"[{json.dumps(key)}]"
        elif part == diff.ORDER:
            out += diff.ORDER
        else:
            out += ("." if out else "") + part
    return out


def _split(line: str) -> tuple[diff.Path, str] | None:
    """The path at the start of `line` and the text after it; None if malformed."""
    parts: list[str] = []
    rest = line
    while rest and not rest.startswith(" "):
        if rest.startswith(diff.ORDER):
            parts.append(diff.ORDER)
            rest = rest[len(diff.ORDER):]
            break
        if rest.startswith("["):
            key_and_rest = _key(rest[1:])
            if key_and_rest is None:
                return None
            key, rest = key_and_rest
            parts.append(f"[{key}]")
            continue
        rest = rest[1:] if parts and rest.startswith(".") else rest
        name = _NAME.match(rest)
        if name is None:
            return None
        parts.append(name.group())
        rest = rest[name.end():]
    return (tuple(parts), rest) if parts else None


def _key(text: str) -> tuple[str, str] | None:
    """A key (plain, or a JSON string) and what follows its `]`."""
    if text.startswith('"'):
        try:
            key, end = json.JSONDecoder().raw_decode(text)
        except ValueError:
            return None
        if not isinstance(key, str) or text[end:end + 1] != "]":
            return None
        return key, text[end + 1:]
    plain = _PLAIN_KEY.match(text)
    if plain is None or text[plain.end():plain.end() + 1] != "]":
        return None
    return plain.group(), text[plain.end() + 1:]


def _lines(text: str) -> Iterator[tuple[int, str, diff.Path | None, str]]:
    """(line number, the setting as written, its path or None, the value text)."""
    # Only "\n" ends a line: str.splitlines() also breaks at NEL or U+2028, which a
    # name or text may hold (JSON leaves them as they are).
    for number, raw in enumerate(text.split("\n"), 1):
        line = raw.strip(" \t\r")
        if not line or line.startswith("#"):
            continue
        split = _split(line)
        if split is None or not split[1].startswith(" = "):
            yield number, line.split(" = ", 1)[0], None, ""
            continue
        path, rest = split
        yield number, line[: len(line) - len(rest)], path, rest[3:]


def _json(number: int, raw: str) -> Any:
    try:
        return json.loads(raw)
    except ValueError:
        raise FormatError(number, messages.FILE_BAD_VALUE(value=raw)) from None


@dataclass
class _Reading:
    flat: dict[diff.Path, Any] = field(default_factory=dict)
    keys: dict[str, str] = field(default_factory=dict)
    passwords: dict[str, str] = field(default_factory=dict)
    extra: dict[str, Any] = field(default_factory=dict)  # format, secret.salt, secret.check
    problems: list[StateError] = field(default_factory=list)
    settings: int = 0  # lines before the end line, well-formed or not
    end: tuple[int, Any] | None = None  # (its line number, its value)


def _read_line(reading: _Reading, number: int, name: str, path: diff.Path | None,
               raw: str) -> None:
    if path is None:
        raise FormatError(number, messages.FILE_BAD_LINE())
    if reading.end is not None:
        raise FormatError(number, messages.FILE_AFTER_END())
    value = _json(number, raw)
    if path == _END:
        reading.end = (number, value)
        return
    if len(path) == 3 and path[0] == "secret" and path[1] in ("key", "password"):
        if not isinstance(value, str):
            raise FormatError(number, messages.FILE_BAD_VALUE(value=raw))
        table = reading.keys if path[1] == "key" else reading.passwords
        table[path[2][1:-1]] = value
    elif path in _EXTRA:
        reading.extra[".".join(path)] = value
    elif path[0] == "secret":
        raise FormatError(number, messages.FILE_BAD_PATH(path=name))
    elif path in reading.flat:
        raise FormatError(number, messages.FILE_PATH_TWICE(path=name))
    else:
        reading.flat[path] = tuple(value) if isinstance(value, list) else value


def parse(text: str) -> ConfigFile:
    """The file's configuration and secrets; FileRefused with every problem found."""
    reading = _Reading()
    for number, name, path, raw in _lines(text):
        reading.settings += reading.end is None and path != _END
        try:
            _read_line(reading, number, name, path, raw)
        except FormatError as problem:
            reading.problems.append(problem)
    _check_whole(reading)
    config = _config(reading)  # settings are checked even after a bad line: all problems
    salt, check = (_b64(reading, k) for k in ("secret.salt", "secret.check"))
    if reading.problems or config is None:
        raise FileRefused(reading.problems)
    return ConfigFile(config, reading.keys, reading.passwords, salt, check)


def _check_whole(reading: _Reading) -> None:
    """The file's format is one this appliance reads, and (format 2) nothing is cut off."""
    found = reading.extra.get("format")
    if found not in READS:
        reading.problems.insert(0, StateError(messages.FILE_FORMAT(
            found=found, supported=", ".join(map(str, READS)))))
    elif found >= 2 and reading.end is None:
        reading.problems.insert(0, StateError(messages.FILE_NO_END()))
    elif reading.end is not None and reading.end[1] != reading.settings:
        reading.problems.insert(0, FormatError(reading.end[0], messages.FILE_END_COUNT(
            found=reading.settings, expected=reading.end[1])))


def _b64(reading: _Reading, name: str) -> bytes | None:
    value = reading.extra.get(name)
    if value is None:
        return None
    try:
        return base64.b64decode(str(value), validate=True)
    except (binascii.Error, ValueError):
        reading.problems.append(FormatError(0, messages.FILE_BAD_VALUE(value=name)))
        return None


def _config(reading: _Reading) -> Config | None:
    """The configuration the settings make, every section checked on its own so that
    each one's problem is reported."""
    tree = diff.unflatten_tree(reading.flat)
    default = model.to_tree(Config(hostname="x"))
    for section, value in tree.items():
        if section not in default:
            reading.problems.append(ConfigError(section, messages.FILE_UNKNOWN_SETTING()))
            continue
        try:
            msgspec.convert({**default, section: value}, type=Config)
        except msgspec.ValidationError as exc:
            reading.problems.append(ConfigError(section, messages.FILE_BAD_SETTING(
                reason=str(exc))))
    if "hostname" not in tree:
        reading.problems.append(ConfigError("hostname", messages.FILE_UNKNOWN_SETTING()))
    return None if reading.problems else model.from_tree(tree)


def unlock(loaded: ConfigFile, passphrase: str) -> FileSecrets:
    """The secrets of an encrypted file; WrongPassphrase if the passphrase is not its."""
    if loaded.salt is None or loaded.check is None:
        return FileSecrets()
    key = _derive(passphrase, loaded.salt)
    try:
        _open(key, loaded.check, "secret.check")
    except InvalidTag:
        raise WrongPassphrase(messages.FILE_WRONG_PASSPHRASE()) from None
    keys = {kid: _reveal(key, value, _render(("secret", "key", f"[{kid}]")))
            for kid, value in loaded.keys.items() if value != MASKED}
    passwords = {user: _reveal(key, value, _render(("secret", "password", f"[{user}]")))
                 for user, value in loaded.passwords.items() if value != MASKED}
    return FileSecrets(keys, passwords)


def _reveal(key: bytes, value: str, path: str) -> str:
    try:
        return _open(key, base64.b64decode(value, validate=True), path).decode()
    except (InvalidTag, binascii.Error, ValueError):
        raise StateError(messages.FILE_SECRET_DAMAGED(path=path)) from None


MIN_PASSPHRASE = 8


def passphrase_refusal(passphrase: str) -> messages.Message | None:
    if len(passphrase) < MIN_PASSPHRASE:
        return messages.FILE_PASSPHRASE_SHORT(length=MIN_PASSPHRASE)
    return None


def file_secrets(config: Config, secrets: Secrets) -> FileSecrets:
    """What a file of `config` carries as secrets: the private key of every certificate
    profile (that this appliance has) and the password hash of every account (that has
    one). Reads the secrets area; the rest of this module is pure."""
    keys = {c.key_id: certs.key_pem(secrets.load_key(c.key_id)).decode()
            for c in config.certificates if secrets.has_key(c.key_id)}
    passwords = {u.name: line for u in config.users
                 if (line := secrets.password_hash(u.name)) is not None}
    return FileSecrets(keys, passwords)
