"""The web server that ``manage.py serve`` starts."""

from __future__ import annotations

import subprocess
import sys
import time

from statussite.management.commands.serve import Command, web_command


def test_serve_runs_uvicorn():
    command = web_command("127.0.0.1", 8123)

    assert command[1:3] == ["-m", "uvicorn"]
    assert command[-1] == "statussite.asgi:application"


def test_serve_listens_on_given_address():
    command = web_command("::", 8123)

    assert "--host=::" in command
    assert "--port=8123" in command


def test_serve_leaves_proxy_headers_to_application():
    assert "--no-proxy-headers" in web_command("127.0.0.1", 8123)


def test_serve_turns_lifespan_off():
    assert "--lifespan=off" in web_command("127.0.0.1", 8123)


CHILD = """
import pathlib, signal, sys, time
name, log = sys.argv[1], pathlib.Path(sys.argv[2])
linger = float(sys.argv[3])
def stop(signum, frame):
    time.sleep(linger)
    with log.open("a") as out:
        out.write(name + "\\n")
    sys.exit(0)
signal.signal(signal.SIGTERM, stop)
(log.parent / (name + ".ready")).touch()
while True:
    time.sleep(0.05)
"""


def start_children(tmp_path, lingers: dict[str, float]) -> dict:
    """Start a short script per name that logs its name when it stops,
    ``lingers[name]`` seconds after SIGTERM, like a check in flight."""
    log = tmp_path / "stopped.log"
    children = {
        name: subprocess.Popen(
            [sys.executable, "-c", CHILD, name, str(log), str(linger)]
        )
        for name, linger in lingers.items()
    }
    deadline = time.monotonic() + 10
    while not all((tmp_path / f"{name}.ready").exists() for name in lingers):
        assert time.monotonic() < deadline, "children did not start"
        time.sleep(0.05)
    return children


def test_stop_waits_for_monitor_before_web(tmp_path):
    # The monitor's in-flight check takes longer than the others' exit.
    children = start_children(tmp_path, {"web": 0, "worker": 0, "monitor": 0.5})

    Command()._stop_all(children)

    stopped = (tmp_path / "stopped.log").read_text().split()
    assert stopped == ["monitor", "worker", "web"]


def test_stop_leaves_no_child_running(tmp_path):
    children = start_children(tmp_path, {"web": 0, "worker": 0, "monitor": 0})

    Command()._stop_all(children)

    assert all(child.poll() is not None for child in children.values())
