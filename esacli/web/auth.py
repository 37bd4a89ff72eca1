"""Logins and sessions of the web console.

Passwords are the appliance's (state/secrets.py) and are checked through the same
LoginGuard as SSH logins (esacli/login_guard.py: threads of its own, so guessing cannot
take the threads that spool mail; an address that keeps failing is slowed down; failures
logged in system_logs with the address, never with the password). Sessions are random
tokens kept in memory (a restart logs everyone out), ended after IDLE_SECONDS unused.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import logging
import secrets as random
import time
from collections.abc import Callable
from dataclasses import dataclass

from esacli.login_guard import LoginGuard
from state.secrets import Secrets
from state.users import Accounts

log = logging.getLogger("esacli.web")

COOKIE = "esacli_session"
IDLE_SECONDS = 30 * 60.0
BASIC_CACHE_SECONDS = 60.0  # a metrics scraper's credentials are hashed once a minute
MAX_SESSIONS = 1000


@dataclass
class WebSession:
    user: str
    csrf: str  # the logout form's token
    last: float
    standing: tuple[object, ...] = ()  # the account as it was at login (Guard.standing)


class Guard:
    def __init__(self, secrets: Secrets, clock: Callable[[], float] = time.monotonic,
                 accounts: Accounts | None = None) -> None:
        self.secrets = secrets
        self.clock = clock
        # With the accounts (the appliance): only an account of the committed configuration
        # logs in, as over SSH; a deleted account's password no longer opens anything.
        check = (accounts.check_password if accounts is not None
                 else lambda user, password: secrets.check_password(password, user))
        self._logins = LoginGuard(check, service="Web console")
        self._accounts = accounts
        self._sessions: dict[str, WebSession] = {}
        self._basic: dict[bytes, tuple[str, float, tuple[object, ...]]] = {}

    def close(self) -> None:
        self._logins.close()

    async def check(self, user: str, password: str, address: str) -> bool:
        """The password of `user`, from a client at `address` (slowed after failures)."""
        return await self._logins.check(address, user[:64], password)

    def open(self, user: str) -> str:
        if len(self._sessions) >= MAX_SESSIONS:
            oldest = min(self._sessions, key=lambda t: self._sessions[t].last)
            del self._sessions[oldest]
        token = random.token_urlsafe(32)
        self._sessions[token] = WebSession(user, random.token_urlsafe(16), self.clock(),
                                           self.standing(user))
        log.info("Web console login: %s", user)
        return token

    def standing(self, user: str) -> tuple[object, ...]:
        """What a login of `user` stands on: its password (hash) and its account (role):
        once either changes (deleted, new password, another role) its sessions end, as SSH
        would refuse the next login."""
        found = self._accounts.account(user) if self._accounts is not None else None
        return (self.secrets.password_hash(user), found.role if found is not None else None)

    def session(self, token: str | None) -> WebSession | None:
        found = self._sessions.get(token or "")
        now = self.clock()
        if found is None or now - found.last > IDLE_SECONDS or \
                self.standing(found.user) != found.standing:
            self._sessions.pop(token or "", None)
            return None
        found.last = now
        return found

    def end(self, token: str | None) -> None:
        self._sessions.pop(token or "", None)

    async def basic(self, header: str, address: str) -> str | None:
        """The user of an HTTP Basic `Authorization` header (metrics scrapers), or None."""
        scheme, _, value = header.partition(" ")
        if scheme.lower() != "basic":
            return None
        key = hashlib.sha256(value.encode()).digest()
        cached = self._basic.get(key)
        if cached is not None and self.clock() - cached[1] < BASIC_CACHE_SECONDS and \
                self.standing(cached[0]) == cached[2]:
            return cached[0]
        try:
            user, _, password = base64.b64decode(value, validate=True).decode().partition(":")
        except (ValueError, UnicodeDecodeError):
            return None
        if not await self.check(user, password, address):
            return None
        self._basic = {k: v for k, v in self._basic.items()
                       if self.clock() - v[1] < BASIC_CACHE_SECONDS}
        self._basic[key] = (user, self.clock(), self.standing(user))
        return user


def same_token(given: str, wanted: str) -> bool:
    return hmac.compare_digest(given.encode(), wanted.encode())
