"""One inbound SMTP connection as an asyncio Protocol: the session's state machine.

Bytes are read in `data_received` and every whole command line already there is run at
once; the replies of one read go out in one write (one TLS record), which is how a
pipelined group is answered (RFC 2920). Only what must wait runs as a task: the DNS
lookups before the banner (when the HAT needs them), the spooling of a message after
its final dot (the 250 comes after fsync), writing a large message's buffer to its
file. Meanwhile input is held, and reading pauses once HOLD_LIMIT bytes wait; it also
pauses while the transport's write buffer is full (a client that does not read its
replies is not served more commands).

What each command means is decided elsewhere: the grammar in engine/inbound/commands.py,
the policy (HAT, RAT, TLS, limits, logs) by the connection's `Conversation`, the end of
DATA in engine/inbound/dotstream.py, its spool file in engine/inbound/receiving.py, the
deadlines in engine/inbound/pacing.py (one timer per connection, armed here), the
STARTTLS layer in engine/inbound/starttls.py.

Modes: OPENING until the banner, COMMANDS, DATA (after 354, until the final dot),
WAITING (a task or the TLS handshake runs; input is held), CLOSED.
"""

from __future__ import annotations

import asyncio
import enum
import math
import ssl
import time
from collections.abc import Callable, Coroutine
from typing import Any, Protocol

from engine import maillog, replies
from engine.inbound import commands, starttls
from engine.inbound.commands import reverse_path
from engine.inbound.conversation import Conversation, Opening, Reply, Services
from engine.inbound.receiving import Receiving
from engine.inbound.tracker import ConnectionTracker
from engine.runtime import ListenerSpec, RuntimeConfig

UNKNOWN_COMMAND_LIMIT = 5
HOLD_LIMIT = 64 * 1024  # input held while a step runs before reading pauses
WRITE_EVERY = 64  # replies of one read written at least this often (a flood's are many)
_FAR = 86400.0  # the timer of a connection with no deadline looks again this late


class Mode(enum.Enum):
    OPENING = "opening"
    COMMANDS = "commands"
    DATA = "data"
    WAITING = "waiting"
    CLOSED = "closed"


_READING = (Mode.COMMANDS, Mode.DATA)


class ListenerHandle(Protocol):
    """What a connection needs from the listener that accepted it."""

    services: Services
    tracker: ConnectionTracker

    def current(self) -> tuple[RuntimeConfig, ListenerSpec]: ...

    def opened(self, connection: SmtpProtocol) -> None: ...

    def closed(self, connection: SmtpProtocol) -> None: ...


