"""A data dir with one account of each role, and scripted sessions of those users, for
the transcripts of the account and configuration-file commands."""

from __future__ import annotations

import functools
from collections.abc import Sequence
from pathlib import Path

from esacli.console import ScriptedConsole
from esacli.logins import Logins
from esacli.shell import Shell
from state import model
from state.defaults import factory_config
from state.model_access import Role, UserAccount
from state.secrets import Secrets, hash_password
from state.session import Session
from state.store import Store
from tests.kit.shell import NOW, LocalAppliance

ROLES = {"admin": Role.ADMINISTRATOR, "op": Role.OPERATOR, "ro": Role.READ_ONLY,
         "guest": Role.GUEST}
NAMES = {"op": "Olga Operator", "ro": "Rita Reader", "guest": "Gus Guest"}
# A public key made once with ssh-keygen (fixed, so fingerprints in transcripts are too).
KEY = ("ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIBISR5D50kqnBZf51mDLgpr8Hg4RiPNG/pNzs3CTXkCO"
       " ops@example.com")
OTHER_KEY = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIEY1PwT/slOVPQ4yU6J0cwVcniO+bf6PUq2c0bRFv6OP"
CTRL_C, CTRL_D = ScriptedConsole.CTRL_C, ScriptedConsole.CTRL_D


def password(user: str) -> str:
    return f"{user}-password-1"


@functools.cache
def password_hash(user: str) -> str:
    """The hash of `password(user)`, made once (scrypt is slow on purpose)."""
    return hash_password(password(user))


def with_accounts(data: Path) -> LocalAppliance:
    """A data dir whose first version has admin, op, ro and guest (passwords set)."""
    secrets, store = Secrets(data), Store(data)
    config = factory_config(secrets)
    extra = tuple(UserAccount(n, ROLES[n], NAMES[n]) for n in ("op", "ro", "guest"))
    store.write(model.replace(config, users=(*config.users, *extra)), None, "admin", "test",
                "factory")
    for user in ROLES:
        secrets.set_password_hash(password_hash(user), user)
    return LocalAppliance(store, secrets)


def remote(app: LocalAppliance, user: str) -> Session:
    """A session as an SSH login of `user` makes it (roles enforced)."""
    return Session(app.store, app.secrets, user, "ssh", enforce_role=True)


async def screen_of(session: Session, lines: Sequence[str], logins: Logins | None = None) -> str:
    """The screen of a scripted session that may end with its input (no `exit` needed)."""
    console = ScriptedConsole(lines)
    await Shell(console, session, clock=lambda: NOW, logins=logins).run()
    assert not console.remaining, f"unused input {console.remaining}:\n{console.screen}"
    return console.screen
