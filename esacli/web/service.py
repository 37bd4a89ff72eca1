"""`WebService`: runs the web console where the applied configuration (or `esacli run
--web`) says, and follows each commit (on, off, another address or certificate).

Light on purpose: the web stack (aiohttp, pygal, prometheus_client) is imported only
when the console first starts, so an appliance with the console off does not carry it.
Its connections are accepted, counted and timed by esacli/web/gate.py, not by aiohttp's
TCPSite (which caps neither).
"""

from __future__ import annotations

import asyncio
import logging
import ssl
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from engine import tls
from engine.errors import EngineError
from esacli.web import texts
from state import authorities
from state.defaults import DEMO_CERT
from state.errors import StateError
from state.model import Config
from state.secrets import Secrets
from state.store import Store

if TYPE_CHECKING:
    from aiohttp import web

    from esacli.web.app import Console
    from esacli.web.gate import Gate

log = logging.getLogger("esacli.web")


class _OneLine(logging.Filter):
    """aiohttp's own errors are a client's doing (a request line too long, a bad header):
    one line each in system_logs, not a traceback anyone able to connect could repeat."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.exc_info and record.exc_info[1] is not None:
            record.msg = f"{record.getMessage()} ({type(record.exc_info[1]).__name__})"
            record.args, record.exc_info, record.exc_text = (), None, None
        return True


logging.getLogger("aiohttp.server").addFilter(_OneLine())


def certificate_for(config: Config) -> str:
    """The profile the console serves: the one configured, else Demo, else the first
    listener's (a configuration without the Demo profile), else the first profile."""
    names = [c.name for c in config.certificates]
    if config.web.certificate or DEMO_CERT in names or not names:
        return config.web.certificate or DEMO_CERT
    listed = [li.certificate for li in config.listeners if li.certificate in names]
    return listed[0] if listed and listed[0] else names[0]


def server_context(config: Config, secrets: Secrets) -> ssl.SSLContext:
    """The console's TLS: its certificate profile (certificate_for), sslconfig INBOUND's
    versions and ciphers."""
    cert, key_path = tls.profile(config, secrets, certificate_for(config))
    trust = authorities.trusted_pem(config.authorities)
    return tls.server_context(cert.chain, key_path, tls.ClientCert.NONE, trust,
                              config.ssl.inbound)


Wanted = tuple[str, int, str]  # ip, port, certificate profile


class WebService:
    """Runs the console where the configuration says (or `override` says), following it."""

    def __init__(self, data_dir: Path, store: Store, secrets: Secrets,
                 override: tuple[str, int] | None = None,
                 say: Callable[[str], None] = lambda text: None) -> None:
        self.data_dir, self.store = Path(data_dir), store
        self.console: Console | None = None
        self.secrets, self.override, self.say = secrets, override, say
        self.running: Wanted | None = None
        self.address: tuple[str, int] | None = None
        self._runner: web.AppRunner | None = None
        self.gate: Gate | None = None
        self._failed: Wanted | None = None

    def wanted(self, config: Config) -> Wanted | None:
        web_, cert = config.web, certificate_for(config)
        if self.override is not None:
            return (*self.override, cert)
        return (web_.ip, web_.port, cert) if web_.enabled else None

    async def apply(self, config: Config) -> None:
        wanted = self.wanted(config)
        if wanted == self.running or (wanted is not None and wanted == self._failed):
            return
        await self.stop()
        if wanted is None:
            return
        try:
            await self._start(config, wanted)
        except (OSError, EngineError, StateError, ssl.SSLError) as exc:
            self._failed = wanted
            reason = getattr(exc, "strerror", None) or str(exc)
            self.say(texts.CONSOLE_FAILED.format(address=f"{wanted[0]}:{wanted[1]}", reason=reason))
            log.error("Web console not started on %s:%s: %s", wanted[0], wanted[1], reason)

    async def _start(self, config: Config, wanted: Wanted) -> None:
        from aiohttp import web

        from esacli.web.app import Console
        from esacli.web.connection import Handler
        from esacli.web.gate import GRACE, Gate, listen

        ctx = await asyncio.to_thread(server_context, config, self.secrets)
        if self.console is None:
            self.console = Console(self.data_dir, self.store, self.secrets)
        # no TCPSite: the gate accepts, with its caps and timeouts (esacli/web/gate.py)
        runner = web.AppRunner(self.console.application(), handle_signals=False,
                               shutdown_timeout=GRACE)
        await runner.setup()
        server = runner.server
        assert server is not None  # set up
        try:
            gate = Gate(listen(wanted[0], wanted[1]), ctx, lambda gone: Handler(server, gone))
        except BaseException:
            await runner.cleanup()
            raise
        self._runner, self.gate, self.running, self._failed = runner, gate, wanted, None
        self.address = gate.address
        self.say(texts.CONSOLE_RUNNING.format(address=f"{self.address[0]}:{self.address[1]}"))

    async def stop(self) -> None:
        """Stop accepting, give requests in flight GRACE to finish, then close every
        connection left (those in their TLS handshake too)."""
        gate, runner = self.gate, self._runner
        self._runner, self.gate, self.running, self.address = None, None, None, None
        if gate is not None:
            await gate.stop_accepting()
        try:
            if runner is not None:
                await runner.cleanup()
        finally:
            if gate is not None:
                await gate.drop()

    async def follow(self, config: Callable[[], Config | None], interval: float = 1.0) -> None:
        """Apply the applied configuration's web settings now and after each change."""
        try:
            while True:
                current = config()
                if current is not None:
                    await self.apply(current)
                await asyncio.sleep(interval)
        finally:
            await self.close()

    async def close(self) -> None:
        await self.stop()
        if self.console is not None:
            self.console.guard.close()