class SmtpProtocol(asyncio.Protocol):
    def __init__(self, listener: ListenerHandle) -> None:
        self._listener = listener
        self._loop = asyncio.get_running_loop()
        self._conn: Conversation | None = None
        self.transport: asyncio.Transport | None = None  # replies go here (TLS's, after STARTTLS)
        self._raw: asyncio.Transport | None = None  # the socket's own
        self._mode = Mode.OPENING
        self._buffer = bytearray()
        self._out: list[str] = []  # replies of this read, written together
        self._step: asyncio.Future[Any] | None = None
        self._timer: asyncio.TimerHandle | None = None
        self._cut: asyncio.TimerHandle | None = None  # aborts a closing socket never read
        self._receiving: Receiving | None = None  # DATA before its final dot
        self._peer_ip = ""
        self._hostname = ""
        self._tls = False
        self._tls_ok = True  # False: a TLS client refused; only QUIT is served
        self._helo: str | None = None
        self._esmtp = False
        self._sender: str | None = None  # "<>" for the null sender
        self._recipients: list[str] = []
        self._unknown = 0
        self._discarding = False  # inside a command line over commands.LINE_LIMIT
        self._eof = False  # a plain connection's client half-closed
        self._write_paused = False
        self._read_paused = False
        self._upgrade_when_written: ssl.SSLContext | None = None  # STARTTLS behind writes
        self._processing = False  # in _process: a call from inside it only asks for more
        self._again = False
        self._refused = False
        self._hung_up = False  # a closing reply was sent: nothing after it runs
        self._lost = False

    @property
    def conn(self) -> Conversation:
        assert self._conn is not None
        return self._conn

    # -- the transport's events ---------------------------------------------
    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        if self._conn is not None:  # again, by the TLS layer: STARTTLS's handshake is done
            self._tls_started(transport)
            return
        self.transport = self._raw = transport  # type: ignore[assignment]
        runtime, spec = self._listener.current()  # pinned until the connection ends
        conn = Conversation(self._listener.services, runtime, spec, self._listener.tracker)
        conn.close_now, conn.deadline_moved = self._close_now, self._arm
        self._conn = conn
        self._listener.opened(self)
        peer = transport.get_extra_info("peername") or ("", 0)
        self._peer_ip, self._hostname = str(peer[0]), spec.hostname
        if conn.looks_up():  # no deadline meanwhile: the banner's arms the first
            self._run(self._open())
        else:
            self._opened(self._open_now())

    def data_received(self, data: bytes) -> None:
        if self._lost or self._hung_up or self._conn is None:
            return
        self._conn.received_bytes(len(data))
        if self._mode is Mode.DATA and not self._buffer and not self._write_paused:
            self._take_data(data)  # the common case: no copy into the buffer
        else:
            self._buffer += data
        self._process()

    def eof_received(self) -> bool:
        """A plain connection's EOF is a half-close: what came before it (a message's
        last line, a QUIT) is still served and answered, then the connection closes. A
        TLS transport cannot stay half-open: it closes now."""
        if self._refused or self._tls:
            return False
        self._eof = True
        self._process()
        return True

    def pause_writing(self) -> None:
        self._write_paused = True

    def resume_writing(self) -> None:
        self._write_paused = False
        context, self._upgrade_when_written = self._upgrade_when_written, None
        if context is not None and not self._hung_up:
            self._upgrade(context)
        else:
            self._process()

    def connection_lost(self, error: Exception | None) -> None:
        if self._lost:
            return
        self._lost = True
        self._mode = Mode.CLOSED
        if self._receiving is not None:  # gone before the final dot: drop its file
            self._receiving.abort()
            self._receiving = None
        if self._conn is not None:
            self._conn.closed()
        self._listener.closed(self)
        if self._timer is not None:
            self._timer.cancel()
        if self._cut is not None:
            self._cut.cancel()
        if self._step is not None:
            self._step.cancel()
        if self._raw is not None and self._raw is not self.transport:
            self._raw.close()  # the socket under a TLS layer

    def abort(self) -> None:
        """Close the connection now (engine stop): nothing more runs on it."""
        self._hang_up()

    # -- opening -----------------------------------------------------------
    async def _open(self) -> None:
        try:
            opening = await self.conn.open(self._peer_ip)
        except Exception as error:  # noqa: BLE001 (a bug must not leave the client hanging)
            opening = Opening(serve=False, reply=self.conn.internal_error(error))
        self._opened(opening)

    def _open_now(self) -> Opening:
        try:
            return self.conn.open_now(self._peer_ip)
        except Exception as error:  # noqa: BLE001 (as in _open)
            return Opening(serve=False, reply=self.conn.internal_error(error))

    def _opened(self, opening: Opening) -> None:
        transport = self.transport
        if self._lost or transport is None:
            return
        if not opening.serve:
            self._refused = True
            self.conn.log.flush()
            if opening.reply:
                transport.write(opening.reply.encode("ascii", "replace") + b"\r\n")
            transport.close()
            return
        self._mode = Mode.COMMANDS
        self._reply(opening.reply or replies.banner(self._hostname))
        self._process()

    # -- reading -----------------------------------------------------------
    def _process(self) -> None:
        """Run what the input holds, as far as it goes without waiting; then write."""
        if self._processing:  # called back from inside a write (the TLS layer may)
            self._again = True
            return
        self._processing = True
        try:
            self._again = True
            while self._again:
                self._again = False
                self._run_input()
                self._flush()
        finally:
            self._processing = False
        if self._eof and self._mode in _READING and not self._hung_up and not self._write_paused:
            self._end_of_input()
        self._throttle()

    def _run_input(self) -> None:
        while not self._hung_up and not self._write_paused:
            if self._mode is Mode.COMMANDS:
                if not self._next_line():
                    break
                if len(self._out) >= WRITE_EVERY:
                    self._flush()  # the transport may pause us: replies held stay bounded
            elif self._mode is Mode.DATA and self._buffer:
                chunk = bytes(self._buffer)
                self._buffer.clear()
                self._take_data(chunk)
            else:
                break

    def _next_line(self) -> bool:
        """Run the next whole command line; False when none is there yet."""
        buffer = self._buffer
        end = buffer.find(b"\n")
        if self._discarding or end > commands.LINE_LIMIT:
            if end < 0:
                buffer.clear()
                return False
            del buffer[: end + 1]
            self._discarding = False
            self._reply(replies.COMMAND_TOO_LONG)
            return True
        if end < 0:
            if len(buffer) > commands.LINE_LIMIT:
                buffer.clear()
                self._discarding = True
            return False
        raw = bytes(buffer[: end + 1])
        del buffer[: end + 1]
        self._line(commands.parse(raw, self._esmtp and bool(self.conn.size_limit)))
        return True

    def _end_of_input(self) -> None:
        # The client half-closed and everything before its EOF has been served.
        if self._receiving is not None:
            self._receiving.abort()
            self._receiving = None
        self._hang_up()

    def _throttle(self) -> None:
        if not self._read_paused and len(self._buffer) < HOLD_LIMIT:
            return  # the usual case: nothing held
        transport = self.transport
        if transport is None or transport.is_closing():
            return
        hold = self._mode not in _READING or self._write_paused
        pause = hold and len(self._buffer) >= HOLD_LIMIT
        if pause != self._read_paused:
            self._read_paused = pause
            if pause:
                transport.pause_reading()
            else:
                transport.resume_reading()

    # -- commands ----------------------------------------------------------
    def _line(self, line: commands.Line) -> None:
        if line.garbage:
            self._unknown_command()
        elif line.refusal is not None:
            self._reply(line.refusal)
        elif not self._tls_ok and line.verb != "QUIT":
            self._reply(replies.NOT_SECURE)
        else:
            self._command(line.verb, line.arg)

    def _command(self, verb: str, arg: str | None) -> None:
        conn = self.conn
        conn.command()
        try:
            refusal = conn.gate(verb, arg, self._tls)
            if refusal is not None and refusal.close:
                self._close_now(self._noted(refusal.text))
            elif refusal is not None:
                self._reply(refusal.text)
            else:
                handler = _HANDLERS.get(verb)
                if handler is None:
                    self._unknown_command()
                else:
                    handler(self, conn.argument(verb, arg))
        except Exception as error:  # noqa: BLE001 (a bug answers 451, the session goes on)
            self._reply(conn.internal_error(error))
        if self._mode is Mode.COMMANDS:  # DATA and STARTTLS are done when they finish
            conn.command_done()

    def _unknown_command(self) -> None:
        self._unknown += 1
        if self._unknown > UNKNOWN_COMMAND_LIMIT:
            self.conn.receiving_failed(maillog.TOO_MANY_UNKNOWN)
            self._close_now(self._noted(replies.TOO_MANY_UNKNOWN))
        else:
            self._reply(replies.UNKNOWN_COMMAND)

    def _new_transaction(self) -> None:
        self._sender, self._recipients = None, []

    def _helo_cmd(self, arg: str | None) -> None:
        if not arg:
            self._reply(replies.usage("HELO"))
            return
        self._greeted(arg, esmtp=False)
        self._reply(replies.helo_ok(self._hostname))

    def _ehlo_cmd(self, arg: str | None) -> None:
        if not arg:
            self._reply(replies.usage("EHLO"))
            return
        self._greeted(arg, esmtp=True)
        lines = replies.ehlo(self._hostname, self.conn.size_limit)
        self._reply("\r\n".join(self.conn.ehlo_lines(lines, self._tls)))

    def _greeted(self, name: str, esmtp: bool) -> None:
        self._new_transaction()
        self._helo, self._esmtp = name, esmtp
        self.conn.greeted(name, esmtp)

    def _noop_cmd(self, arg: str | None) -> None:
        self._reply(replies.OK)

    def _rset_cmd(self, arg: str | None) -> None:
        if arg:
            self._reply(replies.usage("RSET"))
            return
        self._new_transaction()
        self.conn.end_transaction()
        self._reply(replies.OK)

    def _quit_cmd(self, arg: str | None) -> None:
        if arg:
            self._reply(replies.usage("QUIT"))
            return
        self.conn.quit()
        self._reply(replies.BYE)
        self._hang_up()

    def _help_cmd(self, arg: str | None) -> None:
        self._reply(replies.help_text(arg, self._esmtp, self.conn.tls_context is not None))

    def _vrfy_cmd(self, arg: str | None) -> None:
        if not arg:
            self._reply(replies.usage("VRFY"))
        elif commands.address(arg)[0] is None:
            self._reply(replies.vrfy_failed(arg))
        else:
            self._reply(replies.VRFY_CANNOT)

    def _expn_cmd(self, arg: str | None) -> None:
        self._reply(replies.EXPN_NOT_IMPLEMENTED)

    def _mail_cmd(self, arg: str | None) -> None:
        if not self._helo:
            self._reply(replies.NEED_HELO)
            return
        conn = self.conn
        path = commands.mail_path(arg, self._esmtp, conn.size_limit, self._sender is not None)
        if path.too_big:
            self._reply(conn.data_failed(maillog.SIZE_EXCEEDED, replies.SIZE_EXCEEDED).text)
            return
        if path.refusal is not None:
            self._reply(path.refusal)
            return
        reply = conn.mail(reverse_path(path.address))
        if reply.ok:
            self._sender = path.address
        self._reply(reply.text)

    def _rcpt_cmd(self, arg: str | None) -> None:
        if not self._helo:
            self._reply(replies.NEED_HELO)
            return
        if self._sender is None:
            self._reply(replies.NEED_MAIL)
            return
        path = commands.rcpt_path(arg, self._esmtp)
        if path.refusal is not None:
            self._reply(path.refusal)
            return
        reply = self.conn.rcpt(path.address, len(self._recipients))
        if reply.ok:
            self._recipients.append(path.address)
        self._reply(reply.text)

    def _data_cmd(self, arg: str | None) -> None:
        if not self._helo:
            self._reply(replies.NEED_HELO)
        elif not self._recipients:
            self._reply(replies.NEED_RCPT)
        elif arg:
            self._reply(replies.usage("DATA"))
        else:
            sender = reverse_path(self._sender or "")
            self._receiving = self.conn.begin_data(sender, self._recipients,
                                                   self.conn.size_limit)
            self._reply(replies.START_DATA)
            self._mode = Mode.DATA

    def _starttls_cmd(self, arg: str | None) -> None:
        context = self.conn.tls_context
        if arg:
            self._reply(replies.usage("STARTTLS"))
            return
        if context is None or self._raw is None:
            self._reply(replies.STARTTLS_NOT_AVAILABLE)
            return
        self._reply(replies.STARTTLS_GO)
        self._flush()  # in the clear, before the layer takes the socket
        self._buffer.clear()  # what was pipelined after STARTTLS is never read (RFC 3207 §4)
        self._mode = Mode.WAITING
        if self._write_paused:  # the layer must not take a socket whose writes wait
            self._upgrade_when_written = context
        else:
            self._upgrade(context)

    def _upgrade(self, context: ssl.SSLContext) -> None:
        assert self._raw is not None
        try:
            upgrade = starttls.begin(self._loop, self._raw, self, context)
        except Exception as error:  # noqa: BLE001 (a bug: logged, and the connection closed)
            self.conn.internal_error(error)
            self._hang_up()
            return
        self.transport = upgrade.transport
        upgrade.handshake.add_done_callback(self._handshake_done)

    # -- DATA ----------------------------------------------------------------
    def _take_data(self, chunk: bytes) -> None:
        receiving = self._receiving
        assert receiving is not None
        try:
            decoded = receiving.decoder.feed(chunk)
            receiving.add(decoded.data)
        except Exception as error:  # noqa: BLE001 (as a command's: 451, the file dropped)
            self._data_failed(receiving, error)
            return
        if decoded.ended:
            self._buffer[:0] = decoded.rest  # pipelined commands after the dot
            self._receiving = None
            self._end_data(receiving)
        elif receiving.incoming.full():
            self._run(self._drain(receiving))

    async def _drain(self, receiving: Receiving) -> None:
        try:
            await receiving.incoming.drain()
        except Exception as error:  # noqa: BLE001 (as _take_data's)
            self._data_failed(receiving, error)
        else:
            self._mode = Mode.DATA
        self._process()

    def _data_failed(self, receiving: Receiving, error: Exception) -> None:
        """A bug reading DATA: the file dropped, its MID ended, 451, commands again."""
        self._receiving = None
        receiving.abort()
        self.conn.end_transaction(maillog.INTERNAL_ERROR)
        self._mode = Mode.COMMANDS
        self._reply(self.conn.internal_error(error))
        self.conn.command_done()

    def _end_data(self, receiving: Receiving) -> None:
        """The final dot: the reply now (a refusal), or once the message is durable."""
        self._mode = Mode.WAITING
        try:
            refused = self.conn.data(reverse_path(self._sender or ""), self._recipients,
                                     receiving, self._data_done)
        except Exception as error:  # noqa: BLE001 (a bug answers 451)
            receiving.abort()
            self.conn.end_transaction(maillog.INTERNAL_ERROR)
            refused = Reply(self.conn.internal_error(error))
        if refused is not None:
            self._data_done(refused)

    def _data_done(self, reply: Reply) -> None:
        if self._lost:  # the message is spooled all the same (Transaction.data)
            return
        self._new_transaction()
        self._mode = Mode.COMMANDS
        self._reply(reply.text)
        self.conn.command_done()
        self._arm()
        self._process()

    def _run(self, step: Coroutine[Any, Any, None]) -> None:
        self._mode = Mode.WAITING
        self._step = self._loop.create_task(step)

    # -- STARTTLS ------------------------------------------------------------
    def _tls_started(self, transport: asyncio.BaseTransport) -> None:
        """The TLS layer's handshake is done (it calls this before passing any data): a
        new session (RFC 3207 §4.2), the certificate judged."""
        self.transport = transport  # type: ignore[assignment]
        self._tls = True
        self._write_paused = False  # the layer's transport: its own flow control
        self._new_transaction()
        self._helo, self._esmtp = None, False
        self._mode = Mode.COMMANDS
        try:
            self._tls_ok = self._tls_judged(transport.get_extra_info("ssl_object"))
        except Exception as error:  # noqa: BLE001 (a bug: 451 and the connection closed)
            self._close_now(self.conn.internal_error(error))
            return
        self.conn.command_done()
        self._arm()

    def _tls_judged(self, ssl_object: Any) -> bool:
        """Whether commands may go on over this TLS session (its client certificate)."""
        if ssl_object is None:
            return True
        cipher = ssl_object.cipher()
        return self.conn.tls_started(
            ssl_object.version() or "", cipher[0] if cipher else "",
            ssl_object.getpeercert(), ssl_object.getpeercert(binary_form=True) or b"")

    def _handshake_done(self, handshake: asyncio.Future[None]) -> None:
        if self._lost:
            return
        error = None if handshake.cancelled() else handshake.exception()
        if error is None and self._tls:
            return
        if not self._hung_up:  # not closed by us (a deadline, a refusal): the client's failure
            self.conn.tls_failed(error or ConnectionAbortedError("closed in the handshake"))
        if self.transport is not None:
            self.transport.close()
        # Neither TLS layer tells its application of a connection lost in the handshake.
        self.connection_lost(None)

    # -- replies -------------------------------------------------------------
    def _reply(self, text: str) -> None:
        self._out.append(self._noted(text))

    def _noted(self, text: str) -> str:
        """Tell the conversation what a reply means."""
        if text.startswith("354"):
            self.conn.data_started()
        elif text[:1] in ("4", "5"):
            self.conn.refused()
        return text

    def _flush(self) -> None:
        transport = self.transport
        if self._out and transport is not None and not transport.is_closing():
            self.conn.log.flush()  # what a reply follows is in mail_logs before it
            transport.write(("\r\n".join(self._out) + "\r\n").encode("ascii", "replace"))
        self._out.clear()

    def _close_now(self, reply: str) -> None:
        """Send a last reply and close; a client that does not read is cut off."""
        transport = self.transport
        if transport is None or transport.is_closing():
            return
        self._out.append(reply)
        self._hang_up()

    def _hang_up(self) -> None:
        """Stop: write what is owed and close; a client that does not read is cut off."""
        self._flush()
        if self._hung_up:
            return
        self._hung_up = True
        if self.transport is not None:
            self.transport.close()
        raw = self._raw or self.transport
        if raw is not None and self._conn is not None and not self._lost:
            self._cut = self._loop.call_later(self._conn.timeouts.stress, self._cut_off, raw)

    def _cut_off(self, raw: asyncio.Transport) -> None:
        # close() waits for unsent replies; a client that never reads would keep
        # the socket forever, so after a grace period it is aborted.
        if not self._lost:
            raw.abort()

    # -- deadlines (engine/inbound/pacing.py decides them) ---------------------
    def _arm(self) -> None:
        when = self._conn.deadline() if self._conn is not None else math.inf
        now = time.monotonic()
        when = min(max(now, when), now + _FAR)
        timer = self._timer
        if timer is not None and not timer.cancelled():
            if timer.when() <= when:
                return  # it fires early and looks again (_timeout): no new timer per command
            timer.cancel()
        self._timer = self._loop.call_at(when, self._timeout)

    def _timeout(self) -> None:
        # Activity only moves the deadline later, so a timer may fire early: look again.
        self._timer = None
        if self._conn is not None and not self._lost and not self._conn.expire():
            self._arm()


_HANDLERS: dict[str, Callable[[SmtpProtocol, str | None], None]] = {
    "HELO": SmtpProtocol._helo_cmd,
    "EHLO": SmtpProtocol._ehlo_cmd,
    "NOOP": SmtpProtocol._noop_cmd,
    "RSET": SmtpProtocol._rset_cmd,
    "QUIT": SmtpProtocol._quit_cmd,
    "HELP": SmtpProtocol._help_cmd,
    "VRFY": SmtpProtocol._vrfy_cmd,
    "EXPN": SmtpProtocol._expn_cmd,
    "MAIL": SmtpProtocol._mail_cmd,
    "RCPT": SmtpProtocol._rcpt_cmd,
    "DATA": SmtpProtocol._data_cmd,
    "STARTTLS": SmtpProtocol._starttls_cmd,
}


def protocol_factory(listener: ListenerHandle) -> Callable[[], SmtpProtocol]:
    return lambda: SmtpProtocol(listener)
