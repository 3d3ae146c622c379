"""Start and stop the servers a benchmark measures, each as a child process.

Every server listens on 127.0.0.1 on a free port and gets its own process
group, so stopping it also stops its workers.
"""

from __future__ import annotations

import logging
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Mapping
from pathlib import Path

__all__ = ["ASGI_SERVERS", "ChildServer", "asgi_server", "free_port"]

logger = logging.getLogger(__name__)

START_TIMEOUT = 60.0
STOP_TIMEOUT = 10.0


def free_port() -> int:
    """Return a TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _accepts_connections(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.5):
            return True
    except OSError:
        return False


class ChildServer:
    """A server run by ``command`` that listens on 127.0.0.1:``port``."""

    def __init__(
        self,
        name: str,
        command: list[str],
        *,
        port: int,
        env: Mapping[str, str] | None = None,
        log_path: Path | None = None,
    ) -> None:
        self.name = name
        self.command = command
        self.port = port
        self.env = dict(env) if env is not None else None
        self.log_path = log_path
        self.process: subprocess.Popen | None = None

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        """Start the process and wait until the port accepts connections."""
        output = open(self.log_path, "ab") if self.log_path else subprocess.DEVNULL
        self.process = subprocess.Popen(
            self.command,
            env=self.env,
            stdout=output,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        deadline = time.monotonic() + START_TIMEOUT
        while not _accepts_connections(self.port):
            if self.process.poll() is not None:
                raise RuntimeError(
                    f"{self.name} exited with code {self.process.returncode} "
                    f"before it listened; see {self.log_path}."
                )
            if time.monotonic() > deadline:
                self.stop()
                raise RuntimeError(f"{self.name} did not listen in {START_TIMEOUT} s.")
            time.sleep(0.1)
        logger.info(
            "%s listens on port %s (pid %s)", self.name, self.port, self.process.pid
        )

    def stop(self) -> None:
        """Send SIGTERM to the process group, and SIGKILL after a grace time."""
        if self.process is None or self.process.poll() is not None:
            return
        os.killpg(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(timeout=STOP_TIMEOUT)
        except subprocess.TimeoutExpired:
            logger.warning(
                "%s did not stop in %s s; killing it", self.name, STOP_TIMEOUT
            )
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()

    def __enter__(self) -> ChildServer:
        self.start()
        return self

    def __exit__(self, *exc_info) -> None:
        self.stop()


def _daphne(port: int, app: str) -> list[str]:
    return [sys.executable, "-m", "daphne", "-b", "127.0.0.1", "-p", str(port), app]


def _uvicorn(port: int, app: str) -> list[str]:
    return [
        sys.executable,
        "-m",
        "uvicorn",
        "--host=127.0.0.1",
        f"--port={port}",
        "--no-access-log",
        "--log-level=warning",
        "--lifespan=off",
        app,
    ]


def _granian(port: int, app: str) -> list[str]:
    return [
        str(Path(sys.executable).with_name("granian")),
        # "asginl" is ASGI without the lifespan protocol, which Channels'
        # router does not handle.
        "--interface=asginl",
        "--host=127.0.0.1",
        f"--port={port}",
        "--workers=1",
        "--no-access-log",
        "--log-level=warning",
        app,
    ]


ASGI_SERVERS = {"daphne": _daphne, "uvicorn": _uvicorn, "granian": _granian}
"""Command builders of the ASGI servers, by name; each runs one process."""


def asgi_server(
    name: str, app: str, *, env: Mapping[str, str], log_path: Path
) -> ChildServer:
    """Return an unstarted ``name`` server (a key of ``ASGI_SERVERS``) for
    the ASGI application at dotted path ``app``."""
    port = free_port()
    return ChildServer(
        name, ASGI_SERVERS[name](port, app), port=port, env=env, log_path=log_path
    )
