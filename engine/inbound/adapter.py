"""With engine/inbound/hooks.py and starttls.py, the only modules that import aiosmtpd
(pinned to 1.4.6: we use its internals).

`EsaSMTP` is created per connection. On the first `connection_made` (the TLS layer
calls it again after STARTTLS) it pins the RuntimeConfig current at accept time and lets
a `Conversation` decide the rest. Private attributes relied on:
`_smtp_methods` (command dispatch, wrapped to gate every command and answer
unknown ones), `_tls_protocol` (TLS active), `_handler_coroutine`, `_writer`,
`_reader._buffer` (is a pipelined command waiting?), `_original_transport`, and
`_reset_timeout` / `_timeout_cb` / `_timeout_handle`: aiosmtpd's one idle timer,
reset only on commands, is replaced by the session's deadlines (greeting, command,
per data block, without progress; engine/inbound/pacing.py). Message data is
seen arriving in `data_received`, below the DATA loop.

Speed (bench/README.md has the profiles): `SMTP.__init__` is replaced by `_setup`,
which sets the same attributes without aiosmtpd's per-connection introspection
(`inspect.getmembers`, `dir`); `smtp_DATA` reads DATA in large chunks and streams it
to the spool file (engine/inbound/dotstream.py finds the end, engine/inbound/
receiving.py writes); `_getaddr` takes a plain `<local@domain>` without the email
package's header parser; aiosmtpd's per-line debug logging is skipped unless enabled;
STARTTLS runs on the loop's own TLS layer (uvloop's is compiled: engine/inbound/starttls.py).
"""

from __future__ import annotations

import asyncio
import collections
import logging
import math
import re
import time
from collections.abc import Callable
from typing import Any, Protocol

import aiosmtpd.smtp
from aiosmtpd.smtp import SMTP

from engine import maillog, replies
from engine.inbound.conversation import Conversation, Opening, Services
from engine.inbound.hooks import HOOK_NAMES, CommandTable, Hooks, Members, reverse_path
from engine.inbound.receiving import Receiving
from engine.inbound.starttls import StartTlsSMTP
from engine.inbound.tracker import ConnectionTracker
from engine.runtime import ListenerSpec, RuntimeConfig

# aiosmtpd logs failed handshakes and session errors with tracebacks; mail_logs
# gets our one-line versions instead, so keep its logger quiet.
_AIOSMTPD_LOG = logging.getLogger("mail.log")
_AIOSMTPD_LOG.setLevel(logging.WARNING)
_sanitized_log = aiosmtpd.smtp.sanitized_log


def _quiet_sanitized_log(func: Callable[..., None], msg: Any, *args: Any, **kw: Any) -> None:
    # aiosmtpd sanitizes every command line for its debug/info lines before the logger
    # drops them: only do that work when they would be written.
    if _AIOSMTPD_LOG.isEnabledFor(logging.INFO):
        _sanitized_log(func, msg, *args, **kw)


aiosmtpd.smtp.sanitized_log = _quiet_sanitized_log

UNKNOWN_COMMAND_LIMIT = 5
DATA_CHUNK = 64 * 1024  # DATA is read in chunks this large (the reader's limit meanwhile)
_ATEXT = r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+"
_PLAIN_PATH = re.compile(rf"<({_ATEXT}(?:\.{_ATEXT})*@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*)>")
# Replies to these may wait for the rest of a pipelined group (RFC 2920 §3.2).
_GROUPED = frozenset({"RSET", "MAIL", "RCPT"})
_FAR = 86400.0  # a timer for "never": aiosmtpd wants one armed at all times


class ListenerHandle(Protocol):
    """What a connection needs from the listener that accepted it."""

    services: Services
    tracker: ConnectionTracker

    def current(self) -> tuple[RuntimeConfig, ListenerSpec]: ...

    def opened(self, connection: EsaSMTP) -> None: ...

    def closed(self, connection: EsaSMTP) -> None: ...


