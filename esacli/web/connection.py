"""One console connection once its TLS handshake is done (esacli/web/gate.py accepted it):
aiohttp's request handler, with what it does not do by itself.

- The gate learns when the connection is lost, so that it no longer counts.
- The idle timeout (`keepalive_timeout`): aiohttp starts it at connection_made and again
  after each answer, and closes a connection still waiting for a complete request header
  when it fires, so a header dribbled a byte at a time is bounded too.
- A client that reads nothing of an answer for as long is dropped: aiohttp waits on a
  full write buffer without end, after its handler and so past the request timeout.
- aiohttp's own answers to a request it cannot parse carry the security headers as well.
"""

from __future__ import annotations

import asyncio
import logging
from typing import cast

from aiohttp import web
from aiohttp.web_request import BaseRequest

from esacli.web import gate
from esacli.web.app import secure


class Handler(web.RequestHandler):
    __slots__ = ("_gone", "_stall")

    def __init__(self, manager: web.Server, gone: gate.Gone) -> None:
        # no access log: system_logs is for faults, and a flood would fill it
        super().__init__(manager, loop=asyncio.get_running_loop(),
                         keepalive_timeout=gate.TIMEOUTS.idle,
                         access_log=cast(logging.Logger, None))
        self._gone = gone
        self._stall: asyncio.TimerHandle | None = None

    def connection_lost(self, exc: BaseException | None) -> None:
        super().connection_lost(exc)
        self._unstall()
        self._gone()

    def pause_writing(self) -> None:
        super().pause_writing()
        if self._stall is None:
            self._stall = self._loop.call_later(gate.TIMEOUTS.idle, self._stalled)

    def resume_writing(self) -> None:
        super().resume_writing()
        self._unstall()

    def _unstall(self) -> None:
        if self._stall is not None:
            self._stall.cancel()
            self._stall = None

    def _stalled(self) -> None:
        self._stall = None
        if self.transport is not None:
            self.transport.abort()

    def handle_error(self, request: BaseRequest, status: int = 500,
                     exc: BaseException | None = None,
                     message: str | None = None) -> web.StreamResponse:
        return secure(super().handle_error(request, status, exc, message))
