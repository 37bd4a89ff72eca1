"""Users and what they may do: the one interface to accounts.

- Roles (the appliance's meaning): an Administrator may do everything, including
  managing accounts and access (userconfig, sshconfig, adminaccessconfig); an Operator
  everything but that; a Read-Only Operator may open every configuration dialog and look,
  but not change, commit or act on the queue; a Guest may only look at status. `ALLOWED`
  is that table, by class of command (the shell gives each command one) and by act
  (CHANGE: staging an edit; COMMIT: writing a version).
- Accounts live in the configuration (`Config.users`: name, role, full name, SSH keys);
  password hashes in the secrets area (state/secrets.py), or in a cluster's shared user
  database through `Accounts.on_password` (state.cluster's node.set_password), so that
  everything that sets or checks a password goes through `Accounts`.
- A login is accepted only for an account of the committed configuration (`account`), so
  a user staged in someone's session, or deleted by a commit, cannot log in.
"""

from __future__ import annotations

import base64
import binascii
import enum
import hashlib
from collections.abc import Callable, Iterator

from cryptography.exceptions import UnsupportedAlgorithm
from cryptography.hazmat.primitives import serialization

from state import messages, ranges
from state.errors import AccessRefused, ConfigError
from state.messages import Message
from state.model import Config
from state.model_access import ADMIN, AccessSettings, Role, UserAccount
from state.secrets import Secrets, hash_password, is_user_name


class Act(enum.Enum):
    """The class of a command (esacli.commands.menu.Command.kind), or an act inside one."""

    LOOK = "look"  # status, logs, own password, who/last
    CONFIGURATION = "configuration"  # open a configuration dialog (looking is allowed)
    CHANGE = "change"  # stage an edit (the first change a dialog makes)
    COMMIT = "commit"  # write a version: commit, rollbackconfig
    QUEUE = "queue action"  # act on the mail queue or listeners at once
    ACCOUNTS = "accounts"  # userconfig, sshconfig, adminaccessconfig


_EVERYONE = frozenset(Role)
_CHANGERS = frozenset({Role.ADMINISTRATOR, Role.OPERATOR})
ALLOWED: dict[Act, frozenset[Role]] = {
    Act.LOOK: _EVERYONE,
    Act.CONFIGURATION: frozenset({Role.ADMINISTRATOR, Role.OPERATOR, Role.READ_ONLY}),
    Act.CHANGE: _CHANGERS,
    Act.COMMIT: _CHANGERS,
    Act.QUEUE: _CHANGERS,
    Act.ACCOUNTS: frozenset({Role.ADMINISTRATOR}),
}


# How state's messages name a role (the shell's dialogs have their own labels: texts.users).
ROLE_NAMES: dict[Role, str] = {
    Role.ADMINISTRATOR: "Administrator",
    Role.OPERATOR: "Operator",
    Role.READ_ONLY: "Read-Only Operator",
    Role.GUEST: "Guest",
}


def may(role: Role | None, act: Act) -> bool:
    return role is not None and role in ALLOWED[act]


def account(config: Config, user: str) -> UserAccount | None:
    return next((u for u in config.users if u.name == user), None)


def role_of(config: Config, user: str) -> Role | None:
    """The user's role in `config`; None for a name with no account there."""
    found = account(config, user)
    return None if found is None else found.role


def touches_accounts(before: Config, after: Config) -> bool:
    """True when `after` changes accounts or access settings: an Administrator's act."""
    return before.users != after.users or before.access != after.access


# -- passwords -----------------------------------------------------------------------


def password_refusal(config: Config, password: str) -> Message | None:
    """Why `password` cannot be a password under `config`'s policy, or None."""
    if any(ord(c) < 32 or ord(c) == 127 for c in password):
        return messages.PASSWORD_CONTROL()
    length = config.access.min_password_length
    if len(password) < length:
        return messages.PASSWORD_TOO_SHORT(length=length)
    return None


def user_name_refusal(config: Config, name: str) -> Message | None:
    if not is_user_name(name):
        return messages.USER_NAME_FORM()
    if account(config, name) is not None:
        return messages.USER_EXISTS(user=name)
    return None


# -- SSH public keys -------------------------------------------------------------------


def parse_ssh_key(text: str) -> str | Message:
    """An OpenSSH public key line, normalised (`type base64 [comment]`), or why not."""
    line = " ".join(text.split())
    if "PRIVATE KEY" in line:
        return messages.SSH_KEY_PRIVATE()
    words = line.split(" ", 2)
    if len(words) < 2:
        return messages.SSH_KEY_INVALID()
    try:
        serialization.load_ssh_public_key(" ".join(words[:2]).encode())
    except (ValueError, TypeError, binascii.Error, UnsupportedAlgorithm):
        return messages.SSH_KEY_INVALID()
    return line


