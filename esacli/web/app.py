"""The web console's aiohttp application (esacli/web/service.py runs it).

Every request but /login and the stylesheet needs a session (/metrics also takes HTTP
Basic credentials of an appliance user, for scrapers). GET only reads; the only POSTs
are /login and /logout, and both must come from the console's own origin (Origin or
Referer), logout with its session's token. Responses forbid framing, sniffing, caching
and any script (Content-Security-Policy), on every answer (`secure`). A request has
TIMEOUTS.request to be answered (esacli/web/gate.py holds the other limits).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Mapping
from pathlib import Path
from typing import TypeVar
from urllib.parse import urlsplit

from aiohttp import web

from esacli.web import gate, metrics, pages, texts
from esacli.web.auth import COOKIE, Guard, WebSession, same_token
from esacli.web.views import Views
from state.secrets import Secrets
from state.store import Store
from state.threads import Threads
from state.users import Accounts

log = logging.getLogger("esacli.web")
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]
OPEN_PATHS = frozenset({"/login", "/console.css"})
HEADERS = {
    "Content-Security-Policy": "default-src 'none'; style-src 'self' 'unsafe-inline';"
                               " img-src 'self' data:; form-action 'self'; frame-ancestors 'none'",
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
    "Cache-Control": "no-store",
    "Strict-Transport-Security": "max-age=31536000",
}
MAX_FORM = 4096
# The views read the store, the queue and the statistics in threads of the console's own
# (state/threads.py): requests that pile up, even past their timeout, never take the
# threads the queue's intake uses.
VIEWS = Threads("esacli-web", 4)
SESSION = web.RequestKey("session", WebSession)
Answer = TypeVar("Answer", bound=web.StreamResponse)


def secure(response: Answer) -> Answer:
    """Every answer of the console carries HEADERS, aiohttp's own and redirects included."""
    response.headers.update(HEADERS)
    return response


