"""Who may log in and what they may do: user accounts, their roles and SSH keys, and the
access settings (password policy, login throttling, idle timeout). Part of every
configuration version (`Config.users`, `Config.access`), so they are committed,
rolled back, saved and shared by a cluster like any other setting.

Passwords are not here: their scrypt hashes live in the secrets area (state/secrets.py),
and never in a version. Public keys are not secret and are part of the version.
"""

from __future__ import annotations

import enum

from state.records import Frozen


class Role(enum.Enum):
    """The appliance's predefined roles (what each may do: state.users.ALLOWED)."""

    ADMINISTRATOR = "administrator"
    OPERATOR = "operator"
    READ_ONLY = "read_only_operator"
    GUEST = "guest"


class UserAccount(Frozen, frozen=True):
    """A login. `ssh_keys` are OpenSSH public key lines (`ssh-ed25519 AAAA... comment`)."""

    name: str
    role: Role
    full_name: str = ""
    ssh_keys: tuple[str, ...] = ()


class LoginLimits(Frozen, frozen=True):
    """sshconfig SETUP: how logins are accepted and how guessing is slowed
    (esacli/login_guard.py applies them; their ranges are state.ranges.LOGIN_*)."""

    password_login: bool = True
    max_tries: int = 3  # failed passwords on one connection before it is closed
    free_failures: int = 5  # recent failures from one address before checks are spaced
    max_gap: int = 8  # seconds: the longest space between two checks from that address
    forget_minutes: int = 10  # failures older than this are forgotten


class AccessSettings(Frozen, frozen=True):
    """userconfig POLICY and adminaccessconfig TIMEOUT, with sshconfig SETUP's limits."""

    min_password_length: int = 8
    idle_timeout_minutes: int = 30  # an idle CLI session is logged out
    logins: LoginLimits = LoginLimits()


ADMIN = "admin"


def factory_users() -> tuple[UserAccount, ...]:
    """The one account of a new appliance (it cannot be deleted nor lose its role)."""
    return (UserAccount(ADMIN, Role.ADMINISTRATOR, "Administrator"),)