def key_blob(line: str) -> bytes:
    """The key itself (its wire form), to compare a stored key with one offered at login."""
    try:
        return base64.b64decode(line.split()[1])
    except (IndexError, binascii.Error):
        return b""


def fingerprint(line: str) -> str:
    """`SHA256:...` as `ssh-keygen -l` prints it."""
    digest = hashlib.sha256(key_blob(line)).digest()
    return "SHA256:" + base64.b64encode(digest).decode().rstrip("=")


# -- validation ------------------------------------------------------------------------


def lockout_refusal(config: Config) -> Message | None:
    """Why password logins cannot be off in `config`: no Administrator could log in over
    SSH then (only the local console could turn them on again), or None."""
    if config.access.logins.password_login or any(
            u.role is Role.ADMINISTRATOR and u.ssh_keys for u in config.users):
        return None
    return messages.PASSWORD_LOGIN_LOCKOUT()


def problems(config: Config) -> Iterator[ConfigError]:
    """The users and access settings of a version (state.validate reads these)."""
    seen: set[str] = set()
    for user in config.users:
        path = f"users[{user.name}]"
        if not is_user_name(user.name):
            yield ConfigError(path, messages.USER_NAME_FORM())
        if user.name in seen:
            yield ConfigError(path, messages.NAME_USED_TWICE(name=user.name))
        seen.add(user.name)
        for number, key in enumerate(user.ssh_keys, 1):
            if parse_ssh_key(key) != key:
                yield ConfigError(f"{path}.ssh_keys[{number}]", messages.SSH_KEY_INVALID())
    if role_of(config, ADMIN) is not Role.ADMINISTRATOR:
        yield ConfigError("users", messages.USERS_NO_ADMIN())
    lockout = lockout_refusal(config)
    if lockout is not None:
        yield ConfigError("access.logins.password_login", lockout)
    access = config.access
    checks = [("access.min_password_length", access.min_password_length, ranges.PASSWORD_LENGTH),
              ("access.idle_timeout_minutes", access.idle_timeout_minutes, ranges.IDLE_MINUTES)]
    checks += [(f"access.logins.{field}", getattr(access.logins, field), allowed)
               for field, allowed in ranges.LOGIN_FIELDS.items()]
    for path, value, allowed in checks:
        if value not in allowed:
            yield ConfigError(path, allowed.refusal())


# -- the one interface to accounts --------------------------------------------------------

# How a cluster member also writes a hash to the shared user database (set by the shell
# wiring when the data dir is a member: state.cluster's node.set_password).
PasswordHook = Callable[[str, str], None]  # (user, hash line)


class RoleGate:
    """What `user` may do, from their role in the committed configuration (`head`);
    without `enforce` (the local console, tools on the data dir: the machine's owner)
    everything."""

    def __init__(self, head: Callable[[], Config], user: str, enforce: bool) -> None:
        self._head = head
        self.user = user
        self.enforce = enforce

    @property
    def role(self) -> Role | None:
        return role_of(self._head(), self.user)

    def may(self, act: Act) -> bool:
        return not self.enforce or may(self.role, act)

    def require(self, act: Act) -> None:
        """AccessRefused, with the appliance's words, unless the role may `act`."""
        if self.may(act):
            return
        role = self.role
        name = "user without an account" if role is None else ROLE_NAMES[role]
        refusal = {Act.COMMIT: messages.NOT_PERMITTED_COMMIT,
                   Act.ACCOUNTS: messages.NOT_PERMITTED_ACCOUNTS}.get(
                       act, messages.NOT_PERMITTED_CHANGE)
        raise AccessRefused(refusal(user=self.user, role=name))


class Accounts:
    """Passwords and logins of the accounts of the committed configuration."""

    def __init__(self, secrets: Secrets, head: Callable[[], Config],
                 on_password: PasswordHook | None = None) -> None:
        self.secrets = secrets
        self._head = head
        self.on_password = on_password

    def account(self, user: str) -> UserAccount | None:
        return account(self._head(), user)

    def check_password(self, user: str, password: str) -> bool:
        """True for an account of the committed configuration and its password. As slow
        for a name without an account (scrypt runs all the same)."""
        ok = self.secrets.check_password(password, user)
        return ok and self.account(user) is not None

    def set_password(self, user: str, password: str) -> None:
        self.set_hash(user, hash_password(password))

    def set_hash(self, user: str, line: str) -> None:
        """Store a password hash: through `on_password` first (a cluster member's shared
        user database: if it refuses, nothing changes here either), then locally."""
        if self.on_password is not None:
            self.on_password(user, line)
        self.secrets.set_password_hash(line, user)

    def password_hash(self, user: str) -> str | None:
        return self.secrets.password_hash(user)

    def key_allowed(self, user: str, blob: bytes) -> bool:
        found = self.account(user)
        return found is not None and any(key_blob(k) == blob for k in found.ssh_keys)

    def access(self) -> AccessSettings:
        """The committed access settings (password logins, throttling, idle timeout)."""
        return self._head().access
