"""The web server that ``manage.py serve`` starts."""

from __future__ import annotations

from statussite.management.commands.serve import web_command


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
