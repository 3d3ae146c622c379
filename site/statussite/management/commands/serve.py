"""Run the web server, the task worker and the monitor together."""

from __future__ import annotations

import logging
import os
import signal
import socket
import subprocess
import sys
import time

from django.core.management.base import BaseCommand, CommandError

from statussite.env import env_int

logger = logging.getLogger(__name__)

# Seconds a child may take to exit after SIGTERM before it is killed.
STOP_TIMEOUT = 10
# The order in which the children are stopped: the monitor, whose checks
# may call the web server, before the web server.
STOP_ORDER = ("monitor", "worker", "web")
# Seconds the web server may take to start listening.
READY_TIMEOUT = 60
# Seconds uvicorn waits for open requests and WebSockets at shutdown;
# below STOP_TIMEOUT, so it exits before it would be killed.
GRACEFUL_SHUTDOWN = 5


def web_command(host: str, port: int) -> list[str]:
    """Return the command that serves HTTP and WebSocket with uvicorn.

    uvicorn served the snapshot fast path four to ten times faster than
    daphne on the same machine (docs/benchmarks.md) and runs Channels'
    WebSocket routes as well. Proxy headers are left to the application,
    which alone decides which proxies to trust, so uvicorn's own handling
    of ``X-Forwarded-For`` is turned off. The lifespan protocol is off
    because Channels' router has no handler for it. The access log is off
    because the proxy in front logs requests; ``LOG_LEVEL=DEBUG`` does not
    turn it on.
    """
    return [
        sys.executable,
        "-m",
        "uvicorn",
        f"--host={host}",
        f"--port={port}",
        "--lifespan=off",
        "--no-proxy-headers",
        "--no-access-log",
        f"--timeout-graceful-shutdown={GRACEFUL_SHUTDOWN}",
        "statussite.asgi:application",
    ]


def _accepts_connections(host: str, port: int) -> bool:
    """Return whether something listens on ``host:port``.

    A wildcard address is probed through the loopback interface.
    """
    probe = {"0.0.0.0": "127.0.0.1", "::": "::1", "": "127.0.0.1"}.get(host, host)
    try:
        with socket.create_connection((probe, port), timeout=0.5):
            return True
    except OSError:
        return False


class Command(BaseCommand):
    help = (
        "Start uvicorn (HTTP and WebSocket), the huey consumer and the monitor "
        "as child processes. Ctrl-C or SIGTERM stops all three; if one exits, "
        "the others are stopped too."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--host",
            default=os.environ.get("HOST", "127.0.0.1"),
            help="Address to listen on (default: HOST or 127.0.0.1).",
        )
        parser.add_argument(
            "--port",
            type=int,
            default=env_int("PORT", 8000, minimum=1, maximum=65535),
            help="Port to listen on (default: PORT or 8000).",
        )

    def handle(self, *args, host: str, port: int, **options) -> None:
        manage = [sys.executable, os.path.abspath(sys.argv[0])]
        commands = {
            "web": web_command(host, port),
            "worker": [*manage, "run_huey"],
            "monitor": [*manage, "run_monitor"],
        }

        stopping = False

        def request_stop(signum, frame) -> None:
            nonlocal stopping
            stopping = True

        signal.signal(signal.SIGINT, request_stop)
        signal.signal(signal.SIGTERM, request_stop)

        children = {}
        for name, command in commands.items():
            # Own process group, so the terminal's Ctrl-C reaches only us
            # and we stop the children in order.
            children[name] = subprocess.Popen(command, start_new_session=True)
            logger.info("Started %s (pid %s)", name, children[name].pid)
        failed = None
        announced = False
        ready_deadline = time.monotonic() + READY_TIMEOUT
        while not stopping and failed is None:
            for name, child in children.items():
                if child.poll() is not None:
                    failed = name
                    break
            if failed is None and not announced:
                if _accepts_connections(host, port):
                    self.stdout.write(
                        f"Serving on http://{host}:{port}/ (Ctrl-C to stop)"
                    )
                    announced = True
                elif time.monotonic() > ready_deadline:
                    logger.error(
                        "The web server did not listen on %s:%s in %s s",
                        host,
                        port,
                        READY_TIMEOUT,
                    )
                    failed = "web"
                    break
            time.sleep(0.2)

        if failed:
            logger.error(
                "%s exited with code %s; stopping the others",
                failed,
                children[failed].returncode,
            )
        self._stop_all(children)
        if failed:
            raise CommandError(f"The {failed} process exited unexpectedly.")

    def _stop_all(self, children: dict[str, subprocess.Popen]) -> None:
        """Stop the children one at a time, in ``STOP_ORDER``.

        The monitor goes first and is waited for, because a check it has
        in flight may target this same web server (the demo checks its
        own pages): stopping the web server first would record a false
        "down" result. The worker goes next, as it may still run tasks
        that the monitor queued. Each child gets ``STOP_TIMEOUT`` seconds
        before it is killed.
        """
        names = [name for name in STOP_ORDER if name in children]
        names += [name for name in children if name not in STOP_ORDER]
        for name in names:
            child = children[name]
            if child.poll() is None:
                child.send_signal(signal.SIGTERM)
            try:
                child.wait(timeout=STOP_TIMEOUT)
            except subprocess.TimeoutExpired:
                logger.warning(
                    "%s did not stop in %s s; killing it", name, STOP_TIMEOUT
                )
                child.kill()
                child.wait()
            logger.info("Stopped %s (pid %s)", name, child.pid)
        logger.info("All processes stopped")
