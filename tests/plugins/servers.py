"""Real servers on the loopback interface for checker and monitor tests.

Each is a context manager that listens on an ephemeral port and stops on
exit. They listen on 127.0.0.1, and some also on ::1; none reaches beyond
the loopback interface.
"""

from __future__ import annotations

import itertools
import json
import socket
import ssl
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Self
from urllib.parse import parse_qs, urlsplit

HOST = "127.0.0.1"


# A response served as is: status, headers and body.
Canned = tuple[int, list[tuple[str, str]], bytes]


class _Handler(BaseHTTPRequestHandler):
    """Respond by path.

    /ok, /status/<code>, /redirect, /loop, /chain/<n>, /slow?ms=, /drip,
    /echo (the request as JSON), /cookie-wall, /cookie-churn, /login and
    /whoami, and any path in the server's ``routes``.
    """

    protocol_version = "HTTP/1.1"

    def do_GET(self) -> None:  # noqa: N802 (name fixed by http.server)
        url = urlsplit(self.path)
        routes: dict[str, Canned] = getattr(self.server, "routes", {})
        if url.path in routes:
            status, headers, body = routes[url.path]
            self._send(status, body, headers)
        elif url.path == "/ok":
            self._send(200, b"ok")
        elif url.path.startswith("/status/"):
            self._send(int(url.path.rsplit("/", 1)[1]), b"status")
        elif url.path == "/redirect":
            self._send(302, b"", [("Location", "/ok")])
        elif url.path == "/redirect-to":
            self._send(302, b"", [("Location", parse_qs(url.query)["url"][0])])
        elif url.path == "/loop":
            self._send(302, b"", [("Location", "/loop")])
        elif url.path.startswith("/chain/"):
            step = int(url.path.rsplit("/", 1)[1])
            self._send(302, b"", [("Location", f"/chain/{step + 1}")])
        elif url.path == "/slow":
            milliseconds = int(parse_qs(url.query)["ms"][0])
            time.sleep(milliseconds / 1000)
            self._send(200, b"slow")
        elif url.path == "/drip":
            self._drip()
        elif url.path == "/echo":
            self._echo()
        elif url.path.startswith("/cookie") or url.path in ("/login", "/whoami"):
            self._cookies(url.path)
        else:
            self._send(404, b"not found")

    do_POST = do_PUT = do_PATCH = do_DELETE = do_OPTIONS = do_HEAD = do_GET

    def _send(
        self, status: int, body: bytes, headers: list[tuple[str, str]] = ()
    ) -> None:
        self.send_response(status)
        for name, value in headers:
            self.send_header(name, value)
        if not any(name.lower() == "content-length" for name, _ in headers):
            self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def _echo(self) -> None:
        length = int(self.headers.get("Content-Length", "0"))
        received = {
            "method": self.command,
            "headers": {name.lower(): value for name, value in self.headers.items()},
            "body": self.rfile.read(length).decode("utf-8", errors="replace"),
        }
        body = json.dumps(received).encode()
        self._send(200, body, [("Content-Type", "application/json")])

    def _cookies(self, path: str) -> None:
        """Serve the cookie routes.

        /cookie-wall redirects to itself with ``s=1`` until that cookie
        comes back. /cookie-churn redirects to itself with a new cookie
        value every time. /login sets ``session=abc`` and redirects to
        /whoami, which echoes the Cookie header it received.
        """
        cookie = self.headers.get("Cookie", "")
        if path == "/cookie-wall" and "s=1" in cookie:
            self._send(200, b"OK-MARKER")
        elif path == "/cookie-wall":
            self._send(
                302, b"", [("Location", "/cookie-wall"), ("Set-Cookie", "s=1; Path=/")]
            )
        elif path == "/cookie-churn":
            value = next(_churn)
            self._send(
                302,
                b"",
                [("Location", "/cookie-churn"), ("Set-Cookie", f"s={value}; Path=/")],
            )
        elif path == "/login":
            self._send(
                302,
                b"",
                [("Location", "/whoami"), ("Set-Cookie", "session=abc; Path=/")],
            )
        else:
            self._send(200, f"cookies: {cookie}".encode())

    def _drip(self) -> None:
        """Send the headers at once, then one body byte every 0.1 s."""
        self.send_response(200)
        self.send_header("Content-Length", "100")
        self.end_headers()
        try:
            for _ in range(100):
                self.wfile.write(b".")
                self.wfile.flush()
                time.sleep(0.1)
        except (BrokenPipeError, ConnectionResetError):
            pass

    def log_message(self, format: str, *args: object) -> None:
        pass


_churn = itertools.count(1)


class _IPv6Server(ThreadingHTTPServer):
    address_family = socket.AF_INET6


def _serve(server: ThreadingHTTPServer, routes: dict[str, Canned] | None) -> None:
    server.daemon_threads = True
    server.routes = routes or {}  # type: ignore[attr-defined]
    # A short poll interval makes shutdown() return in 50 ms, not 500.
    threading.Thread(
        target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
    ).start()


@contextmanager
def http_server(
    routes: dict[str, Canned] | None = None, host: str = HOST
) -> Iterator[str]:
    """Serve ``_Handler`` in threads on ``host`` and yield its base URL.

    ``routes`` maps paths to canned responses, for bodies and headers that
    a test builds itself.
    """
    server_class = _IPv6Server if ":" in host else ThreadingHTTPServer
    server = server_class((host, 0), _Handler)
    _serve(server, routes)
    shown = f"[{host}]" if ":" in host else host
    try:
        yield f"http://{shown}:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def _dead_socket(family: int, host: str, port: int, kind: str) -> list[socket.socket]:
    """Bind ``host:port`` so that connections are refused or dropped."""
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.bind((host, port))
    if kind == "refuse":
        return [sock]
    sock.listen(0)
    filler = socket.create_connection((host, port), timeout=1)
    return [sock, filler]


