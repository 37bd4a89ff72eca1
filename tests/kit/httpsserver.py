"""A real HTTPS server for tests: Python's http.server over TLS on a loopback port, in a thread.

    with HttpsServer(context) as web:
        web.replies["mta-sts.partner.test"] = Reply(body=b"version: STSv1\\n...")
        ... fetch https://mta-sts.partner.test:{web.port}/.well-known/mta-sts.txt ...

`replies` maps the Host header (without port) to what GET answers; `posted` collects
POST bodies (with their headers) for the TLS-RPT https reports, answered `post_status` and
an empty body, or `post_reply` when set. `hold` makes every answer
wait until it is set (a server that never answers in time); a reply's `drip` sends its body
a byte at a time, that many seconds apart (a host that answers each read in time, and the
whole never). Unknown hosts get 404.
"""

from __future__ import annotations

import ssl
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from tests.kit.processes import Started


@dataclass
class Reply:
    body: bytes = b""
    status: int = 200
    content_type: str = "text/plain; charset=utf-8"
    headers: dict[str, str] = field(default_factory=dict)
    drip: float = 0.0  # seconds between two bytes of the body (0: the body at once)


@dataclass
class Posted:
    host: str
    path: str
    headers: dict[str, str]
    body: bytes


class HttpsServer(Started):
    def __init__(self, context: ssl.SSLContext) -> None:
        self.context = context
        self.replies: dict[str, Reply] = {}
        self.requests: list[tuple[str, str]] = []  # (host, path) of every GET
        self.posted: list[Posted] = []
        self.post_status = 200
        self.post_reply: Reply | None = None
        self.release = threading.Event()
        self.release.set()
        self.stopping = threading.Event()  # ends a drip at once
        self.port = 0
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    def start(self) -> HttpsServer:
        outer = self

        class Handler(BaseHTTPRequestHandler):
            timeout = 10  # a client that never finishes its handshake holds only its thread

            def setup(self) -> None:
                super().setup()
                self.request.do_handshake()  # here, not in accept(): stop() never waits on it

            def log_message(self, format: str, *args: object) -> None:
                pass

            def _host(self) -> str:
                return (self.headers.get("Host") or "").rsplit(":", 1)[0].lower()

            def do_GET(self) -> None:
                outer.requests.append((self._host(), self.path))
                outer.release.wait(timeout=30)
                reply = outer.replies.get(self._host(), Reply(b"not found", 404))
                self.send_response(reply.status)
                self.send_header("Content-Type", reply.content_type)
                self.send_header("Content-Length", str(len(reply.body)))
                for key, value in reply.headers.items():
                    self.send_header(key, value)
                self.end_headers()
                if reply.drip:
                    self._drip(reply)
                else:
                    self.wfile.write(reply.body)

            def _drip(self, reply: Reply) -> None:
                for byte in reply.body:
                    self.wfile.write(bytes([byte]))
                    self.wfile.flush()
                    if outer.stopping.wait(reply.drip):  # the peer's pace, not a test's wait
                        return

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length)
                outer.posted.append(Posted(self._host(), self.path, dict(self.headers), body))
                reply = outer.post_reply or Reply(status=outer.post_status)
                self.send_response(reply.status)
                self.send_header("Content-Length", str(len(reply.body)))
                self.end_headers()
                self._drip(reply) if reply.drip else self.wfile.write(reply.body)

        class Server(ThreadingHTTPServer):
            def handle_error(self, request: object, client_address: object) -> None:
                pass  # a client that went away (the timeout tests) is no test failure

        self._server = Server(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self._server.socket = self.context.wrap_socket(self._server.socket, server_side=True,
                                                        do_handshake_on_connect=False)
        self.port = int(self._server.server_address[1])
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        self.release.set()
        self.stopping.set()
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None
