"""Real servers on 127.0.0.1 for checker and monitor tests.

Each is a context manager that listens on an ephemeral port and stops on
exit. None of them reaches beyond the loopback interface.
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

HOST = "127.0.0.1"


class _Handler(BaseHTTPRequestHandler):
    """Respond by path: /ok, /status/<code>, /redirect, /loop, /slow?ms=, /drip."""

    protocol_version = "HTTP/1.1"

    def do_GET(self) -> None:  # noqa: N802 (name fixed by http.server)
        url = urlsplit(self.path)
        if url.path == "/ok":
            self._send(200, b"ok")
        elif url.path.startswith("/status/"):
            self._send(int(url.path.rsplit("/", 1)[1]), b"status")
        elif url.path == "/redirect":
            self._send(302, b"", location="/ok")
        elif url.path == "/loop":
            self._send(302, b"", location="/loop")
        elif url.path == "/slow":
            milliseconds = int(parse_qs(url.query)["ms"][0])
            time.sleep(milliseconds / 1000)
            self._send(200, b"slow")
        elif url.path == "/drip":
            self._drip()
        else:
            self._send(404, b"not found")

    def _send(self, status: int, body: bytes, location: str | None = None) -> None:
        self.send_response(status)
        if location is not None:
            self.send_header("Location", location)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

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


@contextmanager
def http_server() -> Iterator[str]:
    """Serve ``_Handler`` in threads and yield its base URL."""
    server = ThreadingHTTPServer((HOST, 0), _Handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://{HOST}:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


@contextmanager
def https_server() -> Iterator[str]:
    """Serve ``_Handler`` over TLS with a certificate from a throwaway CA.

    The CA is in no trust store, so a verifying client rejects the server.
    """
    import ssl

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


class GreetingServer:
    """A server that greets like MySQL and records how each client closed.

    On accept it sends ``greeting`` and then reads until the client closes:
    ``recv()`` returning ``b""`` is a clean close (FIN), and
    ``ConnectionResetError`` is an abortive close (RST).
    """

    def __init__(self, greeting: bytes) -> None:
        self.greeting = greeting
        self.closes: list[str] = []
        self._closed = threading.Condition()
        self._listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._listener.bind((HOST, 0))
        self._listener.listen(128)
        self.port = self._listener.getsockname()[1]
        self._stopping = False
        self._thread = threading.Thread(target=self._accept_loop, daemon=True)

    def __enter__(self) -> GreetingServer:
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
        self._thread.join(timeout=1)

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
