"""aiosmtpd's per-connection tables, bound lazily, and its handler hooks forwarded to the
connection's Conversation (engine/inbound/adapter.py makes one `Hooks` per connection)."""

from __future__ import annotations

import functools
from collections.abc import Awaitable, Callable, Iterator, Mapping
from typing import TYPE_CHECKING, Any

from aiosmtpd.smtp import SMTP, Envelope, Session, TLSSetupException

from engine import replies

if TYPE_CHECKING:
    from engine.inbound.adapter import EsaSMTP

SMTP_NAMES = frozenset(m[5:] for m in dir(SMTP) if m.startswith("smtp_") and m != "smtp_AUTH")
HOOK_NAMES = frozenset(("HELO", "EHLO", "RSET", "QUIT", "MAIL", "RCPT", "STARTTLS"))
SYNTAX_ATTRS = ("__smtp_syntax__", "__smtp_syntax_extended__", "__smtp_syntax_when__")

Runner = Callable[[str, Any, Any], Awaitable[None]]


class Members(Mapping[str, Any]):
    """Name -> `owner.<prefix><name>`, bound only when looked up: aiosmtpd's tables of
    commands and hooks, without a dict and a bound method each on every connection."""

    __slots__ = ("_names", "_owner", "_prefix")

    def __init__(self, owner: object, prefix: str, names: frozenset[str]) -> None:
        self._owner, self._prefix, self._names = owner, prefix, names

    def __getitem__(self, name: str) -> Any:
        if name not in self._names:
            raise KeyError(name)
        return getattr(self._owner, self._prefix + name)

    def __iter__(self) -> Iterator[str]:
        return iter(sorted(self._names))

    def __len__(self) -> int:
        return len(self._names)


class CommandTable(Members):
    """aiosmtpd's dispatch table; every lookup goes through the gate first."""

    __slots__ = ("_run",)

    def __init__(self, owner: object, run: Runner) -> None:
        super().__init__(owner, "smtp_", SMTP_NAMES)
        self._run = run

    def get(self, command: str, default: Any = None) -> Any:
        method = self[command] if command in self._names else None
        wrapper = functools.partial(self._run, command, method)
        for attr in SYNTAX_ATTRS:
            if hasattr(method, attr):
                setattr(wrapper, attr, getattr(method, attr))
        return wrapper


def reverse_path(address: str) -> str:
    """aiosmtpd keeps the null sender of `MAIL FROM:<>` as "<>" (it must stay truthy
    there, or RCPT would be refused); everywhere else it is the empty address."""
    return "" if address == "<>" else address


class Hooks:
    """aiosmtpd handler hooks for one connection, forwarded to its Conversation."""

    def __init__(self, owner: EsaSMTP) -> None:
        self.owner = owner

    async def handle_HELO(
        self, server: SMTP, session: Session, envelope: Envelope, hostname: str
    ) -> str:
        session.host_name = hostname
        self.owner.conn.greeted(hostname, esmtp=False)
        return replies.helo_ok(server.hostname)

    async def handle_EHLO(
        self, server: SMTP, session: Session, envelope: Envelope, hostname: str,
        responses: list[str],
    ) -> list[str]:
        session.host_name = hostname
        self.owner.conn.greeted(hostname, esmtp=True)
        return self.owner.conn.ehlo_lines(responses, self.owner.tls_active)

    async def handle_RSET(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        self.owner.conn.end_transaction()
        return replies.RESET_OK

    async def handle_QUIT(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        self.owner.conn.quit()
        self.owner.closing()  # what was pipelined after QUIT is not run
        return replies.BYE

    async def handle_MAIL(
        self, server: SMTP, session: Session, envelope: Envelope, address: str,
        options: list[str],
    ) -> str:
        reply = self.owner.conn.mail(reverse_path(address))
        if reply.ok:
            envelope.mail_from = address
            envelope.mail_options.extend(options)
        return reply.text

    async def handle_RCPT(
        self, server: SMTP, session: Session, envelope: Envelope, address: str,
        options: list[str],
    ) -> str:
        reply = self.owner.conn.rcpt(address, len(envelope.rcpt_tos))
        if reply.ok:
            envelope.rcpt_tos.append(address)
            envelope.rcpt_options.extend(options)
        return reply.text

    def handle_STARTTLS(self, server: SMTP, session: Session, envelope: Envelope) -> bool:
        # Called synchronously by aiosmtpd once the handshake has completed.
        ssl_object = (session.ssl or {}).get("ssl_object")
        if ssl_object is None:
            return True
        cipher = ssl_object.cipher()
        going_on = self.owner.conn.tls_started(
            ssl_object.version() or "", cipher[0] if cipher else "", ssl_object.getpeercert(),
            ssl_object.getpeercert(binary_form=True) or b"")
        server.data_size_limit = self.owner.conn.size_limit  # the HAT may have moved it
        return going_on  # False: aiosmtpd refuses every command but QUIT

    async def handle_exception(self, error: Exception) -> str:
        if isinstance(error, TLSSetupException):
            self.owner.conn.tls_failed(error.__cause__)
            return replies.LOCAL_ERROR
        return self.owner.conn.internal_error(error)