class EsaSMTP(StartTlsSMTP):
    def __init__(self, listener: ListenerHandle) -> None:
        self._setup(asyncio.get_running_loop())
        self._listener = listener
        self._conn: Conversation | None = None
        self._refused = False
        self._lost = False
        self._peer_ip = ""
        self._greeting: str | None = None
        self._unknown = 0
        self._command = ""
        self._unsent: list[str] = []  # replies held back while the client pipelines
        self._hung_up = False  # a closing reply was sent: nothing after it runs

    def _setup(self, loop: asyncio.AbstractEventLoop) -> None:
        """What `SMTP.__init__(hooks, hostname="localhost", ident=..., auth_exclude_mechanism=
        ["LOGIN", "PLAIN"], loop=loop)` sets, without its introspection of every member
        on each connection (tests/engine/test_adapter_setup.py compares the two)."""
        self.__ident__ = replies.BANNER_IDENT
        self.loop = loop
        asyncio.StreamReaderProtocol.__init__(
            self, CommandReader(loop=loop, limit=self.line_length_limit),
            client_connected_cb=self._cb_client_connected, loop=loop)
        hooks = Hooks(self)
        self.event_handler = hooks
        self.data_size_limit = aiosmtpd.smtp.DATA_SIZE_DEFAULT
        self.enable_SMTPUTF8 = False
        self._decode_data = False
        # aiosmtpd keeps these on the class, cleared by every new connection and grown
        # by every EHLO: one per connection is what it means
        self.command_size_limits = collections.defaultdict(lambda: SMTP.command_size_limit)
        self.hostname = "localhost"  # replaced in connection_made; avoids a getfqdn() lookup
        self.tls_context = None
        self.require_starttls = None
        self._timeout_duration = 300
        self._timeout_handle = None
        self._tls_handshake_okay = True
        self._tls_protocol = None
        self._original_transport = None
        self.session = None
        self.envelope = None
        self.transport = None
        self._handler_coroutine = None
        self._auth_require_tls = True
        self._proxy_timeout = None
        self._authenticator = None
        self._auth_callback = aiosmtpd.smtp.login_always_fail
        self._auth_required = False
        self._auth_methods = {}  # no SMTP AUTH in this product
        # Mappings where aiosmtpd annotates dicts: it only looks names up and lists them
        self._handle_hooks = Members(hooks, "handle_", HOOK_NAMES)  # type: ignore[assignment]
        self._ehlo_hook_ver = "new"
        self._smtp_methods = CommandTable(self, self._run_command)  # type: ignore[assignment]
        self._enforce_call_limit = False

    @property
    def conn(self) -> Conversation:
        assert self._conn is not None
        return self._conn

    @property
    def tls_active(self) -> bool:
        return self._tls_protocol is not None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        if self._conn is not None:  # again, by the TLS layer: STARTTLS's handshake is done
            self._tls_started(transport)
            return
        runtime, spec = self._listener.current()  # pinned until the connection ends
        conn = Conversation(self._listener.services, runtime, spec, self._listener.tracker)
        conn.close_now, conn.deadline_moved = self._close_now, self._arm
        self._conn = conn
        self._listener.opened(self)
        peer = transport.get_extra_info("peername") or ("", 0)
        self._peer_ip = str(peer[0])
        self.hostname = spec.hostname
        # Starts _handle_client, which decides (after any DNS lookups) before the banner.
        super().connection_made(transport)

    async def _handle_client(self) -> None:
        try:
            opening = await self.conn.open(self._peer_ip)
        except Exception as error:  # noqa: BLE001 (a bug must not leave the client hanging)
            opening = Opening(serve=False, reply=self.conn.internal_error(error))
        if not opening.serve:
            self._refused = True
            if opening.reply and self.transport is not None:
                self.transport.write(opening.reply.encode() + b"\r\n")  # type: ignore[attr-defined]
            if self.transport is not None:
                self.transport.close()
            return
        self.tls_context = self.conn.tls_context
        self.data_size_limit = self.conn.size_limit
        self._greeting = opening.reply  # sent instead of aiosmtpd's own first line
        await super()._handle_client()

    def data_received(self, data: bytes) -> None:
        if self._conn is not None:
            self._conn.received_bytes(len(data))
        super().data_received(data)

    def connection_lost(self, error: Exception | None) -> None:
        if self._lost:
            return
        self._lost = True
        if self._conn is not None:
            self._conn.closed()
        self._listener.closed(self)
        if self._timeout_handle is None:  # our deadline fired and closed: aiosmtpd asserts one
            self._timeout_handle = self.loop.call_later(_FAR, self._timeout_cb)
        super().connection_lost(error)

    def eof_received(self) -> bool | None:
        """A plain connection's EOF is a half-close: what came before it (a message's
        last line, a QUIT) is still served and answered, then the session ends (the
        reader's EOF, CommandReader). aiosmtpd cancelled the session at once: a message
        whose dot came with the EOF was spooled and delivered, its 250 never sent. A TLS
        transport cannot stay half-open: its session ends now, as before."""
        if self._refused:
            return False
        if self.tls_active:
            return super().eof_received()
        return asyncio.StreamReaderProtocol.eof_received(self)  # feeds the EOF; True

    def abort(self) -> None:
        """Close the connection now (engine stop)."""
        if self.transport is not None:
            self.transport.close()

    # -- deadlines (engine/inbound/pacing.py decides them) ----------------
    def _reset_timeout(self, duration: float | None = None) -> None:
        # aiosmtpd calls this on connect, after STARTTLS and before each command.
        self._arm()

    def _arm(self) -> None:
        when = self._conn.deadline() if self._conn is not None else math.inf
        now = time.monotonic()
        when = min(max(now, when), now + _FAR)
        handle = self._timeout_handle
        if handle is not None and not handle.cancelled():
            if handle.when() <= when:
                return  # it fires early and looks again (_timeout_cb): no new timer per command
            handle.cancel()
        self._timeout_handle = self.loop.call_at(when, self._timeout_cb)

    def _timeout_cb(self) -> None:
        # Activity only moves the deadline later, so a timer may fire early: look again.
        self._timeout_handle = None
        if self._conn is not None and not self._lost and not self._conn.expire():
            self._arm()

    def _close_now(self, reply: str) -> None:
        """Send a last reply and close; a client that does not read is cut off."""
        transport = self.transport
        if transport is None or transport.is_closing():
            return
        lines = [*self._unsent, reply]
        self._unsent.clear()
        transport.write(("\r\n".join(lines) + "\r\n").encode("ascii", "replace"))  # type: ignore[attr-defined]
        self._hang_up()
        raw = self._original_transport or transport
        self.loop.call_later(self.conn.timeouts.stress, self._cut_off, raw)

    def _cut_off(self, raw: asyncio.BaseTransport) -> None:
        # close() waits for unsent replies; a client that never reads would keep
        # the socket forever, so after a grace period it is aborted.
        if not self._lost:
            raw.abort()  # type: ignore[attr-defined]

    # -- replies ---------------------------------------------------------
    async def push(self, status: Any) -> None:
        if self._greeting is not None:  # the first push is aiosmtpd's banner
            status, self._greeting = self._greeting, None
        if status == replies.AIOSMTPD_BAD_SYNTAX:  # garbage lines count as unknown commands
            await self._unknown_command()
            return
        if isinstance(status, str):
            status = self._noted(status)
        line = status if isinstance(status, str) else status.decode()
        self._unsent.append(line)
        if line.rpartition("\n")[2][3:4] == "-":
            return  # a multi-line reply (EHLO's) goes out whole: one write, one TLS record
        if self._command in _GROUPED and _more_commands(self._reader):
            return  # RFC 2920 §3.2: answer a pipelined group as a unit
        lines, self._unsent = self._unsent, []
        await super().push("\r\n".join(lines))

    def _noted(self, status: str) -> str:
        """Tell the session what a reply means, and reword aiosmtpd's own texts."""
        if status in replies.AIOSMTPD_REWRITES:
            status = replies.AIOSMTPD_REWRITES[status]
            if status == replies.SIZE_EXCEEDED:
                self.conn.data_failed(maillog.SIZE_EXCEEDED, status)
            elif status == replies.LINE_TOO_LONG:
                self.conn.data_failed(maillog.LINE_TOO_LONG, status)
        if status.startswith("354"):
            self.conn.data_started()
        elif status[:1] in ("4", "5"):
            self.conn.refused()
        return status

    async def _run_command(self, command: str, method: Any, arg: str | None) -> None:
        if self._hung_up:  # pipelined behind a closing reply: read, never run (its cancel
            return         # comes at the next wait, and buffered lines need none)
        self._command = command
        self.conn.command()
        try:
            await self._dispatch(command, method, arg)
        finally:
            self.conn.command_done()

    async def _dispatch(self, command: str, method: Any, arg: str | None) -> None:
        refusal = self.conn.gate(command, arg, self.tls_active)
        if refusal is not None and refusal.close:
            # written now, after the replies a pipelined group held (push would hold this
            # one too, and the close drop them all)
            self._close_now(self._noted(refusal.text))
        elif refusal is not None:
            await self.push(refusal.text)
        elif method is None:
            await self._unknown_command()
        else:
            await method(self.conn.argument(command, arg))

    async def _unknown_command(self) -> None:
        if self._hung_up:  # a garbage line read after the closing reply (push's count)
            return
        self._unknown += 1
        if self._unknown > UNKNOWN_COMMAND_LIMIT:
            self.conn.receiving_failed(maillog.TOO_MANY_UNKNOWN)
            self._close_now(self._noted(replies.TOO_MANY_UNKNOWN))
        else:
            await self.push(replies.UNKNOWN_COMMAND)

    # -- MAIL, RCPT, DATA ------------------------------------------------
    def _getaddr(self, arg: str) -> tuple[str | None, str | None]:
        match = _PLAIN_PATH.match(arg.lstrip()) if arg else None
        if match is None:  # anything unusual: aiosmtpd's parser (the email package's)
            return super()._getaddr(arg)  # type: ignore[no-any-return]
        return match.group(1), arg.lstrip()[match.end():]

    @aiosmtpd.smtp.syntax("DATA")  # as aiosmtpd's: HELP lists and explains it
    async def smtp_DATA(self, arg: str) -> None:
        """aiosmtpd's checks and 354, then the message read in chunks into the spool."""
        if await self.check_helo_needed() or await self.check_auth_needed("DATA"):
            return
        envelope = self.envelope
        assert envelope is not None
        if not envelope.rcpt_tos:
            await self.push("503 Error: need RCPT command")
            return
        if arg:
            await self.push("501 Syntax: DATA")
            return
        await self.push("354 End data with <CR><LF>.<CR><LF>")
        sender = reverse_path(envelope.mail_from or "")
        receiving = self.conn.begin_data(sender, envelope.rcpt_tos, self.data_size_limit)
        try:
            await self._read_data(receiving)
        except BaseException:  # the connection is gone (cancelled) or a bug: drop the file
            receiving.abort()
            raise
        reply = await self.conn.data(sender, envelope.rcpt_tos, receiving)
        self._set_post_data_state()
        await self.push(reply.text)

    async def _read_data(self, receiving: Receiving) -> None:
        reader = self._reader
        reader._limit = DATA_CHUNK  # type: ignore[attr-defined]  # pause reading later
        try:
            while True:
                chunk = await reader.read(DATA_CHUNK)
                if not chunk:  # EOF (aiosmtpd cancels us on EOF; this is the rest)
                    raise asyncio.CancelledError
                decoded = receiving.decoder.feed(chunk)
                receiving.add(decoded.data)
                if decoded.ended:
                    if decoded.rest:  # pipelined commands after the dot: read them next
                        reader._buffer[:0] = decoded.rest  # type: ignore[attr-defined]
                    return
                await receiving.incoming.drain()
        finally:
            reader._limit = self.line_length_limit  # type: ignore[attr-defined]

    def closing(self) -> None:
        """The session's last reply is on its way (QUIT's 221, a closing refusal): no
        command after it runs, though buffered ones are read without a wait (where the
        close's cancellation would land)."""
        self._hung_up = True

    def _hang_up(self) -> None:
        # As aiosmtpd's own QUIT does: stop reading, then close.
        self.closing()
        if self._handler_coroutine is not None:
            self._handler_coroutine.cancel()
        if self.transport is not None:
            self.transport.close()


class CommandReader(asyncio.StreamReader):
    """aiosmtpd's reader, ending the session at the EOF of a half-closed connection once
    the commands before it are read (as aiosmtpd's cancellation at EOF ends it)."""

    async def readuntil(self, separator: Any = b"\n") -> bytes:
        try:
            return await super().readuntil(separator)
        except asyncio.IncompleteReadError:
            raise asyncio.CancelledError from None


def _more_commands(reader: asyncio.StreamReader) -> bool:
    """Whether a whole command line is already waiting (the client pipelines)."""
    return b"\n" in reader._buffer  # type: ignore[attr-defined]


def protocol_factory(listener: ListenerHandle) -> Callable[[], EsaSMTP]:
    return lambda: EsaSMTP(listener)
