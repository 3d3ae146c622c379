"""HTTP servers on 127.0.0.1 that stand in for webhook receivers and chat
services in notifier tests.

A :class:`StubServer` records every request and answers through a
function of the request, so each test decides how the stand-in service
judges what it got, the way the real service would.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs

__all__ = ["Reply", "Request", "StubServer", "stub_server"]

HOST = "127.0.0.1"


@dataclass
class Request:
    """One request as the stub received it."""

    method: str
    path: str
    headers: dict[str, str]
    body: bytes

    def json(self) -> dict:
        return json.loads(self.body)

    def form(self) -> dict[str, str]:
        return {k: v[0] for k, v in parse_qs(self.body.decode()).items()}


@dataclass
class Reply:
    status: int = 200
    body: dict | str = field(default_factory=dict)


Responder = Callable[[Request], Reply]


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def do_POST(self) -> None:  # noqa: N802 (name fixed by http.server)
        length = int(self.headers.get("Content-Length") or 0)
        request = Request(
            self.command,
            self.path,
            {name.lower(): value for name, value in self.headers.items()},
            self.rfile.read(length),
        )
        self.server.requests.append(request)
        reply = self.server.responder(request)
        body = reply.body if isinstance(reply.body, str) else json.dumps(reply.body)
        payload = body.encode()
        self.send_response(reply.status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    do_GET = do_PUT = do_POST

    def log_message(self, format, *args) -> None:  # noqa: A002
        pass


class StubServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, responder: Responder) -> None:
        super().__init__((HOST, 0), _Handler)
        self.responder = responder
        self.requests: list[Request] = []

    @property
    def base_url(self) -> str:
        return f"http://{HOST}:{self.server_address[1]}"


@contextmanager
def stub_server(responder: Responder) -> Iterator[StubServer]:
    """Run a :class:`StubServer` in a thread for the length of the block."""
    server = StubServer(responder)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()