@contextmanager
def dual_stack(ipv4: str = "http", ipv6: str = "drop") -> Iterator[int]:
    """Yield one port whose IPv4 and IPv6 loopback sockets behave as asked.

    Each of ``ipv4`` (127.0.0.1) and ``ipv6`` (::1) is "http" to serve
    ``_Handler``, "refuse" to refuse connections, or "drop" to leave new
    connection attempts unanswered, as a dead address does: the listener's
    accept queue is kept full, so Linux drops further SYNs.
    """
    for _ in range(20):
        held: list = []
        try:
            port = 0
            for family, host, kind in (
                (socket.AF_INET, HOST, ipv4),
                (socket.AF_INET6, "::1", ipv6),
            ):
                if kind == "http":
                    server_class = (
                        _IPv6Server
                        if family == socket.AF_INET6
                        else ThreadingHTTPServer
                    )
                    server = server_class((host, port), _Handler)
                    _serve(server, None)
                    held.append(server)
                    port = server.server_address[1]
                else:
                    sockets = _dead_socket(family, host, port, kind)
                    held.extend(sockets)
                    port = sockets[0].getsockname()[1]
        except OSError:
            # The port picked for IPv4 is taken on IPv6; try another.
            _release(held)
            continue
        try:
            yield port
        finally:
            _release(held)
        return
    raise RuntimeError("no port free on both 127.0.0.1 and ::1")


def _release(held: list) -> None:
    for item in held:
        if isinstance(item, ThreadingHTTPServer):
            item.shutdown()
            item.server_close()
        else:
            item.close()


@contextmanager
def https_server(context: ssl.SSLContext | None = None) -> Iterator[str]:
    """Serve ``_Handler`` over TLS with the certificate of a server ``context``.

    Without ``context``, the certificate comes from a throwaway CA that is
    in no trust store, so a verifying client rejects the server.
    """
    if context is None:
        import trustme

        authority = trustme.CA()
        certificate = authority.issue_cert(HOST)
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        certificate.configure_cert(context)

    server = ThreadingHTTPServer((HOST, 0), _Handler)
    server.daemon_threads = True
    server.socket = context.wrap_socket(server.socket, server_side=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"https://{HOST}:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


@contextmanager
def closed_port() -> Iterator[int]:
    """Yield a port that refuses connections.

    The socket stays bound without listening, so Linux rejects a connect
    with RST and no other process can take the port during the test.
    """
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind((HOST, 0))
    try:
        yield sock.getsockname()[1]
    finally:
        sock.close()


@contextmanager
def silent_server() -> Iterator[int]:
    """Yield a port that accepts connections and never responds.

    The kernel completes the handshake into the listen backlog; nothing
    ever reads or writes.
    """
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind((HOST, 0))
    sock.listen(64)
    try:
        yield sock.getsockname()[1]
    finally:
        sock.close()


@contextmanager
def dropping_server() -> Iterator[int]:
    """Yield a port where new connection attempts get no answer at all.

    The listener has a backlog of 0 and one connection that is never
    accepted, so Linux drops further SYNs while its accept queue is full,
    as a firewall DROP rule would.
    """
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.bind((HOST, 0))
    listener.listen(0)
    port = listener.getsockname()[1]
    filler = socket.create_connection((HOST, port), timeout=1)
    try:
        yield port
    finally:
        filler.close()
        listener.close()


class ThreadedListener:
    """A TCP listener on an ephemeral port of 127.0.0.1 that serves each
    connection in a thread of its own.

    Subclasses implement ``_serve(connection)``. Entering the ``with``
    block starts the listener and leaving it stops accepting.
    """

    backlog = 16

    def __init__(self) -> None:
        self._listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._listener.bind((HOST, 0))
        self._listener.listen(self.backlog)
        self.port = self._listener.getsockname()[1]
        self._stopping = False
        self._thread = threading.Thread(target=self._accept_loop, daemon=True)

    def __enter__(self) -> Self:
        self._thread.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._stopping = True
        # On Linux, shutdown() wakes the thread blocked in accept().
        try:
            self._listener.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
        self._listener.close()
        self._thread.join(timeout=2)

    def _accept_loop(self) -> None:
        while not self._stopping:
            try:
                connection, _ = self._listener.accept()
            except OSError:
                return
            if self._stopping:
                connection.close()
                return
            threading.Thread(
                target=self._serve, args=(connection,), daemon=True
            ).start()

    def _serve(self, connection: socket.socket) -> None:
        raise NotImplementedError


class GreetingServer(ThreadedListener):
    """A server that greets like MySQL and records how each client closed.

    On accept it sends ``greeting`` and then reads until the client closes:
    ``recv()`` returning ``b""`` is a clean close (FIN), and
    ``ConnectionResetError`` is an abortive close (RST).
    """

    backlog = 128

    def __init__(self, greeting: bytes) -> None:
        self.greeting = greeting
        self.closes: list[str] = []
        self._closed = threading.Condition()
        super().__init__()

    def _serve(self, connection: socket.socket) -> None:
        kind = "FIN"
        try:
            connection.sendall(self.greeting)
            while connection.recv(4096):
                pass
        except ConnectionResetError:
            kind = "RST"
        finally:
            connection.close()
        with self._closed:
            self.closes.append(kind)
            self._closed.notify_all()

    def wait_for_closes(self, count: int, timeout: float = 5.0) -> list[str]:
        """Wait until ``count`` connections have closed and return their kinds."""
        with self._closed:
            self._closed.wait_for(lambda: len(self.closes) >= count, timeout=timeout)
            return list(self.closes)