class Console:
    def __init__(self, data_dir: Path, store: Store, secrets: Secrets) -> None:
        self.views = Views(Path(data_dir), store)
        self.data_dir, self.store = Path(data_dir), store
        self.guard = Guard(secrets, accounts=Accounts(secrets, store.load))

    def application(self) -> web.Application:
        app = web.Application(middlewares=[self._headers, self._bounded, self._errors,
                                           self._login_required],
                              client_max_size=MAX_FORM)
        app.router.add_get("/login", self.login_page)
        app.router.add_post("/login", self.login)
        app.router.add_post("/logout", self.logout)
        app.router.add_get("/console.css", self.css)
        app.router.add_get("/metrics", self.metrics)
        for path, view in (("/", self.report), ("/readiness", self.readiness),
                           ("/queue", self.queue), ("/listeners", self.listeners),
                           ("/commits", self.commits)):
            app.router.add_get(path, view)
        return app

    # -- middlewares ---------------------------------------------------------------
    @web.middleware
    async def _headers(self, request: web.Request, handler: Handler) -> web.StreamResponse:
        try:
            return secure(await handler(request))
        except web.HTTPException as exc:  # a redirect, aiohttp's 404 and 405: answers too
            secure(exc)
            raise

    @web.middleware
    async def _bounded(self, request: web.Request, handler: Handler) -> web.StreamResponse:
        """A request (a slow body included) gets its answer within TIMEOUTS.request, or a
        408 and the connection closed (the gate's idle timeout covers only the header)."""
        timer = asyncio.timeout(gate.TIMEOUTS.request)
        try:
            async with timer:
                return await handler(request)
        except TimeoutError:
            if not timer.expired():
                raise
        answer = web.Response(status=408, text=texts.REQUEST_TIMEOUT)
        answer.force_close()
        return answer

    @web.middleware
    async def _errors(self, request: web.Request, handler: Handler) -> web.StreamResponse:
        try:
            return await handler(request)
        except web.HTTPException:
            raise
        except Exception:  # a fault in one page must never reach the browser as a traceback
            log.exception("web console: %s %s", request.method, request.path)
            return web.Response(status=500, text="Internal error.")

    @web.middleware
    async def _login_required(self, request: web.Request, handler: Handler) -> web.StreamResponse:
        if request.path in OPEN_PATHS:
            return await handler(request)
        found = self.guard.session(request.cookies.get(COOKIE))
        if found is None and request.path == "/metrics":
            user = await self.guard.basic(request.headers.get("Authorization", ""),
                                          request.remote or "")
            if user is None:
                raise web.HTTPUnauthorized(headers={"WWW-Authenticate": 'Basic realm="esacli"'})
            return await handler(request)
        if found is None:
            raise web.HTTPSeeOther("/login")
        request[SESSION] = found
        return await handler(request)

    # -- login and logout ------------------------------------------------------------
    async def _page(self, request: web.Request, page: str, body: str) -> web.Response:
        session = request.get(SESSION)
        hostname = await VIEWS.run(self.views.hostname)
        text = pages.layout(page, hostname, body, session.user if session else "",
                            session.csrf if session else "", request.path)
        return web.Response(text=text, content_type="text/html")

    async def login_page(self, request: web.Request) -> web.Response:
        if self.guard.session(request.cookies.get(COOKIE)) is not None:
            raise web.HTTPSeeOther("/")
        hostname = await VIEWS.run(self.views.hostname)
        return web.Response(text=pages.login(hostname), content_type="text/html")

    @staticmethod
    def _same_origin(request: web.Request) -> bool:
        origin = request.headers.get("Origin") or request.headers.get("Referer") or ""
        parts = urlsplit(origin)
        return parts.scheme == "https" and parts.netloc == request.host

    @staticmethod
    async def _form(request: web.Request) -> Mapping[str, object] | None:
        """The posted form, or None when it cannot be read (garbled, not a form)."""
        try:
            return await request.post()
        except (ValueError, UnicodeDecodeError):
            return None

    async def login(self, request: web.Request) -> web.Response:
        hostname = await VIEWS.run(self.views.hostname)
        if not self._same_origin(request):
            return web.Response(status=403, text=pages.login(hostname, texts.LOGIN_BAD_REQUEST),
                                content_type="text/html")
        form = await self._form(request)
        if form is None:
            return web.Response(status=400, text=pages.login(hostname, texts.LOGIN_BAD_REQUEST),
                                content_type="text/html")
        user, password = str(form.get("user", ""))[:64], str(form.get("password", ""))[:1024]
        if not await self.guard.check(user, password, request.remote or ""):
            return web.Response(status=401, text=pages.login(hostname, texts.LOGIN_FAILED),
                                content_type="text/html")
        response = web.HTTPSeeOther("/")
        response.set_cookie(COOKIE, self.guard.open(user), secure=True, httponly=True,
                            samesite="Strict", path="/")
        raise response

    async def logout(self, request: web.Request) -> web.Response:
        form = await self._form(request) or {}
        session = request[SESSION]
        if self._same_origin(request) and same_token(str(form.get("csrf", "")), session.csrf):
            self.guard.end(request.cookies.get(COOKIE))
        response = web.HTTPSeeOther("/login")
        response.del_cookie(COOKIE, path="/")
        raise response

    async def css(self, request: web.Request) -> web.Response:
        return web.Response(text=pages.CSS, content_type="text/css")

    # -- pages ---------------------------------------------------------------------------
    async def report(self, request: web.Request) -> web.Response:
        q = request.query
        body = await VIEWS.run(self.views.report, q.get("period", "day"),
                                       q.get("start", ""), q.get("end", ""))
        return await self._page(request, texts.REPORT_PAGE, body)

    async def readiness(self, request: web.Request) -> web.Response:
        q = request.query
        body = await VIEWS.run(self.views.readiness, q.get("domain", ""),
                                       q.get("direction", "out"))
        return await self._page(request, texts.READINESS_PAGE, body)

    async def queue(self, request: web.Request) -> web.Response:
        body = await VIEWS.run(self.views.queue)
        return await self._page(request, texts.QUEUE_PAGE, body)

    async def listeners(self, request: web.Request) -> web.Response:
        body = await VIEWS.run(self.views.listeners)
        return await self._page(request, texts.LISTENERS_PAGE, body)

    async def commits(self, request: web.Request) -> web.Response:
        body = await VIEWS.run(self.views.commits)
        return await self._page(request, texts.COMMITS_PAGE, body)

    async def metrics(self, request: web.Request) -> web.Response:
        body = await VIEWS.run(metrics.exposition, self.data_dir, self.store)
        return web.Response(body=body, headers={"Content-Type": metrics.CONTENT_TYPE})
