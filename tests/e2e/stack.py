"""Run the real stack (uvicorn, huey consumer, monitor) as child processes.

The stack gets its own SQLite file, or its own PostgreSQL database and Redis
database number when ``DATABASE_URL`` and ``REDIS_URL`` are set, so it never
touches the data of the test run that starts it.
"""

from __future__ import annotations

import http.server
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parents[2]
E2E_DATABASE = "statuspage_e2e"
E2E_REDIS_DB = 15


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def get_json(url: str, timeout: float = 5) -> dict:
    with urllib.request.urlopen(url, timeout=timeout) as response:
        return json.load(response)


def wait_for(condition, timeout: float, interval: float = 0.1, message: str = ""):
    """Return the first truthy value of ``condition()``, or fail after ``timeout``."""
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"Timed out after {timeout} s waiting for {message}")
        time.sleep(interval)


class HealthyHandler(http.server.BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        body = b"OK"
        self.send_response(200)
        self.send_header("Content-Type", "text/plain")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format, *args) -> None:
        pass


class TargetServer:
    """An HTTP server on 127.0.0.1 that the test stops and starts again."""

    def __init__(self) -> None:
        self.port = free_port()
        self._server: http.server.ThreadingHTTPServer | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/"

    def start(self) -> None:
        http.server.ThreadingHTTPServer.allow_reuse_address = True
        self._server = http.server.ThreadingHTTPServer(
            ("127.0.0.1", self.port), HealthyHandler
        )
        threading.Thread(target=self._server.serve_forever, daemon=True).start()

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None


def _postgres_url(base_url: str, name: str) -> str:
    parts = urlsplit(base_url)
    return urlunsplit(parts._replace(path=f"/{name}"))


def _recreate_postgres_database(base_url: str, name: str) -> None:
    import psycopg

    admin_url = _postgres_url(base_url, "postgres")
    with psycopg.connect(admin_url, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        connection.execute(f'CREATE DATABASE "{name}"')


class Stack:
    """The project's processes, started with ``manage.py serve``."""

    def __init__(self, var_dir: Path) -> None:
        self.var_dir = var_dir
        self.port = free_port()
        self.process: subprocess.Popen | None = None
        self.env = self._environment()

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def _environment(self) -> dict[str, str]:
        env = {
            key: value
            for key, value in os.environ.items()
            if not key.startswith(("DJANGO_", "PYTEST_"))
        }
        env.update(
            DEBUG="0",
            SECRET_KEY="e2e-secret-key-" + "x" * 40,
            ALLOWED_HOSTS="127.0.0.1,localhost",
            STATUS_VAR_DIR=str(self.var_dir),
            STATUSCORE_MIN_CHECK_INTERVAL="1",
            STATUSCORE_MONITOR_TICK="0.1",
            LOG_LEVEL="WARNING",
            PORT=str(self.port),
        )
        database_url = os.environ.get("DATABASE_URL", "")
        if database_url.startswith(("postgres://", "postgresql://")):
            _recreate_postgres_database(database_url, E2E_DATABASE)
            env["DATABASE_URL"] = _postgres_url(database_url, E2E_DATABASE)
        else:
            env["DATABASE_URL"] = f"sqlite:///{self.var_dir / 'e2e.sqlite3'}"
        redis_url = os.environ.get("REDIS_URL", "")
        if redis_url:
            env["REDIS_URL"] = urlunsplit(urlsplit(redis_url)._replace(path=f"/{E2E_REDIS_DB}"))
        return env

    def manage(self, *args: str, stdin: str | None = None) -> str:
        done = subprocess.run(
            [sys.executable, "manage.py", *args],
            cwd=ROOT,
            env=self.env,
            input=stdin,
            capture_output=True,
            text=True,
            timeout=300,
        )
        if done.returncode != 0:
            raise AssertionError(f"manage.py {' '.join(args)} failed:\n{done.stderr}")
        return done.stdout

    def start(self) -> None:
        self.manage("migrate", "--noinput", "-v0")
        self.manage("collectstatic", "--noinput", "-v0")
        self.process = subprocess.Popen(
            [sys.executable, "manage.py", "serve", "--port", str(self.port)],
            cwd=ROOT,
            env=self.env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        wait_for(self._healthy, timeout=60, message="the stack's /healthz")

    def _healthy(self) -> bool:
        if self.process is not None and self.process.poll() is not None:
            raise AssertionError(f"serve exited early:\n{self.process.stdout.read()}")
        try:
            return get_json(f"{self.base_url}/healthz", timeout=2)["status"] == "ok"
        except (OSError, urllib.error.URLError, ValueError):
            return False

    def child_pids(self) -> list[int]:
        done = subprocess.run(
            ["ps", "-o", "pid=", "--ppid", str(self.process.pid)],
            capture_output=True,
            text=True,
        )
        return [int(pid) for pid in done.stdout.split()]

    def stop(self, timeout: float = 30) -> int:
        """Send SIGINT, as Ctrl-C would, and return serve's exit code."""
        if self.process is None or self.process.poll() is not None:
            return self.process.returncode if self.process else 0
        self.process.send_signal(signal.SIGINT)
        try:
            return self.process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
            raise AssertionError("serve did not stop within 30 s of SIGINT") from None
